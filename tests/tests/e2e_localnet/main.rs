//! End to end on a real validator: agave's test validator (`localnet/`) with the built program,
//! driven by the real `datapool` binary. A pool with three contributors, two offers (one
//! accepted, one rejected), claims with exact balances, `--output json` parsed throughout, the
//! error cases, and the node going away mid-run — told as named steps over one [`Sale`].
//!
//! Ignored by plain `cargo test`: it needs the validator binary and a private network namespace
//! (agave binds 0.0.0.0). `scripts/e2e.sh` provides both and runs it; `./scripts/test.sh` calls
//! that script.

mod harness;
mod new_user;
mod offline;
mod service;

use std::process::Command;
use std::time::{Duration, Instant};

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::rpc::RpcChain;
use data_pool_client::chain::Chain;
use data_pool_client::story::{Silent, Stage};
use data_pool_client::{query, token, PROGRAM_ID};
use harness::*;
use serde_json::Value;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Everything the steps share: the user's side, the node, the wallets, the market and what the
/// steps made so far.
pub(crate) struct Sale {
    e: E2e,
    rt: tokio::runtime::Runtime,
    chain: RpcChain,
    curator: String,
    attestor: String,
    attestor_key: Pubkey,
    buyer: String,
    people: Vec<(Keypair, String)>,
    mint: Pubkey,
    token_program: Pubkey,
    curator_ata: Pubkey,
    buyer_ata: Pubkey,
    pool: String,
    offers: Vec<String>,
    terms: String,
    /// The S3-protocol server records and deliveries are stored in.
    s3: data_pool_tests::s3::S3Server,
}

impl Sale {
    fn balance(&self, a: &Pubkey) -> u64 {
        self.rt
            .block_on(query::token_account(&self.chain, a))
            .map(|t| t.amount)
            .unwrap_or(0)
    }

    /// Lamports of `a` (0 when it does not exist).
    fn lamports(&self, a: &Pubkey) -> u64 {
        use data_pool_client::chain::Chain;
        self.rt
            .block_on(self.chain.get_account(a))
            .expect("get_account")
            .map_or(0, |acct| acct.lamports)
    }
}

#[test]
#[ignore = "needs the local validator: run scripts/e2e.sh"]
fn three_contributors_two_offers_claims_and_errors_on_a_real_validator() {
    let v = start_validator(18899);
    let mut sale = wallets_and_market(&v);
    curator_creates_the_pool(&mut sale);
    contributors_submit_attested_data(&sale);
    buyer_makes_two_offers(&mut sale);
    contributors_vote_and_offers_settle(&sale);
    fee_and_claims_pay_exactly(&sale);
    service::attestor_service_attests_an_export(&sale);
    a_relayed_contributor_leaves(&sale);
    auditor_agrees_with_the_history(&sale);
    events_follow_live(&sale);
    bad_input_is_refused(&sale);
    new_user::a_new_user_starts_from_nothing(&sale);
    offline::a_curator_signs_offline_and_a_relayer_sends(&sale);
    offline::a_hardware_wallet_approves_once(&sale);
    demo_runs_on_the_node(&sale);
    node_going_away_mid_demo_exits_3(&sale, v);
}

/// Wallets, SOL from the faucet, and the story engine's market: a USDC-like mint, the curator's
/// token account and the buyer's funds.
fn wallets_and_market(v: &Validator) -> Sale {
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
    let (curator_kp, curator) = e.keypair("curator");
    let (attestor_kp, attestor) = e.keypair("attestor");
    let (buyer_kp, buyer) = e.keypair("buyer");
    let people: Vec<(Keypair, String)> = (0..3).map(|i| e.keypair(&format!("c{i}"))).collect();
    let market = {
        let stage = Stage::new(&chain, PROGRAM_ID, curator_kp.insecure_clone(), &Silent);
        rt.block_on(async {
            stage.ensure_funded(100 * SOL).await?;
            chain.airdrop(&buyer_kp.pubkey(), SOL).await?;
            for (k, _) in &people[..2] {
                chain.airdrop(&k.pubkey(), SOL).await?;
            }
            stage
                .market(6, buyer_kp.insecure_clone(), 100_000 * USDC)
                .await
        })
        .expect("wallets and market")
    };
    Sale {
        mint: market.mint.pubkey(),
        token_program: market.token_program,
        curator_ata: market.payer_account,
        buyer_ata: market.buyer_account,
        attestor_key: attestor_kp.pubkey(),
        e,
        rt,
        chain,
        curator,
        attestor,
        buyer,
        people,
        pool: String::new(),
        offers: vec![],
        terms: String::new(),
        s3: {
            // A real S3-protocol server on loopback; the `datapool` processes inherit its
            // AWS_* settings.
            let s3 = data_pool_tests::s3::start("datapool");
            s3.export_env();
            s3
        },
    }
}

/// The curator creates the pool and registers the attestor; text output works too.
fn curator_creates_the_pool(x: &mut Sale) {
    let mint = x.mint.to_string();
    let pool_v = x.e.ok(&[
        "-k",
        &x.curator,
        "-y",
        "pool",
        "create",
        "e2e",
        "--mint",
        &mint,
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
    x.pool = s(&pool_v, "pool");
    let key = x.attestor_key.to_string();
    x.e.ok(&["-k", &x.curator, "attestor", "add", &x.pool, &key]);
    // The curator runs the pool's data service itself: its key is the custodian.
    let curator_key = s(
        &x.e.ok(&["-k", &x.curator, "pool", "show", &x.pool]),
        "authority",
    );
    x.e.ok(&["-k", &x.curator, "custodian", "add", &x.pool, &curator_key]);
    let text = Command::new(datapool_bin())
        .args(["-u", &x.e.url, "pool", "show", &x.pool])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Total weight") && text.contains("e2e"),
        "{text}"
    );
}

/// The attestor signs; contributors submit (the third through a relayer, holding no SOL).
fn contributors_submit_attested_data(x: &Sale) {
    let e = &x.e;
    let store = data_pool_client::store::Store::open(&x.s3.url("e2e")).expect("store");
    let curator = data_pool_cli::signer::read_keypair(std::path::Path::new(&x.curator))
        .expect("curator")
        .pubkey();
    for (i, ((k, path), score)) in x.people.iter().zip([100u64, 300, 600]).enumerate() {
        let att = e.dir.0.join(format!("att{i}.json")).display().to_string();
        // The contributor's records, stored sealed to the custodian (the curator), as the data
        // service stores an upload.
        let r = data_pool_client::story::synthetic_records(0xE2E, i as u64, 30);
        let sealed = data_pool_client::seal::seal(&r.to_bytes(), &[curator]).expect("seal");
        let key = data_pool_client::store::records_key(&x.pool.parse().expect("pool"), &r.hash());
        x.rt.block_on(store.put(&key, sealed))
            .expect("store records in S3");
        e.ok(&[
            "attest",
            "--pool",
            &x.pool,
            "--contributor",
            &k.pubkey().to_string(),
            "--identity",
            &hex::encode(data_pool_tests::person(&r.hash())),
            "--data-hash",
            &hex::encode(r.hash()),
            "--score",
            &score.to_string(),
            "--attestor-keypair",
            &x.attestor,
            "--out",
            &att,
        ]);
        let mut args = vec![
            "-k",
            path.as_str(),
            "contribute",
            x.pool.as_str(),
            "--attestation",
            att.as_str(),
        ];
        if i == 2 {
            args.splice(0..0, ["--fee-payer", x.curator.as_str()]);
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
}

/// The buyer makes two offers, paid into escrow.
fn buyer_makes_two_offers(x: &mut Sale) {
    x.terms = x.e.file(
        "terms.txt",
        b"listening histories, 12 months, model training",
    );
    for price in ["55000", "1000"] {
        let o = x.e.ok(&[
            "-k", &x.buyer, "-y", "offer", "create", &x.pool, "--price", price, "--terms", &x.terms,
        ]);
        x.offers.push(s(&o, "offer"));
    }
    assert_eq!(x.balance(&x.buyer_ata), 44_000 * USDC);
}

/// Everyone approves offer 0 and rejects offer 1 (both decided early); voting twice is refused
/// with exit 1 and the tally unchanged; finalize approves one (the custodian delivers it, which
/// pays it out, and the buyer verifies the delivery) and refunds the other.
fn contributors_vote_and_offers_settle(x: &Sale) {
    let (e, o0, o1) = (&x.e, &x.offers[0], &x.offers[1]);
    for (i, (_, path)) in x.people.iter().enumerate() {
        let mut pre = vec!["-k", path.as_str(), "-y"];
        if i == 2 {
            pre.extend(["--fee-payer", x.curator.as_str()]);
        }
        e.ok(&[pre.as_slice(), &["vote", o0, "--approve"]].concat());
        e.ok(&[pre.as_slice(), &["vote", o1, "--reject"]].concat());
    }
    let err = e.fails(
        &["-k", &x.people[0].1, "-y", "vote", o0, "--reject"],
        1,
        "already voted",
    );
    assert_eq!(err["exitCode"], 1);
    assert_eq!(e.ok(&["offer", "show", o0])["noWeight"], 0);
    let f0 = e.ok(&["-k", &x.curator, "-y", "offer", "finalize", o0]);
    assert_eq!(s(&f0, "state"), "awaiting-delivery");
    // The custodian delivers the approved sale; the buyer fetches and verifies the delivery.
    let store = x.s3.url("e2e");
    let d = e.ok(&[
        "-k",
        &x.curator,
        "-y",
        "custodian",
        "deliver",
        o0,
        "--store",
        &store,
        "--terms",
        &x.terms,
    ]);
    assert_eq!(d["contributions"], 3);
    assert_eq!(s(&e.ok(&["offer", "show", o0]), "state"), "accepted");
    let out = e.dir.0.join("bought").display().to_string();
    let f = e.ok(&[
        "-k", &x.buyer, "dataset", "fetch", o0, "--store", &store, "--out", &out,
    ]);
    assert_eq!(f["contributions"], 3);
    assert_eq!(f["rows"], 90);
    let f1 = e.ok(&["-k", &x.curator, "-y", "offer", "finalize", o1]);
    assert_eq!(s(&f1, "state"), "rejected");
    assert_eq!(
        x.balance(&x.buyer_ata),
        45_000 * USDC,
        "rejected offer refunded"
    );
}

/// The 5 % fee waits in the pool's fee vault until the curator withdraws it; claims go into
/// associated token accounts the command creates, to the base unit.
fn fee_and_claims_pay_exactly(x: &Sale) {
    let e = &x.e;
    let w = e.ok(&["-k", &x.curator, "-y", "pool", "withdraw-fees", &x.pool]);
    assert_eq!(n(&w, "amount"), 2_750 * USDC);
    assert_eq!(x.balance(&x.curator_ata), 2_750 * USDC, "5% fee");
    for ((k, path), expect) in x
        .people
        .iter()
        .zip([5_225 * USDC, 15_675 * USDC, 31_350 * USDC])
    {
        let c = e.ok(&[
            "-k",
            path,
            "-y",
            "--fee-payer",
            &x.curator,
            "claim",
            &x.pool,
        ]);
        assert_eq!(n(&c, "amount"), expect);
        let ata = token::associated_address(&k.pubkey(), &x.mint, &x.token_program);
        assert_eq!(x.balance(&ata), expect);
        let me = e.ok(&["contributor", "show", &x.pool, &k.pubkey().to_string()]);
        assert_eq!(n(&me, "owed"), 0);
    }
    let p = e.ok(&["pool", "show", &x.pool]);
    assert_eq!(n(&p, "vaultBalance"), 0);
    assert_eq!(n(&p, "acceptedOfferCount"), 1);
    let rejected = e.ok(&["offer", "list", &x.pool, "--state", "rejected"]);
    assert_eq!(rejected.as_array().map(Vec::len), Some(1));

    // The rejected offer closes (the curator runs it): its rent goes to the buyer who paid it,
    // to the lamport; it holds only its fields' rent (the vote bitmap's went back at finalize).
    let o1: Pubkey = x.offers[1].parse().expect("offer");
    let buyer: Pubkey = s(&e.ok(&["offer", "show", &x.offers[1]]), "buyer")
        .parse()
        .expect("buyer");
    let (rent, buyer_before) = (x.lamports(&o1), x.lamports(&buyer));
    let c = e.ok(&["-k", &x.curator, "-y", "offer", "close", &x.offers[1]]);
    assert_eq!((n(&c, "lamports"), rent), (5_505_360, 5_505_360));
    assert_eq!(x.lamports(&o1), 0);
    assert_eq!(x.lamports(&buyer), buyer_before + rent);
    assert_eq!(n(&e.ok(&["pool", "show", &x.pool]), "closedOfferCount"), 1);
}

/// The third contributor, whose record the curator paid for (relaying), leaves: its record
/// closes and the curator, who also pays the fee here, gets the deposit back to the lamport.
fn a_relayed_contributor_leaves(x: &Sale) {
    let e = &x.e;
    let (k, path) = &x.people[2];
    let list = e.ok(&[
        "contribution",
        "list",
        &x.pool,
        "--contributor",
        &k.pubkey().to_string(),
    ]);
    let record: Pubkey = s(&list[0], "address").parse().expect("record");
    let curator: Pubkey = s(&list[0], "rentPayer").parse().expect("payer");
    let (rent, before) = (x.lamports(&record), x.lamports(&curator));
    assert_eq!(rent, 2_192_400);
    let left = e.ok(&[
        "-k",
        path,
        "--fee-payer",
        &x.curator,
        "-y",
        "contribution",
        "leave",
        &record.to_string(),
    ]);
    assert_eq!(n(&left, "rentReturned"), rent);
    assert_eq!(x.lamports(&record), 0);
    // Two signatures (the curator's and the contributor's) at 5,000 lamports each.
    assert_eq!(x.lamports(&curator), before + rent - 10_000);
    let p = e.ok(&["pool", "show", &x.pool]);
    assert_eq!(n(&p, "closedContributorCount"), 1);
}

/// The auditor: state and history agree on the validator too (exit 0); a node it cannot reach
/// means it could not audit (exit 2).
fn auditor_agrees_with_the_history(x: &Sale) {
    let e = &x.e;
    let html = e.dir.0.join("audit.html").display().to_string();
    let audit = e.ok(&["audit", &x.pool, "--html", &html]);
    assert_eq!(audit["ok"], true, "{audit:#}");
    let history = &audit["history"];
    assert!(n(history, "transactions") >= 15, "{history}");
    assert!(
        history["checks"]
            .as_array()
            .is_some_and(|c| c.iter().all(|x| x["ok"] == true)),
        "{history:#}"
    );
    let events = e.ok(&["events", &x.pool]);
    let first = events
        .as_array()
        .and_then(|v| v.first())
        .map(|x| x["name"].clone());
    assert_eq!(first, Some("PoolCreated".into()));
    let r = Command::new(datapool_bin())
        .args(["-u", "http://127.0.0.1:9", "audit", &x.pool])
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(2), "could not audit: exit 2");
}

/// Live events over PubSub: start following, act, read the event, stop with Ctrl-C.
fn events_follow_live(x: &Sale) {
    let e = &x.e;
    let (mut follower, follower_err, _) = spawn_datapool(&[
        "-u",
        &e.url,
        "--output",
        "json-compact",
        "events",
        &x.pool,
        "--follow",
    ]);
    wait_for_line(&follower_err, "following", 30);
    let (line_rx, _) = watch(follower.stdout.take().expect("stdout"));
    e.ok(&["-k", &x.curator, "pool", "pause", &x.pool]);
    e.ok(&["-k", &x.curator, "pool", "unpause", &x.pool]);
    let line = line_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a live event");
    let first: Value = serde_json::from_str(&line).expect("JSON line");
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
}

/// Bad input: one clear message, the right exit code, nothing sent.
fn bad_input_is_refused(x: &Sale) {
    let e = &x.e;
    e.fails(
        &["-k", "/nonexistent.json", "claim", &x.pool],
        2,
        "cannot read keypair",
    );
    e.fails(&["pool", "show", &x.mint.to_string()], 2, "is not a pool");
    e.fails(
        &[
            "-k", &x.buyer, "-y", "offer", "create", &x.pool, "--price", "50000", "--terms",
            &x.terms,
        ],
        1,
        "insufficient funds",
    );
    let other = e.keypair("nobody").0.pubkey().to_string();
    e.fails(
        &["-k", &x.people[0].1, "-y", "claim", &x.pool, "--to", &other],
        2,
        "does not exist",
    );
    let r = Command::new(datapool_bin())
        .args(["-u", "http://127.0.0.1:9", "pool", "show", &x.pool])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("cannot reach the node"));
}

/// The demo against this node: the same story engine as on the embedded chain.
fn demo_runs_on_the_node(x: &Sale) {
    let started = Instant::now();
    let d = x.e.ok(&[
        "-k",
        &x.curator,
        "demo",
        "--contributors",
        "24",
        "--turnout",
        "80",
        "--store",
        &x.s3.url("demo"),
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
            .is_some_and(|c| c.len() == 9 && c.iter().all(|x| x["ok"] == true)),
        "{d}"
    );
    assert_eq!(n(&d, "deliveredContributions"), 24);
    // Every contributor left with its deposit back; on a node the pool is wound down and closes
    // only after its claim window (a year), so it stays locked until then.
    let end = &d["ending"];
    assert_eq!(n(end, "left"), 24);
    assert_eq!(n(end, "depositsReturned"), 24 * 2_192_400);
    assert_eq!(end["closed"], false, "{d}");
    assert!(n(end, "claimsEnd") > 0);
    assert!(n(&d, "deliveredRows") > 24, "{d}");
    assert!(s(&d, "store").starts_with("s3://"));
    assert!(
        d["historyChecks"]
            .as_array()
            .is_some_and(|c| c.len() == 13 && c.iter().all(|x| x["ok"] == true)),
        "{d}"
    );
}

/// The node goes away in the middle of a demo: exit 3, a message naming the node, promptly.
fn node_going_away_mid_demo_exits_3(x: &Sale, v: Validator) {
    let (mut demo, demo_err, reader) = spawn_datapool(&[
        "-u",
        &x.e.url,
        "-k",
        &x.curator,
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
