//! The harness of the validator end-to-end test: the validator process, the real `datapool`
//! binary run as a user would, and small readers of its output.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use data_pool_client::PROGRAM_ID;
pub use data_pool_tests::cli::datapool_bin;
use serde_json::Value;
use solana_keypair::Keypair;

pub const USDC: u64 = 1_000_000;
pub const SOL: u64 = 1_000_000_000;

/// A running local validator (killed when dropped).
pub struct Validator {
    child: Child,
    /// Its RPC URL.
    pub rpc: String,
    _dir: Scratch,
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A scratch directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn start_validator(rpc_port: u16) -> Validator {
    let bin =
        std::env::var("DATAPOOL_LOCALNET_BIN").expect("DATAPOOL_LOCALNET_BIN (run scripts/e2e.sh)");
    let dir = std::env::temp_dir().join(format!(
        "datapool-e2e-ledger-{}-{rpc_port}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("ledger dir");
    let mut child = Command::new(bin)
        .args([
            "--program",
            &data_pool_tests::program_path().display().to_string(),
        ])
        .args(["--program-id", &PROGRAM_ID.to_string()])
        .args(["--ledger", &dir.join("ledger").display().to_string()])
        .args([
            "--rpc-port",
            &rpc_port.to_string(),
            "--faucet-port",
            &(rpc_port + 1000).to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("validator.log")).expect("log"))
        .spawn()
        .expect("start the validator");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if line.starts_with("READY ") {
                let _ = tx.send(line);
            }
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("validator ready line");
    let rpc = line
        .split(' ')
        .find_map(|p| p.strip_prefix("rpc="))
        .expect("rpc url")
        .to_string();
    Validator {
        child,
        rpc,
        _dir: Scratch(dir),
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// The user's side: the node's URL and a scratch directory for keypairs and files.
pub struct E2e {
    /// RPC URL.
    pub url: String,
    /// Scratch directory.
    pub dir: Scratch,
}

impl E2e {
    pub fn keypair(&self, name: &str) -> (Keypair, String) {
        let k = Keypair::new();
        let p = self.dir.0.join(format!("{name}.json"));
        std::fs::write(
            &p,
            serde_json::to_string(&k.to_bytes().to_vec()).expect("json"),
        )
        .expect("write");
        (k, p.display().to_string())
    }

    pub fn file(&self, name: &str, contents: &[u8]) -> String {
        let p = self.dir.0.join(name);
        std::fs::write(&p, contents).expect("write");
        p.display().to_string()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(datapool_bin())
            .args([
                "-u",
                &self.url,
                "--output",
                "json",
                "-C",
                &self.file("config.yml", b"{}\n"),
            ])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run datapool");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "datapool {args:?} failed:\n{}\n{}",
            r.stderr, r.stdout
        );
        r.json()
    }

    #[track_caller]
    pub fn fails(&self, args: &[&str], code: i32, needle: &str) -> Value {
        let r = self.run(args);
        assert_eq!(
            r.code, code,
            "exit code of datapool {args:?}:\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains(needle),
            "stderr of {args:?} lacks {needle:?}:\n{}",
            r.stderr
        );
        r.json()["error"].clone()
    }
}

/// Reads `stream` line by line on a thread: each line is sent on the channel; the thread returns
/// all of them when the stream ends.
pub fn watch(
    stream: impl Read + Send + 'static,
) -> (Receiver<String>, std::thread::JoinHandle<String>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let h = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    (rx, h)
}

/// Starts `datapool ARGS` in the background (stdout piped), watching its stderr.
pub fn spawn_datapool(args: &[&str]) -> (Child, Receiver<String>, std::thread::JoinHandle<String>) {
    let mut child = Command::new(datapool_bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start datapool");
    let (rx, all) = watch(child.stderr.take().expect("stderr"));
    (child, rx, all)
}

/// Waits until a line containing `needle` arrives.
#[track_caller]
pub fn wait_for_line(rx: &Receiver<String>, needle: &str, secs: u64) -> String {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return l,
            Ok(_) => {}
            Err(e) => panic!("no line with {needle:?} within {secs} s: {e}"),
        }
    }
}

pub fn s(v: &Value, f: &str) -> String {
    v[f].as_str()
        .unwrap_or_else(|| panic!("no {f} in {v}"))
        .to_string()
}

pub fn n(v: &Value, f: &str) -> u64 {
    v[f].as_u64()
        .or_else(|| v[f].as_str().and_then(|x| x.parse().ok()))
        .unwrap_or_else(|| panic!("no {f} in {v}"))
}
