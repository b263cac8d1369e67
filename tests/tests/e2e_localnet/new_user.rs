//! A new user on the validator, from an empty home directory, with `datapool` alone: keys for
//! every role (curator, attestor, custodian, contributor, buyer, auditor), SOL from the faucet, a test payout mint and tokens, a pool, an attested
//! contribution, an offer paid into escrow, a vote and the audit.

use std::process::{Command, Stdio};

use data_pool_tests::cli::{n, s};
use serde_json::Value;

use super::harness::datapool_bin;
use super::Sale;

/// `datapool -u URL --output json ARGS` with `HOME` set to `home` and nothing else configured.
fn run(url: &str, home: &std::path::Path, args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(datapool_bin())
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .args(["-u", url, "--output", "json"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run datapool");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

pub(crate) fn a_new_user_starts_from_nothing(x: &Sale) {
    let home = x.e.dir.0.join("new-user-home");
    std::fs::create_dir_all(&home).expect("home");
    let url = x.e.url.as_str();
    let ok = |args: &[&str]| {
        let (code, v, err) = run(url, &home, args);
        assert_eq!(code, 0, "datapool {args:?}: {err}\n{v}");
        v
    };
    let key = |name: &str| home.join(format!("{name}.json")).display().to_string();
    // The curator's key goes where the Solana tools look for it by default.
    let me = ok(&["keypair", "new"]);
    let default_key = home.join(".config/solana/id.json");
    assert!(
        default_key.is_file(),
        "keypair new writes ~/.config/solana/id.json"
    );
    let (code, _, err) = run(url, &home, &["keypair", "new"]);
    assert_eq!(code, 2, "a second `keypair new` must not overwrite: {err}");
    for role in ["attestor", "custodian", "member", "buyer"] {
        ok(&["keypair", "new", "--outfile", &key(role)]);
    }
    let address = |role: &str| s(&ok(&["-k", &key(role), "address"]), "address").to_string();
    let curator = s(&me, "address").to_string();
    // SOL from the faucet for the curator, the member and the buyer (each pays its own fees).
    for who in [curator.clone(), address("member"), address("buyer")] {
        let a = ok(&["airdrop", "2", &who]);
        assert!(n(&a, "balance") >= 2_000_000_000);
    }
    // A test payout mint, the buyer's tokens, and the pool.
    let mint = s(&ok(&["-y", "test-mint", "create"]), "mint").to_string();
    let buyer = address("buyer");
    ok(&["-y", "test-mint", "mint", &mint, "500", "--to", &buyer]);
    let pool = ok(&[
        "-y",
        "pool",
        "create",
        "first-steps",
        "--mint",
        &mint,
        "--voting-period",
        "60s",
        "--quorum-bps",
        "1000",
    ]);
    let pool = s(&pool, "pool").to_string();
    ok(&["attestor", "add", &pool, &address("attestor")]);
    ok(&["custodian", "add", &pool, &address("custodian")]);
    // The attestor signs, the member contributes.
    let att = home.join("member.att.json").display().to_string();
    let member = address("member");
    ok(&[
        "attest",
        "--pool",
        &pool,
        "--contributor",
        &member,
        "--identity",
        &"11".repeat(32),
        "--data-hash",
        &"22".repeat(32),
        "--score",
        "40",
        "--attestor-keypair",
        &key("attestor"),
        "--out",
        &att,
    ]);
    let c = ok(&[
        "-k",
        &key("member"),
        "contribute",
        &pool,
        "--attestation",
        &att,
    ]);
    assert_eq!(n(&c, "weight"), 40);
    // The buyer's offer, paid into escrow; the member votes for it.
    let terms = home.join("terms.txt");
    std::fs::write(&terms, b"first steps").expect("terms");
    let offer = ok(&[
        "-k",
        &key("buyer"),
        "-y",
        "offer",
        "create",
        &pool,
        "--price",
        "100",
        "--terms",
        &terms.display().to_string(),
    ]);
    let offer = s(&offer, "offer").to_string();
    ok(&["-k", &key("member"), "-y", "vote", &offer, "--approve"]);
    let shown = ok(&["offer", "show", &offer]);
    assert_eq!(n(&shown, "yesWeight"), 40);
    // The auditor agrees with the chain.
    let audit = ok(&["audit", &pool]);
    assert_eq!(audit["ok"], true, "{audit}");
}
