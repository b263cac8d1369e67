//! The `datapool` CLI against the embedded chain: every command, its JSON output, the state it
//! leaves, and the errors a person meets (clear message, right exit code, nothing changed).

use anchor_lang::prelude::Pubkey;
use data_pool_cli::{EXIT_FAILED, EXIT_INPUT};
use data_pool_tests::cli::{n, s, setup, CliEnv, USDC};
use solana_signer::Signer;

#[test]
fn pool_attestor_and_contribution_commands() {
    let t = setup();
    let env = &t.env;
    let show = env.ok(&["pool", "show", &t.pool]);
    assert_eq!(s(&show, "name"), "unwrapped");
    assert_eq!(n(&show, "totalWeight"), 1_000);
    assert_eq!(n(&show, "contributorCount"), 3);
    assert_eq!(n(&show, "minOfferPrice"), 10 * USDC);
    assert_eq!(n(&show, "votingPeriod"), 2 * 86_400);
    let list = env.ok(&["pool", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    let attestors = env.ok(&["attestor", "list", &t.pool]);
    assert_eq!(attestors[0]["attestedCount"], 3);
    assert_eq!(s(&attestors[0], "key"), t.attestor_key);

    let all = env.ok(&["contribution", "list", &t.pool]);
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let mine = env.ok(&[
        "contribution",
        "list",
        &t.pool,
        "--contributor",
        &t.people[1].0,
    ]);
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let addr = s(&mine[0], "address").to_string();
    assert_eq!(
        s(&env.ok(&["contribution", "show", &addr]), "status"),
        "active"
    );
    let me = env.ok(&["-k", &t.people[1].1, "contributor", "show", &t.pool]);
    assert_eq!(n(&me, "weight"), 300);
    assert_eq!(s(&me, "share"), "30.0000%");
    let them = env.ok(&["contributor", "list", &t.pool]);
    assert_eq!(them.as_array().map(Vec::len), Some(3));

    // Leave (own; `revoke` is its alias) and invalidate (attestor): weights follow, and the
    // record's rent goes back to whoever paid it.
    let left = env.ok(&["-k", &t.people[1].1, "-y", "contribution", "leave", &addr]);
    assert_eq!(s(&left, "status"), "left");
    assert_eq!(n(&left, "rentReturned"), 2_192_400);
    assert_eq!(n(&env.ok(&["pool", "show", &t.pool]), "totalWeight"), 700);
    let e = env.fails(
        &["-k", &t.people[1].1, "-y", "contribution", "revoke", &addr],
        EXIT_INPUT,
    );
    assert!(e.message.contains("left"), "{}", e.message);
    let other = s(
        &env.ok(&[
            "contribution",
            "list",
            &t.pool,
            "--contributor",
            &t.people[0].0,
        ])[0],
        "address",
    )
    .to_string();
    let e = env.fails(
        &["-k", &t.people[1].1, "-y", "contribution", "revoke", &other],
        EXIT_FAILED,
    );
    assert!(e.message.contains("belongs to"), "{}", e.message);
    env.ok(&[
        "-k",
        &t.attestor,
        "--fee-payer",
        &t.curator,
        "contribution",
        "invalidate",
        &other,
    ]);
    assert_eq!(n(&env.ok(&["pool", "show", &t.pool]), "totalWeight"), 600);

    // Update, pause / unpause, authority hand-over, attestor removal.
    env.ok(&[
        "-k",
        &t.curator,
        "pool",
        "update",
        &t.pool,
        "--fee-bps",
        "250",
        "--voting-period",
        "90s",
    ]);
    let show = env.ok(&["pool", "show", &t.pool]);
    assert_eq!(n(&show, "feeBps"), 250);
    assert_eq!(n(&show, "votingPeriod"), 90);
    let e = env.fails(&["-k", &t.curator, "pool", "update", &t.pool], EXIT_INPUT);
    assert!(e.message.contains("nothing to update"));
    env.ok(&["-k", &t.curator, "pool", "pause", &t.pool]);
    assert_eq!(env.ok(&["pool", "show", &t.pool])["paused"], true);
    // A paused pool refuses contributions: the simulation's program error is decoded.
    let (kp, path) = env.keypair("late", 5);
    let att = env.path("late-att.json");
    env.attest(
        &t.pool,
        &kp.pubkey(),
        &"ab".repeat(32),
        5,
        &t.attestor,
        &att,
        &[],
    );
    let e = env.fails(
        &["-k", &path, "contribute", &t.pool, "--attestation", &att],
        EXIT_FAILED,
    );
    let f = e.failure.as_ref().expect("decoded failure");
    assert_eq!(f.name, "PoolPaused");
    assert!(!e.logs.is_empty(), "program logs are attached");
    env.ok(&["-k", &t.curator, "pool", "unpause", &t.pool]);
    env.ok(&["-k", &path, "contribute", &t.pool, "--attestation", &att]);

    let (new_kp, new_curator) = env.keypair("curator2", 5);
    env.ok(&[
        "-k",
        &t.curator,
        "-y",
        "pool",
        "authority",
        "propose",
        &t.pool,
        &new_kp.pubkey().to_string(),
    ]);
    assert_eq!(
        s(&env.ok(&["pool", "show", &t.pool]), "pendingAuthority"),
        new_kp.pubkey().to_string()
    );
    env.ok(&["-k", &new_curator, "pool", "authority", "accept", &t.pool]);
    assert_eq!(
        s(&env.ok(&["pool", "show", &t.pool]), "authority"),
        new_kp.pubkey().to_string()
    );
    let e = env.fails(&["-k", &t.curator, "pool", "pause", &t.pool], EXIT_FAILED);
    assert_eq!(
        e.failure.as_ref().map(|f| f.name.as_str()),
        Some("Unauthorized")
    );
    env.ok(&[
        "-k",
        &new_curator,
        "attestor",
        "remove",
        &t.pool,
        &t.attestor_key,
    ]);
    assert_eq!(env.ok(&["attestor", "list", &t.pool])[0]["active"], false);
    let _ = &t.mint;
}

#[test]
fn offers_votes_finalize_claims_and_refunds() {
    let t = setup();
    let env = &t.env;
    let terms = env.write(
        "terms.txt",
        b"12 months of listening history for model training",
    );
    let o0 = env.ok(&[
        "-k",
        &t.buyer,
        "-y",
        "offer",
        "create",
        &t.pool,
        "--price",
        "55000",
        "--terms",
        &terms,
        "--terms-uri",
        "https://example.org/t",
    ]);
    let offer0 = s(&o0, "offer").to_string();
    assert_eq!(n(&o0, "price"), 55_000 * USDC);
    assert_eq!(s(&o0, "termsHash").len(), 64);
    let buyer_ata = t.buyer_ata.parse().expect("ata");
    assert_eq!(env.balance(&buyer_ata), 45_000 * USDC);
    let o1 = env.ok(&[
        "-k", &t.buyer, "-y", "offer", "create", &t.pool, "--price", "1000.5", "--terms", &terms,
    ]);
    let offer1 = s(&o1, "offer").to_string();
    let o2 = env.ok(&[
        "-k", &t.buyer, "-y", "offer", "create", &t.pool, "--price", "10", "--terms", &terms,
    ]);
    let offer2 = s(&o2, "offer").to_string();
    assert_eq!(
        env.ok(&["offer", "list", &t.pool]).as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        env.ok(&["offer", "list", &t.pool, "--state", "accepted"])
            .as_array()
            .map(Vec::len),
        Some(0)
    );

    // Offer 2 is cancelled by its buyer before any vote.
    env.ok(&["-k", &t.buyer, "-y", "offer", "cancel", &offer2]);
    assert_eq!(
        s(&env.ok(&["offer", "show", &offer2]), "state"),
        "cancelled"
    );
    assert_eq!(env.balance(&buyer_ata), (45_000 - 1_000) * USDC - 500_000);

    // Votes: offer 0 approved by weights 300 + 600, offer 1 rejected by all.
    for (i, (_, k)) in t.people.iter().enumerate() {
        let choice = if i == 0 { "--reject" } else { "--approve" };
        // The third contributor holds no SOL: a relayer pays (--fee-payer).
        let mut pre: Vec<&str> = vec!["-k", k, "-y"];
        if i == 2 {
            pre.extend(["--fee-payer", t.curator.as_str()]);
        }
        env.ok(&[pre.as_slice(), &["vote", &offer0, choice]].concat());
        env.ok(&[pre.as_slice(), &["vote", &offer1, "--reject"]].concat());
    }
    let shown = env.ok(&["offer", "show", &offer0]);
    assert_eq!(n(&shown, "voterCount"), 3);
    // Weights are JSON numbers.
    assert_eq!(shown["yesWeight"], 900);
    assert_eq!(shown["noWeight"], 100);
    // Voting twice is refused and changes nothing.
    let e = env.fails(
        &["-k", &t.people[1].1, "-y", "vote", &offer0, "--reject"],
        EXIT_FAILED,
    );
    assert!(e.message.contains("already voted"), "{}", e.message);
    assert_eq!(env.ok(&["offer", "show", &offer0])["noWeight"], 100);
    // A stranger cannot vote.
    let (_, stranger) = env.keypair("stranger", 1);
    let e = env.fails(
        &["-k", &stranger, "-y", "vote", &offer0, "--approve"],
        EXIT_FAILED,
    );
    assert!(e.message.contains("cannot vote"), "{}", e.message);

    // Both are decided early (every eligible weight voted): finalize.
    let f0 = env.ok(&[
        "-y",
        "--fee-payer",
        &t.curator,
        "offer",
        "finalize",
        &offer0,
    ]);
    assert_eq!(s(&f0, "state"), "awaiting-delivery");
    assert_eq!(n(&f0, "feePaid"), 0);
    assert!(n(&f0, "deliveryDeadline") > 0);
    // Approved: nothing is paid until the custodian delivers. Only a registered custodian may,
    // and a fetch before delivery is refused.
    let store = t.store.clone();
    let e = env.fails(
        &[
            "-k",
            &t.buyer,
            "-y",
            "custodian",
            "deliver",
            &offer0,
            "--store",
            &store,
            "--terms",
            &terms,
        ],
        EXIT_FAILED,
    );
    assert!(
        e.message.contains("not an active custodian"),
        "{}",
        e.message
    );
    let out = env.path("bought");
    let e = env.fails(
        &[
            "-k", &t.buyer, "dataset", "fetch", &offer0, "--store", &store, "--out", &out,
        ],
        EXIT_FAILED,
    );
    assert!(e.message.contains("not delivered"), "{}", e.message);
    // This offer's terms live at an https URI: the custodian must be given them.
    let e = env.fails(
        &[
            "-k",
            &t.custodian,
            "-y",
            "custodian",
            "deliver",
            &offer0,
            "--store",
            &store,
        ],
        EXIT_INPUT,
    );
    assert!(
        e.message.contains("does not carry its terms"),
        "{}",
        e.message
    );
    // Terms other than the offer's (another slice) are refused before anything is built.
    let e = env.fails(
        &[
            "-k",
            &t.custodian,
            "-y",
            "custodian",
            "deliver",
            &offer0,
            "--store",
            &store,
            "--terms",
            &terms,
            "--slice",
            "aggregate:k=2",
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("committed to"), "{}", e.message);
    let d = env.ok(&[
        "-k",
        &t.custodian,
        "--fee-payer",
        &t.curator,
        "-y",
        "custodian",
        "deliver",
        &offer0,
        "--store",
        &store,
        "--terms",
        &terms,
    ]);
    assert_eq!(n(&d, "contributions"), 3);
    assert_eq!(n(&d, "totalWeight"), 1_000);
    assert_eq!(n(&d, "fee"), 2_750 * USDC);
    assert_eq!(n(&d, "net"), 52_250 * USDC);
    let shown = env.ok(&["offer", "show", &offer0]);
    assert_eq!(s(&shown, "state"), "accepted");
    // Only the buyer can open the delivery.
    let e = env.fails(
        &[
            "-k", &t.curator, "dataset", "fetch", &offer0, "--store", &store, "--out", &out,
        ],
        EXIT_FAILED,
    );
    assert!(
        e.message.contains("encrypted to the offer's buyer"),
        "{}",
        e.message
    );
    // The buyer fetches the delivery: it opens with the buyer's keypair and verifies against
    // the on-chain receipt, down to every contributor's data hash recomputed from the rows.
    let f = env.ok(&[
        "-k", &t.buyer, "dataset", "fetch", &offer0, "--store", &store, "--out", &out,
    ]);
    assert_eq!(n(&f, "contributions"), 3);
    assert_eq!(n(&f, "totalWeight"), 1_000);
    assert_eq!(n(&f, "rows"), 20 + 27 + 34);
    let rows = std::path::Path::new(&out).join("rows.parquet");
    assert!(std::fs::read(&rows).unwrap().starts_with(b"PAR1"));
    // A tampered store is refused, and nothing is written: the manifest...
    let stored = std::path::Path::new(&store)
        .join("deliveries")
        .join(&offer0)
        .join("manifest.json");
    let text = std::fs::read_to_string(&stored).unwrap();
    std::fs::write(
        &stored,
        text.replacen("\"score\": 600", "\"score\": 601", 1),
    )
    .unwrap();
    let out2 = env.path("bought-tampered");
    let fetch2 = [
        "-k", &t.buyer, "dataset", "fetch", &offer0, "--store", &store, "--out", &out2,
    ];
    let e = env.fails(&fetch2, EXIT_FAILED);
    assert!(e.message.contains("does not match"), "{}", e.message);
    assert!(!std::path::Path::new(&out2).exists());
    // ...and the data file.
    std::fs::write(&stored, &text).unwrap();
    let sealed = stored.with_file_name("rows.parquet.age");
    let mut bytes = std::fs::read(&sealed).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&sealed, &bytes).unwrap();
    let e = env.fails(&fetch2, EXIT_FAILED);
    assert!(e.message.contains("does not match"), "{}", e.message);
    assert!(!std::path::Path::new(&out2).exists());
    let cl = env.ok(&["custodian", "list", &t.pool]);
    assert_eq!(n(&cl[0], "deliveredCount"), 1);
    let f1 = env.ok(&[
        "-y",
        "--fee-payer",
        &t.curator,
        "offer",
        "finalize",
        &offer1,
    ]);
    assert_eq!(s(&f1, "state"), "rejected");
    // It says why, and where the buyer's money went.
    assert_eq!(s(&f1, "rejectedBecause"), "voted-down");
    assert_eq!(f1["refunded"], true);
    let text = data_pool_cli::output::render(
        data_pool_cli::OutputFormat::Text,
        &env.report(&["offer", "show", &offer1]).expect("show"),
    );
    assert!(text.contains("rejected"), "{text}");
    let e = env.fails(
        &[
            "-y",
            "--fee-payer",
            &t.curator,
            "offer",
            "finalize",
            &offer1,
        ],
        EXIT_FAILED,
    );
    assert!(e.message.contains("already rejected"));
    // The fee waits in the pool's fee vault until the curator withdraws it.
    let show = env.ok(&["pool", "show", &t.pool]);
    assert_eq!(n(&show, "feeVaultBalance"), 2_750 * USDC);
    let stranger = env.fails(
        &["-k", &t.buyer, "-y", "pool", "withdraw-fees", &t.pool],
        EXIT_FAILED,
    );
    assert!(
        stranger.message.contains("only the curator"),
        "{}",
        stranger.message
    );
    let w = env.ok(&["-k", &t.curator, "-y", "pool", "withdraw-fees", &t.pool]);
    assert_eq!(n(&w, "amount"), 2_750 * USDC);
    let curator_ata: Pubkey = s(&w, "to").parse().expect("destination");
    assert_eq!(env.balance(&curator_ata), 2_750 * USDC);
    let show = env.ok(&["pool", "show", &t.pool]);
    assert_eq!(n(&show, "feeVaultBalance"), 0);
    assert_eq!(s(&show, "totalFeesWithdrawn"), (2_750 * USDC).to_string());
    let e = env.fails(
        &["-k", &t.curator, "-y", "pool", "withdraw-fees", &t.pool],
        EXIT_FAILED,
    );
    assert!(e.message.contains("no fees to withdraw"), "{}", e.message);
    assert_eq!(
        env.balance(&buyer_ata),
        45_000 * USDC - 10 * USDC + 10 * USDC - 10 * USDC + 10 * USDC
    );

    // Refund has nothing to do for an offer refunded at finalize: decoded program error.
    let e = env.fails(
        &[
            "-k",
            &t.buyer,
            "-y",
            "offer",
            "refund",
            &offer1,
            "--to",
            &t.buyer_ata,
        ],
        EXIT_FAILED,
    );
    assert_eq!(
        e.failure.as_ref().map(|f| f.name.as_str()),
        Some("NothingToRefund")
    );

    // Claims: exact shares of 52,250 USDC by weight 100 / 300 / 600, into new token accounts.
    let expect = [5_225 * USDC, 15_675 * USDC, 31_350 * USDC];
    for (i, (wallet, k)) in t.people.iter().enumerate() {
        let before = env.ok(&["contributor", "show", &t.pool, wallet]);
        assert_eq!(n(&before, "owed"), expect[i]);
        let c = env.ok(&["-k", k, "-y", "--fee-payer", &t.curator, "claim", &t.pool]);
        assert_eq!(n(&c, "amount"), expect[i]);
        assert_eq!(env.balance(&s(&c, "to").parse().expect("to")), expect[i]);
        let after = env.ok(&["contributor", "show", &t.pool, wallet]);
        assert_eq!(n(&after, "owed"), 0);
        let e = env.fails(&["-k", k, "-y", "claim", &t.pool], EXIT_FAILED);
        assert!(e.message.contains("nothing to claim"));
    }
    let pool = env.ok(&["pool", "show", &t.pool]);
    assert_eq!(n(&pool, "vaultBalance"), 0);
    assert_eq!(s(&pool, "totalClaimedUi"), "52250");

    // Offers that ended unsold close (anyone may run it), rent to whoever paid it (the buyer
    // here): exactly the offer's rent once voting ended (its vote bitmap went back at
    // finalize).
    let buyer = s(&env.ok(&["offer", "show", &offer1]), "buyer").to_string();
    let c = env.ok(&["-k", &t.curator, "-y", "offer", "close", &offer1]);
    assert_eq!(s(&c, "state"), "rejected");
    assert_eq!(s(&c, "payer"), buyer);
    assert_eq!(
        n(&c, "lamports"),
        5_505_360,
        "rent of the offer's 663 bytes"
    );
    let c = env.ok(&["-k", &t.curator, "-y", "offer", "close", &offer2]);
    assert_eq!(s(&c, "state"), "cancelled");
    env.fails(&["offer", "show", &offer1], EXIT_INPUT);
    assert_eq!(
        n(&env.ok(&["pool", "show", &t.pool]), "closedOfferCount"),
        2
    );
    // The accepted offer is the buyer's license: it stays.
    let e = env.fails(
        &["-k", &t.curator, "-y", "offer", "close", &offer0],
        EXIT_FAILED,
    );
    assert!(e.message.contains("accepted"), "{}", e.message);
}

#[test]
fn pool_apply_is_rerunnable() {
    let env = CliEnv::new();
    let (_, curator) = env.keypair("curator", 50);
    let mint = env.mint();
    let a1 = solana_keypair::Keypair::new().pubkey();
    let a2 = solana_keypair::Keypair::new().pubkey();
    let config = |fee: u16, attestors: &[String], remove: bool| {
        format!(
            "name = \"spotify-2026\"\nmint = \"{mint}\"\nfee_bps = {fee}\nquorum_bps = 5000\napproval_bps = 6000\nvoting_period = \"3d\"\nmin_price = \"100\"\nmax_score = 1000000\nattestors = [{}]\nremove_unlisted_attestors = {remove}\n",
            attestors.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", ")
        )
    };
    let path = env.write(
        "pool.toml",
        config(500, &[a1.to_string(), a2.to_string()], false).as_bytes(),
    );
    let r = env.ok(&["-k", &curator, "pool", "apply", &path]);
    assert_eq!(r["actions"].as_array().map(Vec::len), Some(3), "{r}");
    let pool = s(&r, "pool").to_string();
    let again = env.ok(&["-k", &curator, "pool", "apply", &path]);
    assert_eq!(
        again["actions"].as_array().map(Vec::len),
        Some(0),
        "{again}"
    );
    let path = env.write("pool.toml", config(300, &[a2.to_string()], true).as_bytes());
    let r = env.ok(&["-k", &curator, "pool", "apply", &path]);
    assert_eq!(r["actions"].as_array().map(Vec::len), Some(2), "{r}");
    let show = env.ok(&["pool", "show", &pool]);
    assert_eq!(n(&show, "feeBps"), 300);
    assert_eq!(n(&show, "activeAttestorCount"), 1);
    let bad = env.write("bad.toml", b"name = \"x\"\nfee = 1\n");
    let e = env.fails(&["-k", &curator, "pool", "apply", &bad], EXIT_INPUT);
    assert!(e.message.contains("bad.toml"), "{}", e.message);
}
