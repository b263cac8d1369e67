//! Who signs: a signer named the way the Solana CLIs name one, resolved by agave's own
//! `solana-clap-utils` (and `solana-remote-wallet` for hardware wallets):
//! - a keypair file path, or `file:PATH`;
//! - `ASK` (a seed phrase asked for on the terminal, the key derived as `keypair new` and
//!   `solana-keygen new` derive it) or `prompt://` (a seed phrase and m/44'/501', or
//!   `prompt://?key=N/M`);
//! - `stdin` or `-` (a keypair's JSON on standard input);
//! - `usb://ledger` (a Ledger running the Solana app; `usb://ledger?key=N` for another account);
//! - a base58 public key: with `--sign-only` it signs nothing (its signature is left for someone
//!   else to make), and with `--signer PUBKEY=SIGNATURE` it carries a signature made offline.

use std::path::Path;

use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::args::OfflineArgs;
use crate::error::CliError;

/// A signer: a keypair (which can also decrypt deliveries, sign attestations and derive keys),
/// or one that can only sign transactions (a hardware wallet, a signature made offline, or a
/// public key whose signature is left out in `--sign-only`).
pub enum Wallet {
    /// A keypair read from a file, standard input or a seed phrase.
    Keypair(Box<Keypair>),
    /// A hardware wallet, a presigned signature or a public key alone.
    Remote(Box<dyn Signer>),
}

impl Wallet {
    /// The signer, whatever its kind.
    pub fn signer(&self) -> &dyn Signer {
        match self {
            Wallet::Keypair(k) => k.as_ref(),
            Wallet::Remote(s) => s.as_ref(),
        }
    }

    /// The keypair, when this signer is one.
    pub fn keypair(&self) -> Option<&Keypair> {
        match self {
            Wallet::Keypair(k) => Some(k.as_ref()),
            Wallet::Remote(_) => None,
        }
    }
}

/// Signer sources other than a file path, as the Solana CLIs take them.
const SIGNER_URI_PREFIXES: [&str; 6] = ["prompt:", "stdin", "file:", "usb:", "ASK", "-"];

/// The hint for a signer that cannot be read.
const SIGNER_HINT: &str = "a keypair file path, ASK or prompt:// (seed phrase), stdin, file:PATH, \
     usb://ledger, or a public key with --sign-only or --signer PUBKEY=SIGNATURE";

/// Reads a signer given as `-k`, `--fee-payer` or a command's signer argument: see the module's
/// list. Hardware wallets and public keys give a [`Wallet::Remote`]; the rest a keypair.
pub fn read_wallet(source: &Path, offline: &OfflineArgs) -> Result<Wallet, CliError> {
    let text = source.to_string_lossy();
    let remote = text.starts_with("usb:")
        || (text.parse::<anchor_lang::prelude::Pubkey>().is_ok() && !source.exists());
    if !remote {
        return read_keypair(source).map(|k| Wallet::Keypair(Box::new(k)));
    }
    let matches = offline_matches(offline);
    let config = solana_clap_utils::keypair::SignerFromPathConfig {
        allow_null_signer: offline.sign_only,
    };
    let mut wallet_manager = None;
    solana_clap_utils::keypair::signer_from_path_with_config(
        &matches,
        &text,
        "keypair",
        &mut wallet_manager,
        &config,
    )
    .map(Wallet::Remote)
    .map_err(|e| remote_error(&text, &e.to_string()))
}

/// Clap 2 matches holding the offline flags, which `solana-clap-utils` reads to decide what a
/// public-key signer means (a presigned signature from `--signer`, or none with `--sign-only`).
fn offline_matches(offline: &OfflineArgs) -> clap2::ArgMatches<'static> {
    use solana_clap_utils::offline::{SIGNER_ARG, SIGN_ONLY_ARG};
    let app = clap2::App::new("datapool")
        .arg(clap2::Arg::with_name(SIGN_ONLY_ARG.name).long(SIGN_ONLY_ARG.long))
        .arg(
            clap2::Arg::with_name(SIGNER_ARG.name)
                .long(SIGNER_ARG.long)
                .takes_value(true)
                .multiple(true)
                .number_of_values(1),
        );
    let mut argv = vec!["datapool".to_string()];
    if offline.sign_only {
        argv.push(format!("--{}", SIGN_ONLY_ARG.long));
    }
    for s in &offline.signers {
        argv.push(format!("--{}", SIGNER_ARG.long));
        argv.push(s.clone());
    }
    app.get_matches_from(argv)
}

/// A clear error for a hardware wallet or public-key signer that cannot sign.
fn remote_error(source: &str, reason: &str) -> CliError {
    if source.starts_with("usb:") {
        return CliError::input(format!("cannot use the hardware wallet {source}: {reason}"))
            .with_hint(
            "connect and unlock the Ledger and open its Solana app, or sign with a keypair file",
        );
    }
    CliError::input(format!("cannot sign as {source}: {reason}")).with_hint(
        "a public key signs only with --sign-only (its signature is made elsewhere) or with \
         --signer PUBKEY=SIGNATURE from an offline signer",
    )
}

/// Reads a signer that must be a keypair (an attestor signing attestations, a buyer or
/// custodian decrypting, the attestor service): every source but `usb://` and public keys.
pub fn read_keypair(path: &Path) -> Result<Keypair, CliError> {
    let source = path.to_string_lossy();
    if !SIGNER_URI_PREFIXES.iter().any(|p| source.starts_with(p)) {
        return read_keypair_file(path);
    }
    // `stdin` alone is what users type; solana-clap-utils knows it as `stdin://` (or `-`).
    let source = if source == "stdin" {
        "stdin://".into()
    } else {
        source
    };
    if source.starts_with("usb:") {
        return Err(CliError::input(format!(
            "{source}: this needs the secret key (to sign an attestation, decrypt or derive a \
             key), which a hardware wallet does not give out"
        ))
        .with_hint("use a keypair file, ASK (your seed phrase) or stdin for this command"));
    }
    // solana-clap-utils reads its options from clap 2 matches: none are set.
    let matches = clap2::App::new("datapool").get_matches_from(["datapool"]);
    solana_clap_utils::keypair::keypair_from_path(&matches, &source, "keypair", false).map_err(
        |e| CliError::input(format!("cannot read the signer {source}: {e}")).with_hint(SIGNER_HINT),
    )
}

/// Reads a Solana keypair file (JSON array of 64 bytes).
fn read_keypair_file(path: &Path) -> Result<Keypair, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::input(format!("cannot read keypair {}: {e}", path.display()))
            .with_hint("create one with `datapool keypair new --outfile <PATH>`, or pass -k <PATH>")
    })?;
    let bytes: Vec<u8> = serde_json::from_str(&text).map_err(|_| {
        CliError::input(format!(
            "{} is not a keypair file (expected a JSON array of 64 numbers)",
            path.display()
        ))
    })?;
    Keypair::try_from(bytes.as_slice())
        .map_err(|e| CliError::input(format!("{} is not a valid keypair: {e}", path.display())))
}
