//! Signing away from the node, as the Solana CLIs do it: `--blockhash`, `--sign-only`,
//! `--signer PUBKEY=SIGNATURE` and `--dump-transaction-message` (the message a multisig such as
//! Squads imports), and the signer URIs that are not keypairs: a public key alone and
//! `usb://ledger` (no device is attached here, so only its refusal is tested).

use base64::Engine;
use data_pool_client::chain::Chain;
use data_pool_tests::cli::{n, s, CliEnv};
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The fee of a transaction with `signatures` signatures and no priority fee.
const FEE_PER_SIGNATURE: u64 = 5_000;

fn strings(v: &Value, field: &str) -> Vec<String> {
    v[field]
        .as_array()
        .unwrap_or_else(|| panic!("no array {field} in {v}"))
        .iter()
        .map(|x| x.as_str().expect("a string").to_string())
        .collect()
}

fn lamports(env: &CliEnv, who: &solana_keypair::Keypair) -> u64 {
    env.block(env.chain.balance(&who.pubkey()))
        .expect("balance")
}

fn fee_bps(env: &CliEnv, pool: &str) -> u64 {
    n(&env.ok(&["pool", "show", pool]), "feeBps")
}

/// A curator signs `pool update` on one machine without sending; a relayer who pays the fee
/// sends it with the curator's signature. Exact lamports for both; a tampered or stale
/// signature is refused and nothing changes.
#[test]
fn a_curator_signs_offline_and_a_relayer_sends() {
    let env = CliEnv::new();
    let made = env.cli_pool("", "offline", &["--fee-bps", "500"]);
    let pool = made.pool.clone();
    let curator_kp = data_pool_cli::signer::read_keypair(made.curator.as_ref()).expect("curator");
    let curator = curator_kp.pubkey().to_string();
    let (relayer_kp, relayer_path) = env.keypair("relayer", 1);
    let relayer = relayer_kp.pubkey().to_string();

    let hash = env.ok(&["blockhash"]);
    let blockhash = s(&hash, "blockhash").to_string();
    assert!(n(&hash, "lastValidBlockHeight") > 0);

    // The curator signs where its key is; the relayer is named by its public key only.
    let before = (lamports(&env, &curator_kp), lamports(&env, &relayer_kp));
    let update = ["pool", "update", pool.as_str(), "--fee-bps", "300"];
    // `-y -k SIGNER --fee-payer PAYER --blockhash HASH`, then `rest`.
    let at = |signer: &str, payer: &str, rest: &[&str]| -> Vec<String> {
        let head = [
            "-y",
            "-k",
            signer,
            "--fee-payer",
            payer,
            "--blockhash",
            &blockhash,
        ];
        head.iter().chain(rest).map(|a| a.to_string()).collect()
    };
    let args = at(
        &made.curator,
        &relayer,
        &[&["--sign-only"][..], &update].concat(),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let signed = env.ok(&args);
    assert_eq!(s(&signed, "blockhash"), blockhash);
    assert_eq!(strings(&signed, "absent"), vec![relayer.clone()]);
    let sigs = strings(&signed, "signers");
    assert_eq!(sigs.len(), 1);
    assert!(sigs[0].starts_with(&format!("{curator}=")), "{sigs:?}");
    assert!(
        signed.get("message").is_none(),
        "the message only with --dump-transaction-message"
    );
    // Nothing was sent: no fee, no change.
    assert_eq!(fee_bps(&env, &pool), 500);
    assert_eq!(
        (lamports(&env, &curator_kp), lamports(&env, &relayer_kp)),
        before
    );

    // A signature for other arguments does not sign this transaction.
    let presigned = |cmd: &[&str]| {
        at(
            &curator,
            &relayer_path,
            &[&["--signer", &sigs[0]][..], cmd].concat(),
        )
    };
    let tampered = presigned(&["pool", "update", &pool, "--fee-bps", "900"]);
    let e = env.fails(&tampered.iter().map(String::as_str).collect::<Vec<_>>(), 2);
    assert!(
        e.message.contains("does not match this transaction"),
        "{}",
        e.message
    );
    assert!(e.hint.as_deref().unwrap_or("").contains("--blockhash"));
    // A public key without its signature cannot sign when sending.
    let unsigned = at(&curator, &relayer_path, &update);
    let e = env.fails(&unsigned.iter().map(String::as_str).collect::<Vec<_>>(), 2);
    assert!(e.message.contains("missing signature"), "{}", e.message);
    assert_eq!(fee_bps(&env, &pool), 500);

    // The relayer sends with the curator's signature and pays the two signatures' fee.
    let send = presigned(&update);
    let send: Vec<&str> = send.iter().map(String::as_str).collect();
    let sent = env.ok(&send);
    assert!(!s(&sent, "signature").is_empty());
    assert_eq!(fee_bps(&env, &pool), 300);
    assert_eq!(
        lamports(&env, &curator_kp),
        before.0,
        "the curator pays nothing"
    );
    assert_eq!(
        lamports(&env, &relayer_kp),
        before.1 - 2 * FEE_PER_SIGNATURE,
        "the relayer pays two signatures, no rent"
    );

    // The same signatures again: the blockhash has moved on, so nothing is applied twice.
    let e = env.run(&send).expect_err("a stale blockhash is refused");
    assert!(e.code == 1 || e.code == 2, "{e:?}");
    assert!(
        e.message.to_lowercase().contains("blockhash") || e.message.contains("already"),
        "{}",
        e.message
    );
    assert_eq!(
        lamports(&env, &relayer_kp),
        before.1 - 2 * FEE_PER_SIGNATURE
    );
}

/// A pool whose curator is a multisig's vault: `--dump-transaction-message` prints the message
/// to import, with the vault as its only signer. Signed as the multisig program would sign for
/// its vault, the message updates the pool unchanged.
#[test]
fn a_multisig_vault_gets_the_message_to_propose() {
    let env = CliEnv::new();
    let made = env.cli_pool("", "vaulted", &["--fee-bps", "500"]);
    let pool = made.pool.clone();
    // The curator hands the pool to the vault (the test holds the vault's key only to play
    // the multisig program's part at the end).
    let (vault_kp, vault_path) = env.keypair("vault", 1);
    let vault = vault_kp.pubkey().to_string();
    env.ok(&[
        "-y",
        "-k",
        &made.curator,
        "pool",
        "authority",
        "propose",
        &pool,
        &vault,
    ]);
    env.ok(&[
        "-y",
        "-k",
        &vault_path,
        "pool",
        "authority",
        "accept",
        &pool,
    ]);

    let blockhash = s(&env.ok(&["blockhash"]), "blockhash").to_string();
    let dumped = env.ok(&[
        "-y",
        "-k",
        &vault,
        "--sign-only",
        "--blockhash",
        &blockhash,
        "--dump-transaction-message",
        "pool",
        "update",
        &pool,
        "--fee-bps",
        "250",
    ]);
    assert_eq!(strings(&dumped, "absent"), vec![vault.clone()]);
    assert!(strings(&dumped, "signers").is_empty());
    let b64 = base64::engine::general_purpose::STANDARD
        .decode(s(&dumped, "message"))
        .expect("base64");
    let b58 = bs58::decode(s(&dumped, "messageBase58"))
        .into_vec()
        .expect("base58");
    assert_eq!(b64, b58, "one message, two encodings");
    use sha2::Digest;
    assert_eq!(
        s(&dumped, "messageHash"),
        bs58::encode(sha2::Sha256::digest(&b64)).into_string(),
        "the hash a Ledger shows when signing blind"
    );
    let message: solana_message::Message = bincode::deserialize(&b64).expect("a message");
    assert_eq!(message.header.num_required_signatures, 1);
    assert_eq!(message.account_keys[0], vault_kp.pubkey());
    assert_eq!(message.recent_blockhash.to_string(), blockhash);
    let programs: Vec<_> = message
        .instructions
        .iter()
        .map(|i| message.account_keys[i.program_id_index as usize])
        .collect();
    assert_eq!(
        programs,
        vec![data_pool_client::PROGRAM_ID],
        "one instruction, no budget"
    );
    assert_eq!(fee_bps(&env, &pool), 500);

    // The vault signs the message as it is, and it applies.
    let mut tx = Transaction::new_unsigned(message);
    tx.sign(&[&vault_kp], tx.message.recent_blockhash);
    env.block(env.chain.send(&tx))
        .expect("the imported message lands");
    assert_eq!(fee_bps(&env, &pool), 250);
}

/// Signers that are not keypairs, where a command needs a keypair or a device: each refusal
/// says what to use instead, with exit 2 and nothing sent.
#[test]
fn signers_that_are_not_keypairs_are_refused_clearly() {
    let env = CliEnv::new();
    // No hardware wallet is attached to this machine.
    let e = env.fails(&["-k", "usb://ledger", "address"], 2);
    assert!(
        e.message.contains("hardware wallet usb://ledger"),
        "{}",
        e.message
    );
    assert!(e.hint.as_deref().unwrap_or("").contains("Ledger"));
    // A public key alone has no signature to give outside --sign-only.
    let someone = Keypair::new().pubkey().to_string();
    let e = env.fails(&["-k", &someone, "address"], 2);
    assert!(e.message.contains("missing signature"), "{}", e.message);
    // With --sign-only it names the address.
    let blockhash = s(&env.ok(&["blockhash"]), "blockhash").to_string();
    let v = env.ok(&[
        "-k",
        &someone,
        "--sign-only",
        "--blockhash",
        &blockhash,
        "address",
    ]);
    assert_eq!(s(&v, "address"), someone);
    // Attesting needs a secret key, which a device does not give out.
    let e = env.fails(
        &[
            "attest",
            "--pool",
            &someone,
            "--contributor",
            &someone,
            "--identity",
            &"ab".repeat(32),
            "--data-hash",
            &"cd".repeat(32),
            "--score",
            "10",
            "--attestor-keypair",
            "usb://ledger",
        ],
        2,
    );
    assert!(e.message.contains("secret key"), "{}", e.message);
    // The offline flags need each other, as in the Solana CLIs.
    let e = env.fails(&["--sign-only", "address"], 2);
    assert!(e.message.contains("--blockhash"), "{}", e.message);
    let e = env.fails(
        &[
            "--blockhash",
            &blockhash,
            "--dump-transaction-message",
            "address",
        ],
        2,
    );
    assert!(e.message.contains("--sign-only"), "{}", e.message);
    let e = env.fails(&["--blockhash", "nothash", "address"], 2);
    assert!(e.message.contains("not a blockhash"), "{}", e.message);
    let e = env.fails(
        &["--blockhash", &blockhash, "--signer", "x=y", "address"],
        2,
    );
    assert!(e.message.to_lowercase().contains("signer"), "{}", e.message);
}
