//! What `--sign-only` prints instead of sending: the blockhash, the signatures made here, the
//! signers still missing, and (with `--dump-transaction-message`) the message itself, which a
//! multisig such as Squads imports to propose the same instruction from its vault.

use std::fmt;

use base64::Engine;
use serde::Serialize;
use sha2::Digest;
use solana_signature::Signature;
use solana_transaction::Transaction;

/// A transaction signed offline and not sent.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedOffline {
    /// What the transaction does (`Update pool`).
    pub what: String,
    /// The blockhash it was built at.
    pub blockhash: String,
    /// Signatures made, as `PUBKEY=SIGNATURE` (pass each to the sender as `--signer`).
    pub signers: Vec<String>,
    /// Signers whose signature is still missing.
    pub absent: Vec<String>,
    /// SHA-256 of the message, base58: what a Ledger shows when it signs blind, to compare.
    pub message_hash: String,
    /// The serialized message, base64 (`--dump-transaction-message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The same message, base58.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_base58: Option<String>,
}

impl SignedOffline {
    /// The signatures of `tx` (signed or partly signed), and its message when `dump`.
    pub fn of(what: &str, tx: &Transaction, dump: bool) -> Self {
        let required = tx.message.header.num_required_signatures as usize;
        let mut signers = Vec::new();
        let mut absent = Vec::new();
        for (key, sig) in tx.message.account_keys[..required]
            .iter()
            .zip(&tx.signatures)
        {
            if *sig == Signature::default() {
                absent.push(key.to_string());
            } else {
                signers.push(format!("{key}={sig}"));
            }
        }
        let bytes = tx.message.serialize();
        let hash = sha2::Sha256::digest(&bytes);
        SignedOffline {
            what: what.to_string(),
            blockhash: tx.message.recent_blockhash.to_string(),
            signers,
            absent,
            message_hash: bs58::encode(hash).into_string(),
            message: dump.then(|| base64::engine::general_purpose::STANDARD.encode(&bytes)),
            message_base58: dump.then(|| bs58::encode(&bytes).into_string()),
        }
    }
}

impl fmt::Display for SignedOffline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: signed offline, not sent", self.what)?;
        writeln!(f, "Blockhash: {}", self.blockhash)?;
        if !self.signers.is_empty() {
            writeln!(f, "Signers (Pubkey=Signature):")?;
            for s in &self.signers {
                writeln!(f, "  {s}")?;
            }
        }
        if !self.absent.is_empty() {
            writeln!(f, "Absent Signers (Pubkey):")?;
            for s in &self.absent {
                writeln!(f, "  {s}")?;
            }
        }
        writeln!(f, "Message Hash: {}", self.message_hash)?;
        if let (Some(b64), Some(b58)) = (&self.message, &self.message_base58) {
            writeln!(f, "Transaction Message (base64): {b64}")?;
            writeln!(f, "Transaction Message (base58): {b58}")?;
        }
        write!(
            f,
            "To send it, run the same command with --blockhash {}, each absent signer's keypair \
             and, for every signature above, the signer's public key and --signer PUBKEY=SIGNATURE.",
            self.blockhash
        )
    }
}
