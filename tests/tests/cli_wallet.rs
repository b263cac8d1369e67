//! From nothing to a pool with `datapool` alone: a new keypair, its address, an airdrop, a test
//! mint with tokens, and the pool on that mint (the embedded chain; the validator run is in the
//! e2e suite).

use data_pool_tests::cli::{n, s, CliEnv};
use solana_signer::Signer;

#[test]
fn a_new_user_gets_keys_sol_a_test_mint_and_a_pool() {
    let env = CliEnv::new();
    let path = env.path("me.json");
    // A new keypair, written in Solana's format, owner-only, recoverable from its phrase.
    let made = env.ok(&["keypair", "new", "--outfile", &path]);
    let text = std::fs::read_to_string(&path).expect("keypair file");
    let bytes: Vec<u8> = serde_json::from_str(&text).expect("a JSON array of bytes");
    assert_eq!(bytes.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let phrase = s(&made, "seedPhrase");
    assert_eq!(phrase.split(' ').count(), 12);
    let recovered =
        solana_keypair::keypair_from_seed_phrase_and_passphrase(phrase, "").expect("recover");
    assert_eq!(recovered.pubkey().to_string(), s(&made, "address"));
    // Never overwritten by accident.
    let e = env.fails(&["keypair", "new", "--outfile", &path], 2);
    assert!(e.message.contains("refusing to overwrite"), "{}", e.message);
    let again = env.ok(&[
        "keypair",
        "new",
        "--outfile",
        &path,
        "--force",
        "--word-count",
        "24",
    ]);
    assert_eq!(s(&again, "seedPhrase").split(' ').count(), 24);
    assert_ne!(s(&again, "address"), s(&made, "address"));
    let me = s(&again, "address").to_string();
    let e = env.fails(
        &["keypair", "new", "--outfile", &path, "--word-count", "13"],
        2,
    );
    assert!(e.message.contains("12, 15, 18, 21 or 24"), "{}", e.message);

    // Its address, an airdrop and the balance.
    assert_eq!(s(&env.ok(&["-k", &path, "address"]), "address"), me);
    assert_eq!(n(&env.ok(&["-k", &path, "balance"]), "lamports"), 0);
    let a = env.ok(&["-k", &path, "airdrop", "2.5"]);
    assert_eq!(n(&a, "lamports"), 2_500_000_000);
    assert_eq!(n(&a, "balance"), 2_500_000_000);
    let b = env.ok(&["balance", &me]);
    assert_eq!(s(&b, "sol"), "2.5");
    let e = env.fails(&["-k", &path, "airdrop", "lots"], 2);
    assert!(e.message.contains("not an amount"), "{}", e.message);

    // A test mint and tokens for a buyer.
    let mint = env.ok(&["-k", &path, "-y", "test-mint", "create", "--decimals", "6"]);
    let mint = s(&mint, "mint").to_string();
    let (buyer, _) = env.keypair("buyer", 0);
    let minted = env.ok(&[
        "-k",
        &path,
        "-y",
        "test-mint",
        "mint",
        &mint,
        "1000.5",
        "--to",
        &buyer.pubkey().to_string(),
    ]);
    assert_eq!(n(&minted, "amount"), 1_000_500_000);
    let ata: anchor_lang::prelude::Pubkey = s(&minted, "tokenAccount").parse().expect("ata");
    assert_eq!(env.balance(&ata), 1_000_500_000);
    // Only the mint authority mints: the chain refuses anyone else.
    let (_, stranger) = env.keypair("stranger", 1);
    env.fails(&["-k", &stranger, "-y", "test-mint", "mint", &mint, "1"], 1);

    // And a pool on that mint.
    let pool = env.ok(&[
        "-k",
        &path,
        "-y",
        "pool",
        "create",
        "first-pool",
        "--mint",
        &mint,
    ]);
    assert!(!s(&pool, "pool").is_empty());
}

#[test]
fn completions_and_a_help_that_shows_examples_exit_codes_and_environment() {
    let env = CliEnv::new();
    let bash = env.ok(&["completions", "bash"]);
    let script = s(&bash, "script");
    assert!(script.contains("_datapool()"), "{script}");
    assert!(script.contains("test-mint"));
    let zsh = env.ok(&["completions", "zsh"]);
    assert!(s(&zsh, "script").contains("#compdef datapool"));
    let help = std::process::Command::new(data_pool_tests::cli::datapool_bin())
        .arg("--help")
        .output()
        .expect("run datapool --help");
    assert_eq!(help.status.code(), Some(0));
    let text = String::from_utf8_lossy(&help.stdout);
    for needle in [
        "Examples",
        "keypair new",
        "Exit codes:",
        "2  bad input",
        "nothing was sent",
        "Environment:",
        "DATAPOOL_PROGRAM_SO",
    ] {
        assert!(text.contains(needle), "--help lacks {needle:?}:\n{text}");
    }
}

/// The binary carries the program it was built with (the one in `target/deploy`), so the demo
/// runs from a directory that is not the repository, with no environment variable.
#[test]
fn the_demo_runs_from_anywhere_with_the_program_built_in() {
    let built = std::fs::read(data_pool_tests::program_path()).expect("target/deploy/data_pool.so");
    assert!(
        data_pool_cli::EMBEDDED_PROGRAM == built.as_slice(),
        "the embedded program is not the one in target/deploy: rebuild the CLI"
    );
    let elsewhere = std::env::temp_dir().join(format!("datapool-anywhere-{}", std::process::id()));
    std::fs::create_dir_all(&elsewhere).expect("dir");
    let out = std::process::Command::new(data_pool_tests::cli::datapool_bin())
        .current_dir(&elsewhere)
        .env_remove("DATAPOOL_PROGRAM_SO")
        .args([
            "--output",
            "json",
            "demo",
            "--contributors",
            "12",
            "--store",
        ])
        .arg(elsewhere.join("store"))
        .arg("--html")
        .arg(elsewhere.join("audit.html"))
        .output()
        .expect("run datapool demo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["contributors"], 12, "{v}");
    // `--html` writes the closing audit's page for the embedded chain too: charts with axes,
    // amounts with their unit.
    let page = std::fs::read_to_string(elsewhere.join("audit.html")).expect("audit.html");
    for needle in [
        "<svg",
        "% turnout",
        "contributors, lightest first",
        "share of the weight",
    ] {
        assert!(page.contains(needle), "the page lacks {needle:?}");
    }
    let _ = std::fs::remove_dir_all(&elsewhere);
}

/// `config get/set` read and write the Solana CLI's config file, keeping the keys they do not
/// own.
#[test]
fn config_set_and_get_share_the_solana_cli_config() {
    let dir = std::env::temp_dir().join(format!("datapool-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let cfg = dir.join("config.yml");
    std::fs::write(
        &cfg,
        "address_labels:\n  '11111111111111111111111111111111': System Program\n",
    )
    .expect("config");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(data_pool_tests::cli::datapool_bin())
            .arg("-C")
            .arg(&cfg)
            .args(["--output", "json"])
            .args(args)
            .output()
            .expect("run datapool");
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (out.status.code(), json)
    };
    let (code, before) = run(&["config", "get"]);
    assert_eq!(code, Some(0));
    assert_eq!(s(&before, "rpcUrl"), "https://api.mainnet-beta.solana.com");
    let key = dir.join("me.json");
    let (code, set) = run(&[
        "-u",
        "devnet",
        "-k",
        &key.display().to_string(),
        "--commitment",
        "finalized",
        "config",
        "set",
    ]);
    assert_eq!(code, Some(0), "{set}");
    assert_eq!(s(&set, "rpcUrl"), "https://api.devnet.solana.com");
    let text = std::fs::read_to_string(&cfg).expect("config");
    assert!(
        text.contains("json_rpc_url: https://api.devnet.solana.com"),
        "{text}"
    );
    assert!(text.contains("commitment: finalized"), "{text}");
    assert!(
        text.contains("System Program"),
        "other keys are kept: {text}"
    );
    let (_, after) = run(&["config", "get"]);
    assert_eq!(s(&after, "rpcUrl"), "https://api.devnet.solana.com");
    assert_eq!(s(&after, "keypairPath"), key.display().to_string());
    assert_eq!(s(&after, "commitment"), "finalized");
    let (code, _) = run(&["config", "set"]);
    assert_eq!(code, Some(2), "nothing to set");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Signers as the Solana CLIs take them (resolved by `solana-clap-utils`): a file, `file:PATH`,
/// `stdin` and `-`, `ASK` and `prompt://` from a pseudo-terminal (`script`), and `usb://ledger`
/// refused by name (no device here).
#[test]
fn signer_uris_file_stdin_and_a_seed_phrase_from_a_terminal() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("datapool-signers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let key = dir.join("k.json");
    let bin = data_pool_tests::cli::datapool_bin();
    let made = Command::new(&bin)
        .args(["--output", "json", "keypair", "new", "--outfile"])
        .arg(&key)
        .output()
        .expect("keypair new");
    let made: serde_json::Value = serde_json::from_slice(&made.stdout).expect("json");
    let (address, phrase) = (s(&made, "address"), s(&made, "seedPhrase"));
    let with_stdin = |signer: &str, input: &[u8]| {
        let mut child = Command::new(&bin)
            .args(["-k", signer, "address"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let json = std::fs::read(&key).expect("key");
    let file_uri = format!("file:{}", key.display());
    assert_eq!(with_stdin(&key.display().to_string(), b"").1, address);
    assert_eq!(with_stdin(&file_uri, b"").1, address);
    assert_eq!(with_stdin("stdin", &json).1, address);
    assert_eq!(with_stdin("-", &json).1, address);
    let (code, _, err) = with_stdin("stdin", b"not a keypair");
    assert_eq!(code, Some(2), "{err}");
    // A hardware wallet is looked for (none is attached here): refused by name, exit 2.
    let (code, _, err) = with_stdin("usb://ledger", b"");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("hardware wallet usb://ledger: no device found"),
        "{err}"
    );
    // The seed phrase typed on a terminal: `ASK` derives the key as `keypair new` did;
    // `prompt://` derives m/44'/501' (another key, as in the Solana CLIs).
    let on_terminal = |signer: &str| {
        let mut child = Command::new("script")
            .args([
                "-qec",
                &format!("{} -k {signer} address", bin.display()),
                "/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script (util-linux)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{phrase}\n\n").as_bytes())
            .expect("type the phrase");
        let out = child.wait_with_output().expect("wait");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(on_terminal("ASK"), address);
    let derived = on_terminal("prompt://");
    assert!(
        derived.parse::<anchor_lang::prelude::Pubkey>().is_ok(),
        "{derived}"
    );
    assert_ne!(derived, address);
    let _ = std::fs::remove_dir_all(&dir);
}
