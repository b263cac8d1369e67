//! The CLI suites' fixtures: a pool after a demo-like life ([`scenario`]) and a pool ready for
//! every command ([`setup`]), both driven through the CLI on an embedded chain.

use anchor_lang::prelude::Pubkey;
use solana_signer::Signer;

use crate::cli::{n, s, CliEnv};

/// A pool after a demo-like life, driven through the CLI: 4 contributors (one revoked later),
/// an accepted sale, a rejected one, an open offer holding its escrow, claims and a closed vote.
pub struct Scenario {
    /// The pool.
    pub pool: String,
    /// The accepted, rejected and open offers.
    pub offers: [String; 3],
    /// Contributor wallets.
    pub wallets: Vec<Pubkey>,
    /// The curator's keypair file.
    pub curator: String,
}

/// Builds a [`Scenario`] on `env`.
pub fn scenario(env: &CliEnv) -> Scenario {
    let made = env.cli_pool(
        "s-",
        "audited",
        &["--quorum-bps", "3000", "--voting-period", "1d"],
    );
    let (pool, curator, attestor) = (made.pool, made.curator, made.attestor);
    let (buyer_kp, buyer) = env.keypair("s-buyer", 10);
    env.token_account(&made.mint, &buyer_kp.pubkey(), 1_000_000_000_000);
    let store = env.path("s-store");
    let mut people = Vec::new();
    let mut first_data = String::new();
    for (i, score) in [120u64, 340, 560, 780].into_iter().enumerate() {
        let (kp, path) = env.keypair(&format!("s-c{i}"), 2);
        let att = env.path(&format!("s-att{i}.json"));
        let data = env.records(&store, &pool, &made.custodian, 100 + i as u64);
        if i == 0 {
            first_data = data.clone();
        }
        env.attest(&pool, &kp.pubkey(), &data, score, &attestor, &att, &[]);
        env.ok(&["-k", &path, "contribute", &pool, "--attestation", &att]);
        people.push((kp.pubkey(), path));
    }
    let terms = env.write("s-terms.txt", b"terms");
    let offer = |price: &str| {
        s(
            &env.ok(&[
                "-k", &buyer, "-y", "offer", "create", &pool, "--price", price, "--terms", &terms,
            ]),
            "offer",
        )
        .to_string()
    };
    let (accepted, rejected) = (offer("55000"), offer("700"));
    // Everyone votes until the votes decide each offer (later votes are refused).
    let undecided = |offer: &str| env.ok(&["offer", "show", offer])["decision"].is_null();
    for (_, path) in &people {
        if undecided(&accepted) {
            env.ok(&["-k", path, "-y", "vote", &accepted, "--approve"]);
        }
        if undecided(&rejected) {
            env.ok(&["-k", path, "-y", "vote", &rejected, "--reject"]);
        }
    }
    env.ok(&["-k", &curator, "-y", "offer", "finalize", &accepted]);
    env.ok(&[
        "-k",
        &made.custodian,
        "--fee-payer",
        &curator,
        "-y",
        "custodian",
        "deliver",
        &accepted,
        "--store",
        &store,
        "--terms",
        &terms,
    ]);
    env.ok(&["-k", &curator, "-y", "offer", "finalize", &rejected]);
    for (_, path) in &people[..3] {
        env.ok(&["-k", path, "-y", "claim", &pool]);
    }
    // The first contributor brings newer data of hers: it replaces her contribution (the same
    // record, her identity), 120 → 150.
    let first: [u8; 32] = hex::decode(&first_data)
        .ok()
        .and_then(|h| h.try_into().ok())
        .expect("hash");
    let newer = env.records(&store, &pool, &made.custodian, 200);
    let att = env.path("s-att-newer.json");
    let (wallet, identity) = (people[0].0.to_string(), hex::encode(crate::person(&first)));
    env.ok(&[
        "attest",
        "--pool",
        &pool,
        "--contributor",
        &wallet,
        "--identity",
        &identity,
        "--data-hash",
        &newer,
        "--score",
        "150",
        "--attestor-keypair",
        &attestor,
        "--out",
        &att,
    ]);
    let replaced = env.ok(&[
        "-k",
        &people[0].1,
        "contribute",
        &pool,
        "--attestation",
        &att,
    ]);
    assert_eq!(replaced["replaced"], 120);
    let leaving = s(
        &env.ok(&[
            "contribution",
            "list",
            &pool,
            "--contributor",
            &people[3].0.to_string(),
        ])[0],
        "address",
    )
    .to_string();
    env.ok(&["-k", &people[3].1, "-y", "contribution", "leave", &leaving]);
    let open = offer("1000");
    env.ok(&["-k", &people[1].1, "-y", "vote", &open, "--approve"]);
    Scenario {
        pool,
        offers: [accepted, rejected, open],
        wallets: people.iter().map(|(k, _)| *k).collect(),
        curator,
    }
}

/// One USDC in base units (6 decimals).
pub const USDC: u64 = 1_000_000;

/// A pool with a curator, an attestor and three contributors (scores 100, 300, 600), one of
/// them submitted through a relayer (`--fee-payer`) with a wallet holding no SOL.
pub struct Setup {
    /// The CLI environment.
    pub env: CliEnv,
    pub mint: String,
    pub pool: String,
    pub curator: String,
    pub attestor: String,
    pub attestor_key: String,
    /// The registered custodian's keypair path.
    pub custodian: String,
    /// Contributors: (wallet, keypair path).
    pub people: Vec<(String, String)>,
    /// The buyer's keypair path.
    pub buyer: String,
    /// The buyer's funded token account.
    pub buyer_ata: String,
    /// The store holding the contributors' records.
    pub store: String,
}

/// Makes the pool of [`Setup`] through the CLI.
pub fn setup() -> Setup {
    let env = CliEnv::new();
    let made = env.cli_pool(
        "",
        "unwrapped",
        &[
            "--fee-bps",
            "500",
            "--quorum-bps",
            "3000",
            "--approval-bps",
            "6000",
            "--voting-period",
            "2d",
            "--min-price",
            "10",
            "--max-score",
            "1000",
        ],
    );
    let (pool, curator, attestor) = (
        made.pool.clone(),
        made.curator.clone(),
        made.attestor.clone(),
    );
    let (buyer_kp, buyer) = env.keypair("buyer", 10);
    let buyer_ata = env.token_account(&made.mint, &buyer_kp.pubkey(), 100_000 * USDC);
    let store = env.path("store");
    let mut people = Vec::new();
    for (i, score) in [100u64, 300, 600].into_iter().enumerate() {
        let relayed = i == 2;
        let (kp, path) = env.keypair(&format!("contributor{i}"), if relayed { 0 } else { 5 });
        let att = env.path(&format!("att{i}.json"));
        let hash = env.records(&store, &pool, &made.custodian, i as u64);
        let w = env.attest(&pool, &kp.pubkey(), &hash, score, &attestor, &att, &[]);
        assert_eq!(n(&w, "score"), score);
        let mut args = vec![
            "-k",
            path.as_str(),
            "-y",
            "contribute",
            pool.as_str(),
            "--attestation",
            att.as_str(),
        ];
        if relayed {
            args.splice(0..0, ["--fee-payer", curator.as_str()]);
        }
        let c = env.ok(&args);
        assert_eq!(n(&c, "weight"), score);
        people.push((kp.pubkey().to_string(), path));
    }
    Setup {
        env,
        mint: made.mint.to_string(),
        pool,
        curator,
        attestor,
        attestor_key: made.attestor_key.to_string(),
        custodian: made.custodian.clone(),
        people,
        buyer,
        buyer_ata: buyer_ata.to_string(),
        store,
    }
}
