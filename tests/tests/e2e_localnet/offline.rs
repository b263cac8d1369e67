//! Signing away from the node, on the validator: a curator signs `pool update` with
//! `--sign-only` and a relayer sends it with `--signer`; a hardware wallet (an interactive
//! signer standing in for the device) is asked to approve exactly once per transaction sent.

use std::sync::atomic::{AtomicU32, Ordering};

use data_pool_client::chain::Chain;
use data_pool_client::send::{self, SendOptions};
use data_pool_tests::cli::{n, s};
use solana_keypair::Keypair;
use solana_signer::{Signer, SignerError};

use super::Sale;

/// The fee of one signature, with no priority fee.
const FEE_PER_SIGNATURE: u64 = 5_000;

pub(crate) fn a_curator_signs_offline_and_a_relayer_sends(x: &Sale) {
    let (relayer_kp, relayer) = x.e.keypair("relayer");
    x.rt.block_on(x.chain.airdrop(&relayer_kp.pubkey(), 1_000_000_000))
        .expect("airdrop");
    let curator_kp = data_pool_cli::signer::read_keypair(x.curator.as_ref()).expect("curator");
    let curator = curator_kp.pubkey().to_string();
    let before = (
        x.lamports(&curator_kp.pubkey()),
        x.lamports(&relayer_kp.pubkey()),
    );
    let period = |v: &serde_json::Value| n(v, "votingPeriod");
    let old = period(&x.e.ok(&["pool", "show", &x.pool]));
    assert_ne!(old, 3 * 86_400);

    let blockhash = s(&x.e.ok(&["blockhash"]), "blockhash").to_string();
    let update = ["pool", "update", x.pool.as_str(), "--voting-period", "3d"];
    let signed = x.e.ok(&[
        &[
            "-y",
            "-k",
            &x.curator,
            "--fee-payer",
            &relayer_kp.pubkey().to_string(),
        ][..],
        &["--sign-only", "--blockhash", &blockhash],
        &update,
    ]
    .concat());
    let sig = signed["signers"][0]
        .as_str()
        .expect("the curator's signature")
        .to_string();
    assert!(sig.starts_with(&format!("{curator}=")));
    assert_eq!(
        signed["absent"][0].as_str(),
        Some(relayer_kp.pubkey().to_string().as_str())
    );
    assert_eq!(
        period(&x.e.ok(&["pool", "show", &x.pool])),
        old,
        "nothing sent"
    );

    let sent = x.e.ok(&[
        &["-y", "-k", &curator, "--fee-payer", &relayer][..],
        &["--blockhash", &blockhash, "--signer", &sig],
        &update,
    ]
    .concat());
    assert!(!s(&sent, "signature").is_empty());
    assert_eq!(period(&x.e.ok(&["pool", "show", &x.pool])), 3 * 86_400);
    assert_eq!(
        x.lamports(&curator_kp.pubkey()),
        before.0,
        "the curator pays nothing"
    );
    assert_eq!(
        x.lamports(&relayer_kp.pubkey()),
        before.1 - 2 * FEE_PER_SIGNATURE
    );
}

/// A signer that asks a person, as a Ledger does; counts how often it is asked.
struct Device {
    key: Keypair,
    asked: AtomicU32,
}

impl Signer for Device {
    fn try_pubkey(&self) -> Result<anchor_lang::prelude::Pubkey, SignerError> {
        Ok(self.key.pubkey())
    }

    fn try_sign_message(&self, message: &[u8]) -> Result<solana_signature::Signature, SignerError> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.key.try_sign_message(message)
    }

    fn is_interactive(&self) -> bool {
        true
    }
}

pub(crate) fn a_hardware_wallet_approves_once(x: &Sale) {
    let device = Device {
        key: Keypair::new(),
        asked: AtomicU32::new(0),
    };
    let to = Keypair::new().pubkey();
    x.rt.block_on(x.chain.airdrop(&device.pubkey(), 1_000_000_000))
        .expect("airdrop");
    let before = x.lamports(&device.pubkey());
    let transfer = anchor_lang::solana_program::system_instruction::transfer(
        &device.pubkey(),
        &to,
        10_000_000,
    );
    let sent =
        x.rt.block_on(send::send(
            &x.chain,
            &data_pool_client::PROGRAM_ID,
            &[transfer],
            &device.pubkey(),
            &[&device as &dyn Signer],
            &SendOptions::default(),
        ))
        .expect("sent");
    assert_eq!(sent.signed_times, 1);
    assert_eq!(
        device.asked.load(Ordering::SeqCst),
        1,
        "simulated without asking"
    );
    assert_eq!(x.lamports(&to), 10_000_000);
    assert_eq!(
        x.lamports(&device.pubkey()),
        before - 10_000_000 - FEE_PER_SIGNATURE
    );
}
