//! Offline signing, as the Solana CLIs do it: a transaction built at a given blockhash, signed
//! where the keys are (`--sign-only`), and sent with the signatures gathered (`--signer`).

use clap::Args;

/// `--blockhash`, `--sign-only`, `--signer` and `--dump-transaction-message`.
#[derive(Clone, Debug, Default, Args)]
pub struct OfflineArgs {
    /// Build the transaction at this blockhash (`datapool blockhash` prints one) instead of the
    /// latest; it is then never re-signed
    #[arg(long, global = true, value_name = "BLOCKHASH", value_parser = blockhash)]
    pub blockhash: Option<solana_hash::Hash>,
    /// Sign the command's transaction without sending it, and print the signatures made and
    /// the signers still missing (a public key as -k or --fee-payer is left for its owner)
    #[arg(long = "sign-only", global = true, requires = "blockhash")]
    pub sign_only: bool,
    /// A signature made offline for this transaction, as PUBKEY=SIGNATURE (repeatable); the
    /// signer itself is then given as its public key
    #[arg(
        long = "signer",
        global = true,
        value_name = "PUBKEY=SIGNATURE",
        requires = "blockhash",
        value_parser = pubkey_signature
    )]
    pub signers: Vec<String>,
    /// With --sign-only, also print the transaction's message (base64, and base58 for a
    /// multisig's transaction import)
    #[arg(
        long = "dump-transaction-message",
        global = true,
        requires = "sign_only"
    )]
    pub dump_transaction_message: bool,
}

fn blockhash(text: &str) -> Result<solana_hash::Hash, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a blockhash (base58, 32 bytes)"))
}

/// `PUBKEY=SIGNATURE`, both base58, checked as `solana-clap-utils` checks `--signer`.
fn pubkey_signature(text: &str) -> Result<String, String> {
    solana_clap_utils::input_validators::is_pubkey_sig(text).map(|()| text.to_string())
}
