//! Many uploads at once to the attestor service over loopback, from plain threads writing raw
//! HTTP: the soak test and the memory measurement (`--bin service_load`) share it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// What an upload sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Upload {
    /// A valid "Account data" export of about `bytes` bytes, generated as it is sent.
    Good {
        /// Size of the body.
        bytes: usize,
    },
    /// `bytes` bytes that are not an export.
    Bad {
        /// Size of the body.
        bytes: usize,
    },
    /// A body that declares `declared` bytes (over the service's limit) and sends none.
    Oversized {
        /// The declared length.
        declared: u64,
    },
}

/// One play of a generated export (about 100 bytes).
fn record(i: usize) -> String {
    let (day, minute) = (i / 1_440 % 28 + 1, i % 1_440);
    format!(
        r#"{{"endTime":"2024-02-{day:02} {:02}:{:02}","artistName":"Artist {}","trackName":"Track {}","msPlayed":{}}}"#,
        minute / 60,
        minute % 60,
        i % 700,
        i % 9_000,
        60_000 + (i % 5) * 30_000
    )
}

/// The body of `upload`, in chunks of about 64 KiB, with its exact length.
fn body(upload: Upload) -> (u64, Box<dyn Iterator<Item = Vec<u8>>>) {
    match upload {
        Upload::Good { bytes } => {
            // Records until `bytes` is reached; the length is known once generated, so count first.
            let mut n = 0usize;
            let mut len = 2u64;
            while (len as usize) < bytes {
                len += record(n).len() as u64 + u64::from(n > 0);
                n += 1;
            }
            let mut i = 0usize;
            let chunks = std::iter::from_fn(move || {
                if i > n {
                    return None;
                }
                let mut c = Vec::with_capacity(70_000);
                if i == 0 {
                    c.push(b'[');
                }
                while i < n && c.len() < 64 * 1024 {
                    if i > 0 {
                        c.push(b',');
                    }
                    c.extend_from_slice(record(i).as_bytes());
                    i += 1;
                }
                if i == n {
                    c.push(b']');
                    i += 1;
                }
                Some(c)
            });
            (len, Box::new(chunks))
        }
        Upload::Bad { bytes } => {
            let chunks = (0..bytes.div_ceil(64 * 1024))
                .map(move |k| vec![b'x'; (bytes - k * 64 * 1024).min(64 * 1024)]);
            (bytes as u64, Box::new(chunks))
        }
        Upload::Oversized { declared } => (declared, Box::new(std::iter::empty())),
    }
}

/// Sends `upload` to `POST /attest` at `addr` (`host:port`) for `wallet` and returns the status
/// (0 when no answer came within `timeout`). A refusal may arrive before the body is sent: the
/// rest of the body is then dropped.
pub fn send(addr: &str, wallet: &str, upload: Upload, timeout: Duration) -> u16 {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(timeout));
    let _ = s.set_write_timeout(Some(timeout));
    let (len, chunks) = body(upload);
    let head = format!(
        "POST /attest?wallet={wallet} HTTP/1.1\r\nHost: load\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
    );
    if s.write_all(head.as_bytes()).is_err() {
        return 0;
    }
    for c in chunks {
        if s.write_all(&c).is_err() {
            break; // answered early (503, 413): the server stopped reading
        }
    }
    let mut raw = vec![];
    let _ = s.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw)
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`), 0 where there is none.
pub fn proc_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Uploads of the service that are still on disk (the temporary files it spools to).
pub fn spooled_files() -> usize {
    std::fs::read_dir(std::env::temp_dir())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with("datapool-upload")
                })
                .count()
        })
        .unwrap_or(0)
}
