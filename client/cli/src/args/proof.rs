//! Proof-of-contribution syntax: `attest` and where an attestor keeps who is who.

use std::path::PathBuf;

use clap::Args;

/// `attest …`
#[derive(Clone, Debug, Args)]
pub struct AttestArgs {
    /// The pool
    #[arg(long)]
    pub pool: String,
    /// The contributor's wallet
    #[arg(long)]
    pub contributor: String,
    /// Score a Spotify export (JSON files, the .zip, or a folder); hash and score come from it
    #[arg(long, value_name = "EXPORT", conflicts_with_all = ["data_hash", "score"], required_unless_present = "data_hash")]
    pub file: Vec<PathBuf>,
    /// Canonical data hash, 64 hex characters (with --score and --identity, instead of --file)
    #[arg(long, value_name = "HEX", requires_all = ["score", "identity"])]
    pub data_hash: Option<String>,
    /// The contributor's identity commitment, 64 hex characters (with --data-hash)
    #[arg(long, value_name = "HEX", requires = "data_hash")]
    pub identity: Option<String>,
    /// Score of the data (with --data-hash)
    #[arg(long, value_name = "N")]
    pub score: Option<u64>,
    /// Cap for --file scores [default: the pool's max score, read from the chain]
    #[arg(long, value_name = "N")]
    pub max_score: Option<u64>,
    /// The attestor's keypair
    #[arg(long, value_name = "PATH")]
    pub attestor_keypair: PathBuf,
    /// How long the attestation stays valid
    #[arg(long, default_value = "1h")]
    pub expires_in: String,
    /// Write the attestation here [default: print it]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Who is who (with --file): the key and the index of identity commitments
    #[command(flatten)]
    pub identities: IdentityArgs,
}

/// Where an attestor keeps who is who: one person gets one identity commitment per pool.
#[derive(Clone, Debug, Default, Args)]
pub struct IdentityArgs {
    /// Key of identity commitments, a file of 64 hex characters; the attestors of one pool must
    /// share it [default: derived from the attestor's keypair]
    #[arg(long, value_name = "FILE")]
    pub identity_key: Option<PathBuf>,
    /// The attestor's memory of attested exports (JSON lines; keep it and back it up)
    /// [default: ~/.local/share/datapool/identity-index.jsonl]
    #[arg(long, value_name = "FILE")]
    pub identity_index: Option<PathBuf>,
}
