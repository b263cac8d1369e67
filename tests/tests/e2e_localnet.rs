//! End to end on a real validator: agave's test validator (`localnet/`) with the built program,
//! driven by the real `datapool` binary. A pool with three contributors, two offers (one
//! accepted, one rejected), claims with exact balances, `--output json` parsed throughout, the
//! error cases, and the node going away mid-run.
//!
//! Ignored by plain `cargo test`: it needs the validator binary and a private network namespace
//! (agave binds 0.0.0.0). `scripts/e2e.sh` provides both and runs it; `./scripts/test.sh` calls
//! that script.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::rpc::RpcChain;
use data_pool_client::chain::Chain;
use data_pool_client::story::{Silent, Stage};
use data_pool_client::{query, token, PROGRAM_ID};
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_signer::Signer;

const USDC: u64 = 1_000_000;
const SOL: u64 = 1_000_000_000;

struct Validator {
    child: Child,
    rpc: String,
    _dir: Scratch,
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_validator(rpc_port: u16) -> Validator {
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

fn datapool_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("exe");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("datapool");
    assert!(
        bin.exists(),
        "{} missing: cargo build -p data-pool-cli --bin datapool",
        bin.display()
    );
    bin
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

struct E2e {
    url: String,
    dir: Scratch,
}

impl E2e {
    fn keypair(&self, name: &str) -> (Keypair, String) {
        let k = Keypair::new();
        let p = self.dir.0.join(format!("{name}.json"));
        std::fs::write(
            &p,
            serde_json::to_string(&k.to_bytes().to_vec()).expect("json"),
        )
        .expect("write");
        (k, p.display().to_string())
    }

    fn file(&self, name: &str, contents: &[u8]) -> String {
        let p = self.dir.0.join(name);
        std::fs::write(&p, contents).expect("write");
        p.display().to_string()
    }

    fn run(&self, args: &[&str]) -> Run {
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
    fn ok(&self, args: &[&str]) -> Value {
        let r = self.run(args);
        assert_eq!(
            r.code, 0,
            "datapool {args:?} failed:\n{}\n{}",
            r.stderr, r.stdout
        );
        r.json()
    }

    #[track_caller]
    fn fails(&self, args: &[&str], code: i32, needle: &str) -> Value {
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
fn watch(
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
fn spawn_datapool(args: &[&str]) -> (Child, Receiver<String>, std::thread::JoinHandle<String>) {
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
fn wait_for_line(rx: &Receiver<String>, needle: &str, secs: u64) -> String {
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

fn s(v: &Value, f: &str) -> String {
    v[f].as_str()
        .unwrap_or_else(|| panic!("no {f} in {v}"))
        .to_string()
}

fn n(v: &Value, f: &str) -> u64 {
    v[f].as_u64()
        .or_else(|| v[f].as_str().and_then(|x| x.parse().ok()))
        .unwrap_or_else(|| panic!("no {f} in {v}"))
}

#[test]
#[ignore = "needs the local validator: run scripts/e2e.sh"]
fn three_contributors_two_offers_claims_and_errors_on_a_real_validator() {
    let v = start_validator(18899);
    let dir = std::env::temp_dir().join(format!("datapool-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let e = E2e {
        url: v.rpc.clone(),
        dir: Scratch(dir),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let chain = RpcChain::new(
        &e.url,
        CommitmentConfig::confirmed(),
        Duration::from_secs(10),
    );

    // Wallets, SOL from the faucet, and the story engine's market: a USDC-like mint, the
    // curator's token account and the buyer's funds.
    let (curator_kp, curator) = e.keypair("curator");
    let (attestor_kp, attestor) = e.keypair("attestor");
    let (buyer_kp, buyer) = e.keypair("buyer");
    let people: Vec<(Keypair, String)> = (0..3).map(|i| e.keypair(&format!("c{i}"))).collect();
    let stage = Stage::new(&chain, PROGRAM_ID, curator_kp.insecure_clone(), &Silent);
    let market = rt
        .block_on(async {
            stage.ensure_funded(100 * SOL).await?;
            chain.airdrop(&buyer_kp.pubkey(), SOL).await?;
            for (k, _) in &people[..2] {
                chain.airdrop(&k.pubkey(), SOL).await?;
            }
            stage
                .market(6, buyer_kp.insecure_clone(), 100_000 * USDC)
                .await
        })
        .expect("wallets and market");
    let (mint, tp) = (&market.mint, market.token_program);
    let (curator_ata, buyer_ata) = (market.payer_account, market.buyer_account);
    let balance = |a: &Pubkey| {
        rt.block_on(query::token_account(&chain, a))
            .map(|t| t.amount)
            .unwrap_or(0)
    };

    // Curator: pool and attestor.
    let pool_v = e.ok(&[
        "-k",
        &curator,
        "-y",
        "pool",
        "create",
        "e2e",
        "--mint",
        &mint.pubkey().to_string(),
        "--quorum-bps",
        "3000",
        "--approval-bps",
        "6000",
        "--voting-period",
        "60s",
        "--min-price",
        "1",
        "--max-score",
        "1000",
    ]);
    let pool = s(&pool_v, "pool");
    e.ok(&[
        "-k",
        &curator,
        "attestor",
        "add",
        &pool,
        &attestor_kp.pubkey().to_string(),
    ]);
    // Text output works too (the explorer-style summary).
    let text = Command::new(datapool_bin())
        .args(["-u", &e.url, "pool", "show", &pool])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Total weight") && text.contains("e2e"),
        "{text}"
    );

    // Attestor signs, contributors submit (the third through a relayer, holding no SOL).
    for (i, ((k, path), score)) in people.iter().zip([100u64, 300, 600]).enumerate() {
        let att = e.dir.0.join(format!("att{i}.json")).display().to_string();
        e.ok(&[
            "attest",
            "--pool",
            &pool,
            "--contributor",
            &k.pubkey().to_string(),
            "--data-hash",
            &format!("{:064x}", i + 7),
            "--score",
            &score.to_string(),
            "--attestor-keypair",
            &attestor,
            "--out",
            &att,
        ]);
        let mut args = vec![
            "-k",
            path.as_str(),
            "contribute",
            pool.as_str(),
            "--attestation",
            att.as_str(),
        ];
        if i == 2 {
            args.splice(0..0, ["--fee-payer", curator.as_str()]);
        }
        let c = e.ok(&args);
        assert_eq!(n(&c, "weight"), score);
        assert!(
            c["events"]
                .as_array()
                .is_some_and(|ev| ev.iter().any(|x| x["name"] == "ContributionSubmitted")),
            "{c}"
        );
    }

    // Buyer: two offers paid into escrow.
    let terms = e.file(
        "terms.txt",
        b"listening histories, 12 months, model training",
    );
    let o0 = s(
        &e.ok(&[
            "-k", &buyer, "-y", "offer", "create", &pool, "--price", "55000", "--terms", &terms,
        ]),
        "offer",
    );
    let o1 = s(
        &e.ok(&[
            "-k", &buyer, "-y", "offer", "create", &pool, "--price", "1000", "--terms", &terms,
        ]),
        "offer",
    );
    assert_eq!(balance(&buyer_ata), 44_000 * USDC);

    // Votes: everyone approves offer 0 and rejects offer 1 (both decided early).
    for (i, (_, path)) in people.iter().enumerate() {
        let mut pre = vec!["-k", path.as_str(), "-y"];
        if i == 2 {
            pre.extend(["--fee-payer", curator.as_str()]);
        }
        e.ok(&[pre.as_slice(), &["vote", &o0, "--approve"]].concat());
        e.ok(&[pre.as_slice(), &["vote", &o1, "--reject"]].concat());
    }
    // Voting twice: refused, exit 1, tally unchanged.
    let err = e.fails(
        &["-k", &people[0].1, "-y", "vote", &o0, "--reject"],
        1,
        "already voted",
    );
    assert_eq!(err["exitCode"], 1);
    assert_eq!(s(&e.ok(&["offer", "show", &o0]), "noWeight"), "0");

    let f0 = e.ok(&["-k", &curator, "-y", "offer", "finalize", &o0]);
    assert_eq!(s(&f0, "state"), "accepted");
    let f1 = e.ok(&["-k", &curator, "-y", "offer", "finalize", &o1]);
    assert_eq!(s(&f1, "state"), "rejected");
    assert_eq!(
        balance(&buyer_ata),
        45_000 * USDC,
        "rejected offer refunded"
    );
    // The 5 % fee waits in the pool's fee vault; the curator withdraws it.
    let w = e.ok(&["-k", &curator, "-y", "pool", "withdraw-fees", &pool]);
    assert_eq!(n(&w, "amount"), 2_750 * USDC);
    assert_eq!(balance(&curator_ata), 2_750 * USDC, "5% fee");

    // Claims into associated token accounts the command creates.
    for ((k, path), expect) in people
        .iter()
        .zip([5_225 * USDC, 15_675 * USDC, 31_350 * USDC])
    {
        let c = e.ok(&["-k", path, "-y", "--fee-payer", &curator, "claim", &pool]);
        assert_eq!(n(&c, "amount"), expect);
        assert_eq!(
            balance(&token::associated_address(&k.pubkey(), &mint.pubkey(), &tp)),
            expect
        );
        let me = e.ok(&["contributor", "show", &pool, &k.pubkey().to_string()]);
        assert_eq!(n(&me, "owed"), 0);
        assert_eq!(n(&me, "claimed"), expect);
    }
    let p = e.ok(&["pool", "show", &pool]);
    assert_eq!(n(&p, "vaultBalance"), 0);
    assert_eq!(n(&p, "acceptedOfferCount"), 1);
    assert_eq!(
        e.ok(&["offer", "list", &pool, "--state", "rejected"])
            .as_array()
            .map(Vec::len),
        Some(1)
    );

    // Proof of contribution: the attestor service scores a Spotify export, the contributor
    // submits it in one command; the same export again is refused as duplicate data.
    let (mut service, service_err, _) = spawn_datapool(&[
        "-u",
        &e.url,
        "-k",
        &attestor,
        "attestor",
        "serve",
        "--pool",
        &pool,
        "--bind",
        "127.0.0.1:18787",
    ]);
    wait_for_line(&service_err, "serving", 30);
    let export = e.dir.0.join("export");
    std::fs::create_dir_all(&export).expect("dir");
    data_pool_tests::spotify::account_export(&export);
    let (dora_kp, dora) = e.keypair("dora");
    rt.block_on(chain.airdrop(&dora_kp.pubkey(), SOL))
        .expect("airdrop");
    let export_s = export.display().to_string();
    let contribute = [
        "-k",
        &dora,
        "contribute",
        &pool,
        "--file",
        &export_s,
        "--attestor-url",
        "http://127.0.0.1:18787",
    ];
    let c = e.ok(&contribute);
    assert_eq!(n(&c, "weight"), 872, "the documented score of the fixture");
    e.fails(&contribute, 2, "DuplicateData");
    let _ = service.kill();
    let _ = service.wait();

    // The auditor: state and history agree on the validator too (exit 0).
    let audit = e.ok(&[
        "audit",
        &pool,
        "--html",
        &e.dir.0.join("audit.html").display().to_string(),
    ]);
    assert_eq!(audit["ok"], true, "{audit:#}");
    let history = &audit["history"];
    assert!(n(history, "transactions") >= 15, "{history}");
    assert!(
        history["checks"]
            .as_array()
            .is_some_and(|c| c.iter().all(|x| x["ok"] == true)),
        "{history:#}"
    );
    let events = e.ok(&["events", &pool]);
    assert_eq!(
        events
            .as_array()
            .and_then(|v| v.first())
            .map(|x| x["name"].clone()),
        Some("PoolCreated".into())
    );
    let r = Command::new(datapool_bin())
        .args(["-u", "http://127.0.0.1:9", "audit", &pool])
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(2), "could not audit: exit 2");

    // Live events over PubSub: start following, act, read the event, stop with Ctrl-C.
    let (mut follower, follower_err, _) = spawn_datapool(&[
        "-u",
        &e.url,
        "--output",
        "json-compact",
        "events",
        &pool,
        "--follow",
    ]);
    wait_for_line(&follower_err, "following", 30);
    let (line_rx, _) = watch(follower.stdout.take().expect("stdout"));
    e.ok(&["-k", &curator, "pool", "pause", &pool]);
    e.ok(&["-k", &curator, "pool", "unpause", &pool]);
    let first: Value = serde_json::from_str(
        &line_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("a live event"),
    )
    .expect("JSON line");
    assert_eq!(first["name"], "PoolPauseChanged", "{first}");
    assert_eq!(first["data"]["paused"], true);
    let status = Command::new("kill")
        .args(["-INT", &follower.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    assert_eq!(
        follower.wait().expect("exit").code(),
        Some(0),
        "Ctrl-C ends --follow cleanly"
    );

    // Bad input: one clear message, non-zero exit, nothing sent.
    e.fails(
        &["-k", "/nonexistent.json", "claim", &pool],
        2,
        "cannot read keypair",
    );
    e.fails(
        &["pool", "show", &mint.pubkey().to_string()],
        2,
        "is not a pool",
    );
    e.fails(
        &[
            "-k", &buyer, "-y", "offer", "create", &pool, "--price", "50000", "--terms", &terms,
        ],
        1,
        "insufficient funds",
    );
    let other = e.keypair("nobody").0.pubkey().to_string();
    e.fails(
        &["-k", &people[0].1, "-y", "claim", &pool, "--to", &other],
        2,
        "does not exist",
    );
    let r = Command::new(datapool_bin())
        .args(["-u", "http://127.0.0.1:9", "pool", "show", &pool])
        .output()
        .expect("run");
    assert_eq!(
        r.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(String::from_utf8_lossy(&r.stderr).contains("cannot reach the node"));

    // The demo against this node (the same code as on the embedded chain).
    let started = Instant::now();
    let d = e.ok(&[
        "-k",
        &curator,
        "demo",
        "--contributors",
        "24",
        "--turnout",
        "80",
    ]);
    eprintln!(
        "demo with 24 contributors on the validator: {:?}, {} transactions",
        started.elapsed(),
        n(&d, "transactions")
    );
    assert_eq!(s(&d, "outcome"), "accepted");
    assert_eq!(n(&d, "claimed") + n(&d, "vaultDust"), n(&d, "distributed"));
    assert!(
        d["invariants"]
            .as_array()
            .is_some_and(|c| c.len() == 8 && c.iter().all(|x| x["ok"] == true)),
        "{d}"
    );

    // The node goes away in the middle of a demo: exit 3, a message naming the node.
    let (mut demo, demo_err, reader) = spawn_datapool(&[
        "-u",
        &e.url,
        "-k",
        &curator,
        "demo",
        "--contributors",
        "300",
    ]);
    wait_for_line(&demo_err, " pool ", 60);
    std::thread::sleep(Duration::from_millis(1_500));
    drop(v); // the validator goes away mid-run
    let started = Instant::now();
    let status = demo.wait().expect("demo exit");
    let stderr = reader.join().expect("stderr");
    assert_eq!(status.code(), Some(3), "demo exit code; stderr:\n{stderr}");
    assert!(stderr.contains("cannot reach the node"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "gave up after {:?}",
        started.elapsed()
    );
}
