//! The errors a person meets at the `datapool` command line: a clear message, the right exit
//! code, and nothing changed on chain.

use data_pool_cli::{EXIT_FAILED, EXIT_INPUT};
use data_pool_tests::cli::{n, s, setup};
use solana_signer::Signer;

#[test]
fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let t = setup();
    let env = &t.env;
    let before = env.ok(&["pool", "show", &t.pool]);
    // Unreadable keypair.
    let e = env.fails(
        &["-k", "/nonexistent/id.json", "claim", &t.pool],
        EXIT_INPUT,
    );
    assert!(e.message.contains("cannot read keypair"), "{}", e.message);
    let junk = env.write("junk.json", b"not a keypair");
    let e = env.fails(&["-k", &junk, "claim", &t.pool], EXIT_INPUT);
    assert!(e.message.contains("not a keypair file"), "{}", e.message);
    // Not an address, no account, not a pool.
    let e = env.fails(&["pool", "show", "xyz"], EXIT_INPUT);
    assert!(
        e.message.contains("not a valid pool address"),
        "{}",
        e.message
    );
    let e = env.fails(
        &[
            "pool",
            "show",
            &solana_keypair::Keypair::new().pubkey().to_string(),
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("no pool at"), "{}", e.message);
    let e = env.fails(&["pool", "show", &t.mint], EXIT_INPUT);
    assert!(e.message.contains("is not a pool"), "{}", e.message);
    // Wrong mint.
    let other_mint = env.mint();
    let (ok_kp, _) = env.keypair("x", 0);
    let wrong_ata = env
        .token_account(&other_mint, &ok_kp.pubkey(), 0)
        .to_string();
    let e = env.fails(
        &["-k", &t.people[0].1, "claim", &t.pool, "--to", &wrong_ata],
        EXIT_INPUT,
    );
    assert!(e.message.contains("but the pool pays in"), "{}", e.message);
    let e = env.fails(
        &[
            "-k",
            &t.curator,
            "-y",
            "pool",
            "withdraw-fees",
            &t.pool,
            "--to",
            &wrong_ata,
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("but the pool pays in"), "{}", e.message);
    // Insufficient funds.
    let terms = env.write("t.txt", b"terms");
    let e = env.fails(
        &[
            "-k", &t.buyer, "-y", "offer", "create", &t.pool, "--price", "100001", "--terms",
            &terms,
        ],
        EXIT_FAILED,
    );
    assert!(e.message.contains("insufficient funds"), "{}", e.message);
    // Amount finer than the mint's decimals, bad durations, below minimum price.
    let e = env.fails(
        &[
            "-k",
            &t.buyer,
            "-y",
            "offer",
            "create",
            &t.pool,
            "--price",
            "0.0000001",
            "--terms",
            &terms,
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("decimal places"), "{}", e.message);
    let e = env.fails(
        &[
            "-k", &t.buyer, "-y", "offer", "create", &t.pool, "--price", "9", "--terms", &terms,
        ],
        EXIT_FAILED,
    );
    assert!(e.message.contains("minimum price"), "{}", e.message);
    let e = env.fails(
        &[
            "-k",
            &t.curator,
            "pool",
            "update",
            &t.pool,
            "--voting-period",
            "3 days",
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("not a duration"), "{}", e.message);
    // Attestations: tampered, for someone else, duplicate data, expired.
    let (kp, path) = env.keypair("newcomer", 5);
    let att = env.path("n.json");
    env.attest(
        &t.pool,
        &kp.pubkey(),
        &"cd".repeat(32),
        50,
        &t.attestor,
        &att,
        &["--expires-in", "10m"],
    );
    let text = std::fs::read_to_string(&att).expect("att");
    let tampered = env.write(
        "tampered.json",
        text.replace("\"score\": 50", "\"score\": 500").as_bytes(),
    );
    let e = env.fails(
        &[
            "-k",
            &path,
            "contribute",
            &t.pool,
            "--attestation",
            &tampered,
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("does not verify"), "{}", e.message);
    let e = env.fails(
        &[
            "-k",
            &t.people[0].1,
            "contribute",
            &t.pool,
            "--attestation",
            &att,
        ],
        EXIT_INPUT,
    );
    assert!(e.message.contains("is for wallet"), "{}", e.message);
    let e = env.fails(
        &["-k", &path, "contribute", &t.pool, "--attestation", &junk],
        EXIT_INPUT,
    );
    assert!(
        e.message.contains("not an attestation file"),
        "{}",
        e.message
    );
    let dup = env.path("dup.json");
    // The data hash of a contribution already in the pool.
    let taken = env.ok(&[
        "contribution",
        "list",
        &t.pool,
        "--contributor",
        &t.people[0].0,
    ]);
    let shown = env.ok(&["contribution", "show", s(&taken[0], "address")]);
    let one = s(&shown, "dataHash").to_string();
    env.attest(&t.pool, &kp.pubkey(), &one, 50, &t.attestor, &dup, &[]);
    let e = env.fails(
        &["-k", &path, "contribute", &t.pool, "--attestation", &dup],
        EXIT_FAILED,
    );
    assert!(e.message.contains("in the pool already"), "{}", e.message);
    env.advance(11 * 60);
    let e = env.fails(
        &["-k", &path, "contribute", &t.pool, "--attestation", &att],
        EXIT_INPUT,
    );
    assert!(e.message.contains("expired"), "{}", e.message);
    // Finalize before the vote decides.
    let o = env.ok(&[
        "-k", &t.buyer, "-y", "offer", "create", &t.pool, "--price", "20", "--terms", &terms,
    ]);
    let e = env.fails(
        &[
            "-y",
            "--fee-payer",
            &t.curator,
            "offer",
            "finalize",
            s(&o, "offer"),
        ],
        EXIT_FAILED,
    );
    assert!(e.message.contains("not decided yet"), "{}", e.message);
    // Without -y a command that moves money needs a terminal to confirm on.
    let e = env.fails(
        &["-k", &t.buyer, "offer", "cancel", s(&o, "offer")],
        EXIT_INPUT,
    );
    assert!(e.message.contains("confirmation needed"), "{}", e.message);
    // Nothing changed in the pool except the one offer made above.
    let after = env.ok(&["pool", "show", &t.pool]);
    for f in [
        "totalWeight",
        "contributorCount",
        "contributionCount",
        "totalDistributed",
        "feeVault",
    ] {
        assert_eq!(before[f], after[f], "{f}");
    }
    assert_eq!(n(&after, "offerCount"), n(&before, "offerCount") + 1);
}

/// `datapool … | head` ends quietly with success when the reader goes away, as Unix tools do: the
/// binary writes its result into a pipe whose reading end is already closed.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let dir = std::env::temp_dir().join(format!("datapool-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let key = dir.join("attestor.json");
    let kp = solana_keypair::Keypair::new();
    std::fs::write(&key, format!("{:?}", kp.to_bytes().to_vec())).expect("keypair");
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let out = std::process::Command::new(data_pool_tests::cli::datapool_bin())
        .args([
            "attest",
            "--pool",
            &solana_keypair::Keypair::new().pubkey().to_string(),
            "--contributor",
            &solana_keypair::Keypair::new().pubkey().to_string(),
            "--identity",
            &"cd".repeat(32),
            "--data-hash",
            &"ab".repeat(32),
            "--score",
            "5",
            "--attestor-keypair",
            &key.display().to_string(),
        ])
        .stdout(writer)
        .output()
        .expect("run datapool");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
