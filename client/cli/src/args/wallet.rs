//! Wallet and test-token commands: what a new user needs to go from nothing to a pool on
//! localnet or devnet with `datapool` alone.

use std::path::PathBuf;

use clap::Subcommand;

/// `keypair …`
#[derive(Debug, Subcommand)]
pub enum KeypairCmd {
    /// Generate a new keypair file (Solana's JSON format) and print its address and seed phrase
    New {
        /// Where to write it [default: the -k path, else ~/.config/solana/id.json]
        #[arg(short, long, value_name = "PATH")]
        outfile: Option<PathBuf>,
        /// Overwrite an existing file
        #[arg(short, long)]
        force: bool,
        /// Words in the seed phrase
        #[arg(long, default_value_t = 12, value_parser = clap::builder::ValueParser::new(word_count))]
        word_count: usize,
        /// Do not ask for a BIP39 passphrase (none is ever asked for: accepted for solana-keygen
        /// compatibility)
        #[arg(long)]
        no_bip39_passphrase: bool,
    },
}

/// `test-mint …` (refused on mainnet)
#[derive(Debug, Subcommand)]
pub enum TestMintCmd {
    /// Create an SPL Token mint whose mint authority is the signer, for a test pool
    Create {
        /// Decimals
        #[arg(long, default_value_t = 6)]
        decimals: u8,
    },
    /// Mint tokens of a mint you are the authority of to an owner's associated token account
    /// (created if missing)
    Mint {
        /// The mint
        mint: String,
        /// Amount, in the mint's units (e.g. 1000 or 0.5)
        amount: String,
        /// The owner [default: the signer]
        #[arg(long, value_name = "PUBKEY")]
        to: Option<String>,
    },
}

/// A seed phrase's word count: 12, 15, 18, 21 or 24.
fn word_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n @ (12 | 15 | 18 | 21 | 24)) => Ok(n),
        _ => Err(format!(
            "{text:?}: a seed phrase has 12, 15, 18, 21 or 24 words"
        )),
    }
}

/// `config …`: the Solana CLI's config file, which `datapool` shares
#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Print the settings in effect and where they come from
    Get,
    /// Save the global -u/--url, -k/--keypair and --commitment given with it as the defaults
    /// (e.g. `datapool config set -u devnet -k ~/alice.json`); other keys of the file are kept
    Set,
}
