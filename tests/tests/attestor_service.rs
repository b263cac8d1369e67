//! The attestor service under hostile load, over real HTTP on loopback: a request is admitted
//! (a concurrency slot) before its body is read, so a client holding every slot gets others a
//! 503 with `Retry-After` at once, whatever size they declare; an upload over the limit is refused
//! from its declared length; `multipart/form-data` uploads (what `curl -F` and browsers send)
//! work; every answer, 404 and 405 included, is a JSON error.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use data_pool_tests::cli::CliEnv;
use data_pool_tests::data_service::DataService;
use data_pool_tests::spotify::{account_record, listener_records, HISTORY};
use serde_json::Value;

/// The service on a pool with the fixture's attestor, `concurrency` slots and a 64 KiB limit.
fn service(concurrency: usize) -> (CliEnv, DataService) {
    let env = CliEnv::new();
    let made = env.cli_pool("", "svc", &["--max-score", "1000"]);
    let svc = DataService::start(&made.pool, &made.attestor, None, 64 * 1024, concurrency);
    (env, svc)
}

fn addr(svc: &DataService) -> String {
    svc.url.trim_start_matches("http://").to_string()
}

const WALLET: &str = "11111111111111111111111111111112";

/// Sends `head` (request line and headers, no blank line) and `body`, and reads the answer:
/// status, headers, JSON body.
fn exchange(stream: &mut TcpStream, head: &str, body: &[u8]) -> (u16, String, Value) {
    stream
        .write_all(format!("{head}\r\nConnection: close\r\n\r\n").as_bytes())
        .expect("write head");
    stream.write_all(body).expect("write body");
    read_answer(stream)
}

fn read_answer(stream: &mut TcpStream) -> (u16, String, Value) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut raw = vec![];
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        head.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn export() -> Vec<u8> {
    let recs: Vec<Value> = HISTORY.iter().map(account_record).collect();
    serde_json::to_vec(&recs).expect("json")
}

#[test]
fn a_request_is_admitted_before_its_body_is_read() {
    let (_env, svc) = service(1);
    // A slow client takes the only slot: its headers promise 60,000 bytes, it sends ten.
    let mut slow = TcpStream::connect(addr(&svc)).expect("connect");
    slow.write_all(
        format!(
            "POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n0123456789"
        )
        .as_bytes(),
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(300));
    // Another client declares 60,000 bytes and sends none: it is answered at once, so its body
    // was never waited for.
    let t = Instant::now();
    let mut other = TcpStream::connect(addr(&svc)).expect("connect");
    let (status, head, v) = exchange(
        &mut other,
        &format!("POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Length: 60000"),
        b"",
    );
    assert_eq!(status, 503, "{head}");
    assert_eq!(v["error"], "busy");
    assert!(head.contains("retry-after: 1"), "{head}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    // The slow client finishes; its slot frees and the next request is served.
    slow.write_all(&[b' '; 59_990]).expect("write rest");
    let (status, _, v) = read_answer(&mut slow);
    assert_eq!((status, v["error"].as_str()), (422, Some("export")), "{v}");
    let mut next = TcpStream::connect(addr(&svc)).expect("connect");
    let body = export();
    let (status, _, v) = exchange(
        &mut next,
        &format!(
            "POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Length: {}",
            body.len()
        ),
        &body,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["score"], 102);
}

#[test]
fn an_upload_over_the_limit_is_refused_from_its_declared_length() {
    let (_env, svc) = service(2);
    let mut s = TcpStream::connect(addr(&svc)).expect("connect");
    let (status, _, v) = exchange(
        &mut s,
        &format!("POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000"),
        b"",
    );
    assert_eq!((status, v["error"].as_str()), (413, Some("body")), "{v}");
    // Streamed without a length (chunked), it is cut off at the limit.
    let mut s = TcpStream::connect(addr(&svc)).expect("connect");
    let chunk = vec![b' '; 32 * 1024];
    let mut body = vec![];
    for _ in 0..3 {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let (status, _, v) = exchange(
        &mut s,
        &format!("POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"),
        &body,
    );
    assert_eq!((status, v["error"].as_str()), (413, Some("body")), "{v}");
}

#[test]
fn multipart_uploads_work_and_every_answer_is_json() {
    let (_env, svc) = service(2);
    // What `curl -F file=@export.json` sends.
    let boundary = "----datapool-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"StreamingHistory_music_0.json\"\r\nContent-Type: application/json\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&export());
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut s = TcpStream::connect(addr(&svc)).expect("connect");
    let (status, _, v) = exchange(
        &mut s,
        &format!(
            "POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}",
            body.len()
        ),
        &body,
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["score"], 102);
    // A form without a file.
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--{boundary}--\r\n"
    );
    let mut s = TcpStream::connect(addr(&svc)).expect("connect");
    let (status, _, v) = exchange(
        &mut s,
        &format!(
            "POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}",
            form.len()
        ),
        form.as_bytes(),
    );
    assert_eq!((status, v["error"].as_str()), (400, Some("export")), "{v}");
    // 404 and 405 are JSON errors too.
    for (head, code, error) in [
        ("GET /nowhere HTTP/1.1", 404, "route"),
        ("GET /attest HTTP/1.1", 405, "method"),
        ("DELETE /health HTTP/1.1", 405, "method"),
    ] {
        let mut s = TcpStream::connect(addr(&svc)).expect("connect");
        let (status, headers, v) = exchange(&mut s, &format!("{head}\r\nHost: x"), b"");
        assert_eq!(
            (status, v["error"].as_str()),
            (code, Some(error)),
            "{head}: {v}"
        );
        assert!(
            headers.contains("content-type: application/json"),
            "{headers}"
        );
    }
}

#[test]
fn clients_are_rate_limited_and_every_request_is_logged_without_personal_fields() {
    let env = CliEnv::new();
    let made = env.cli_pool("", "svc", &["--max-score", "1000"]);
    let log = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let kept = log.clone();
    let svc = DataService::start_with(&made.pool, &made.attestor, None, 64 * 1024, 2, |c| {
        c.rate_per_minute = 5;
        c.access_log = data_pool_cli::service::AccessLog::Memory(kept);
    });
    // Five requests pass (the burst), the sixth gets 429 with Retry-After.
    let body = export();
    let mut answers = vec![];
    for _ in 0..6 {
        let mut s = TcpStream::connect(addr(&svc)).expect("connect");
        answers.push(exchange(
            &mut s,
            &format!(
                "POST /attest?wallet={WALLET} HTTP/1.1\r\nHost: x\r\nContent-Length: {}",
                body.len()
            ),
            &body,
        ));
    }
    let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    let (_, head, v) = &answers[5];
    assert_eq!(v["error"], "rate");
    assert!(head.contains("retry-after: "), "{head}");
    // One line per request: time, method, path, status, bytes, duration; not the wallet (in
    // the query) and not the client's address.
    let lines = log.lock().expect("log").clone();
    assert_eq!(lines.len(), 6, "{lines:?}");
    for (line, status) in lines.iter().zip(statuses) {
        assert!(
            line.contains(&format!("POST /attest {status} in={} ", body.len())),
            "{line}"
        );
        assert!(line.ends_with("ms"), "{line}");
        assert!(
            !line.contains(WALLET) && !line.contains("127.0.0.1"),
            "{line}"
        );
    }
}

/// Mixed good, bad and oversized uploads from more clients than the service has slots, for a
/// bounded time (`DATAPOOL_SOAK_SECS`, default 15): every request is answered, nothing is left
/// on disk, and memory stays flat.
#[test]
fn soak_mixed_uploads_at_the_concurrency_limit() {
    use data_pool_tests::load::{proc_kib, send, spooled_files, Upload};
    let secs: u64 = std::env::var("DATAPOOL_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let env = CliEnv::new();
    let made = env.cli_pool("", "soak", &["--max-score", "1000000"]);
    let svc = DataService::start(&made.pool, &made.attestor, None, 8 << 20, 4);
    let target = addr(&svc);
    let mix = [
        Upload::Good { bytes: 3 << 20 },
        Upload::Bad { bytes: 1 << 20 },
        Upload::Oversized {
            declared: 100 << 20,
        },
        Upload::Good { bytes: 64 << 10 },
        Upload::Bad { bytes: 9 << 20 },
    ];
    let deadline = Instant::now() + Duration::from_secs(secs);
    let warm = Instant::now() + Duration::from_secs(secs / 4);
    let rss_warm = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (target, rss_warm) = (target.clone(), rss_warm.clone());
            std::thread::spawn(move || {
                let mut seen = std::collections::BTreeMap::<(usize, u16), u64>::new();
                let mut k = c;
                while Instant::now() < deadline {
                    let kind = k % mix.len();
                    let status = send(&target, WALLET, mix[kind], Duration::from_secs(60));
                    *seen.entry((kind, status)).or_default() += 1;
                    k += 1;
                    if c == 0 && Instant::now() > warm {
                        let _ = rss_warm.compare_exchange(
                            0,
                            proc_kib("VmRSS:"),
                            std::sync::atomic::Ordering::SeqCst,
                            std::sync::atomic::Ordering::SeqCst,
                        );
                    }
                }
                seen
            })
        })
        .collect();
    let mut all = std::collections::BTreeMap::<(usize, u16), u64>::new();
    for c in clients {
        for (k, n) in c.join().expect("client") {
            *all.entry(k).or_default() += n;
        }
    }
    eprintln!("soak {secs} s: (upload kind, status) → count {all:?}");
    // Every request answered, each kind with what it deserves (or 503 while the slots are full).
    for ((kind, status), n) in &all {
        let expected: &[u16] = match mix[*kind] {
            Upload::Good { .. } => &[200, 503],
            Upload::Bad { bytes } if bytes > 8 << 20 => &[413, 503],
            Upload::Bad { .. } => &[422, 503],
            Upload::Oversized { .. } => &[413, 503],
        };
        assert!(
            expected.contains(status),
            "{n} × {:?} → {status}",
            mix[*kind]
        );
    }
    let served: u64 = all
        .iter()
        .filter(|((_, s), _)| *s == 200)
        .map(|(_, n)| n)
        .sum();
    assert!(served > 0, "{all:?}");
    // Nothing left on disk once the requests are over, memory flat after the warm-up.
    let t = Instant::now();
    while spooled_files() > 0 && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(spooled_files(), 0, "spooled uploads left behind");
    let (warm, end) = (
        rss_warm.load(std::sync::atomic::Ordering::SeqCst),
        proc_kib("VmRSS:"),
    );
    eprintln!(
        "RSS after warm-up {warm} KiB, at the end {end} KiB, peak {} KiB",
        proc_kib("VmHWM:")
    );
    assert!(
        warm == 0 || end < warm + 96 * 1024,
        "memory grew from {warm} KiB to {end} KiB"
    );
}

/// `POST /attest` of `records` for a new wallet: status and JSON answer.
fn attest(svc: &DataService, records: &[Value]) -> (u16, Value) {
    let body = serde_json::to_vec(records).expect("json");
    let wallet = solana_keypair::Keypair::new();
    let wallet = solana_signer::Signer::pubkey(&wallet);
    let mut s = TcpStream::connect(addr(svc)).expect("connect");
    let (status, _, v) = exchange(
        &mut s,
        &format!(
            "POST /attest?wallet={wallet} HTTP/1.1\r\nHost: x\r\nContent-Length: {}",
            body.len()
        ),
        &body,
    );
    (status, v)
}

/// Two people's exports merged into one are refused (422, `identity`), while each alone is
/// attested; the same person's export for another wallet gets the same commitment.
#[test]
fn a_merge_of_two_people_is_refused() {
    let (_env, svc) = service(2);
    let (a, b) = (listener_records(0), listener_records(1));
    let (st, first) = attest(&svc, &a);
    assert_eq!(st, 200, "{first}");
    let (st, second) = attest(&svc, &b);
    assert_eq!(st, 200, "{second}");
    assert_ne!(first["identity"], second["identity"]);
    let (st, again) = attest(&svc, &a);
    assert_eq!(st, 200, "{again}");
    assert_eq!(again["identity"], first["identity"]);
    let merged: Vec<Value> = a.iter().chain(&b).cloned().collect();
    let (st, v) = attest(&svc, &merged);
    assert_eq!((st, v["error"].as_str()), (422, Some("identity")), "{v}");
    assert!(
        v["detail"].as_str().is_some_and(|d| d.contains("2 people")),
        "{v}"
    );
}
