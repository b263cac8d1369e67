//! Building attestation messages and the Ed25519 verify instruction that carries them.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
pub use data_pool::attestation::{ed25519_instruction_data, Attestation, ED25519_PROGRAM_ID};

/// What an attestor vouches for: who, which person, which data and its score. The signed message
/// adds the program, the pool and the expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attested {
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// The contributor's identity commitment.
    pub identity: [u8; 32],
    /// Canonical data hash.
    pub data_hash: [u8; 32],
    /// Score.
    pub score: u64,
}

/// The bytes an attestor signs for `(program, pool, contributor, identity, data hash, score,
/// expiry)`.
pub fn attestation_message(
    program_id: &Pubkey,
    pool: &Pubkey,
    attested: &Attested,
    expires_at: i64,
) -> Vec<u8> {
    Attestation {
        program_id,
        pool,
        contributor: &attested.contributor,
        identity: &attested.identity,
        data_hash: &attested.data_hash,
        score: attested.score,
        expires_at,
    }
    .message()
    .to_vec()
}

/// The Ed25519 verify instruction for a signature by `pubkey` over `message`.
pub fn ed25519_verify_ix(pubkey: &Pubkey, signature: &[u8; 64], message: &[u8]) -> Instruction {
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data: ed25519_instruction_data(&pubkey.to_bytes(), signature, message),
    }
}

/// Signs an attestation with `attestor`: the file an attestor hands a contributor (no breakdown).
pub fn sign_attestation(
    program_id: &Pubkey,
    pool: &Pubkey,
    attested: &Attested,
    expires_at: i64,
    attestor: &solana_keypair::Keypair,
) -> AttestationFile {
    use solana_signer::Signer;
    let msg = attestation_message(program_id, pool, attested, expires_at);
    AttestationFile {
        program_id: *program_id,
        pool: *pool,
        contributor: attested.contributor,
        identity: attested.identity,
        data_hash: attested.data_hash,
        score: attested.score,
        expires_at,
        attestor: attestor.pubkey(),
        signature: attestor.sign_message(&msg).into(),
        breakdown: None,
    }
}

/// The attestation file format this client writes and reads (2 added the identity commitment).
pub const ATTESTATION_FILE_VERSION: u32 = 2;

/// Largest attestation file accepted, in bytes.
pub const MAX_ATTESTATION_FILE_LEN: usize = 64 * 1024;

/// An attestation as a portable JSON file: what an attestor hands a contributor, and what
/// `contribution_submit` needs. Parsed from untrusted input: [`AttestationFile::parse`] never
/// panics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttestationFile {
    /// The program the attestation is for.
    pub program_id: Pubkey,
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// The contributor's identity commitment.
    pub identity: [u8; 32],
    /// Canonical data hash.
    pub data_hash: [u8; 32],
    /// Score.
    pub score: u64,
    /// Unix time after which it is void.
    pub expires_at: i64,
    /// The attestor's signing key.
    pub attestor: Pubkey,
    /// ed25519 signature over [`attestation_message`].
    pub signature: [u8; 64],
    /// Optional scoring breakdown, carried as-is.
    pub breakdown: Option<serde_json::Value>,
}

/// The file's JSON form (`version` 2), the same as [`AttestationFile::to_json`] writes.
impl serde::Serialize for AttestationFile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RawAttestationFile {
            version: ATTESTATION_FILE_VERSION,
            program_id: self.program_id.to_string(),
            pool: self.pool.to_string(),
            contributor: self.contributor.to_string(),
            identity: hex::encode(self.identity),
            data_hash: hex::encode(self.data_hash),
            score: self.score,
            expires_at: self.expires_at,
            attestor: self.attestor.to_string(),
            signature: hex::encode(self.signature),
            breakdown: self.breakdown.clone(),
        }
        .serialize(s)
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttestationFile {
    version: u32,
    program_id: String,
    pool: String,
    contributor: String,
    identity: String,
    data_hash: String,
    score: u64,
    expires_at: i64,
    attestor: String,
    signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    breakdown: Option<serde_json::Value>,
}

/// Why an attestation file was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum AttestationFileError {
    /// Over [`MAX_ATTESTATION_FILE_LEN`].
    #[error("attestation file is {0} bytes; the limit is {MAX_ATTESTATION_FILE_LEN}")]
    TooLarge(usize),
    /// Not JSON of the expected shape.
    #[error("not an attestation file: {0}")]
    Json(String),
    /// A version this client does not know.
    #[error("attestation file version {0} is not supported (expected {ATTESTATION_FILE_VERSION}): ask the attestor for a new attestation")]
    Version(u32),
    /// A field that is not a base58 public key.
    #[error("field `{0}` is not a base58 public key")]
    BadKey(&'static str),
    /// A hex field of the wrong form or length.
    #[error("field `{field}` must be {len} hex characters")]
    BadHex {
        /// The field.
        field: &'static str,
        /// The expected number of hex characters.
        len: usize,
    },
}

fn key(field: &'static str, s: &str) -> Result<Pubkey, AttestationFileError> {
    s.parse().map_err(|_| AttestationFileError::BadKey(field))
}

fn hex_array<const N: usize>(
    field: &'static str,
    s: &str,
) -> Result<[u8; N], AttestationFileError> {
    let bad = AttestationFileError::BadHex { field, len: N * 2 };
    let v = hex::decode(s).map_err(|_| bad.clone())?;
    v.try_into().map_err(|_| bad)
}

impl AttestationFile {
    /// Parses and validates an attestation file.
    pub fn parse(text: &str) -> Result<Self, AttestationFileError> {
        if text.len() > MAX_ATTESTATION_FILE_LEN {
            return Err(AttestationFileError::TooLarge(text.len()));
        }
        let raw: RawAttestationFile =
            serde_json::from_str(text).map_err(|e| AttestationFileError::Json(e.to_string()))?;
        if raw.version != ATTESTATION_FILE_VERSION {
            return Err(AttestationFileError::Version(raw.version));
        }
        Ok(AttestationFile {
            program_id: key("program_id", &raw.program_id)?,
            pool: key("pool", &raw.pool)?,
            contributor: key("contributor", &raw.contributor)?,
            identity: hex_array("identity", &raw.identity)?,
            data_hash: hex_array("data_hash", &raw.data_hash)?,
            score: raw.score,
            expires_at: raw.expires_at,
            attestor: key("attestor", &raw.attestor)?,
            signature: hex_array("signature", &raw.signature)?,
            breakdown: raw.breakdown,
        })
    }

    /// The file's JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The signed message.
    pub fn message(&self) -> Vec<u8> {
        attestation_message(
            &self.program_id,
            &self.pool,
            &self.attested(),
            self.expires_at,
        )
    }

    /// What it vouches for.
    pub fn attested(&self) -> Attested {
        Attested {
            contributor: self.contributor,
            identity: self.identity,
            data_hash: self.data_hash,
            score: self.score,
        }
    }

    /// The Ed25519 verify instruction that must precede `contribution_submit`.
    pub fn verify_ix(&self) -> Instruction {
        ed25519_verify_ix(&self.attestor, &self.signature, &self.message())
    }
}
