//! Wallets and test tokens: a new keypair, an address, a balance, an airdrop, and a test payout
//! mint with tokens, so a new user needs no other tool to reach a pool on localnet or devnet;
//! and the shell completions.

use std::fmt;
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::Chain;
use data_pool_client::token;
use data_pool_client::units::format_amount;
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{fields, Printed, Transaction};
use crate::resolve::Amount;

/// Genesis hash of mainnet-beta: no faucet, and no test mints.
const MAINNET_GENESIS: &str = "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d";

fn sol(lamports: u64) -> String {
    format_amount(u128::from(lamports), 9)
}

/// A keypair written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeypairCreated {
    /// Its address.
    pub address: String,
    /// Where it was written.
    pub path: String,
    /// The BIP39 seed phrase (no passphrase) that recovers it: `-k ASK`, `solana-keygen recover ASK`.
    pub seed_phrase: String,
}

impl fmt::Display for KeypairCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Wrote a new keypair to {}", self.path)?;
        writeln!(f, "pubkey: {}", self.address)?;
        writeln!(
            f,
            "Save this seed phrase: it recovers the keypair (`datapool -k ASK …`, or `solana-keygen recover ASK`; no passphrase):"
        )?;
        write!(f, "{}", self.seed_phrase)
    }
}

/// `keypair new`: a BIP39 seed phrase of `words` words, its keypair derived as `solana-keygen`
/// derives it, written to `outfile` (owner-only permissions); an existing file is refused
/// unless `force`.
pub fn keypair_new(outfile: &Path, force: bool, words: usize) -> Result<Printed, CliError> {
    if outfile.exists() && !force {
        return Err(CliError::input(format!(
            "{} exists: refusing to overwrite it",
            outfile.display()
        ))
        .with_hint("pass --force to overwrite, or --outfile to write elsewhere"));
    }
    let mut entropy = vec![0u8; words / 3 * 4];
    getrandom::getrandom(&mut entropy)
        .map_err(|e| CliError::failed(format!("no randomness from the system: {e}")))?;
    let phrase = bip39::Mnemonic::from_entropy(&entropy)
        .map_err(|e| CliError::input(format!("--word-count {words}: {e}")))?
        .to_string();
    let keypair = solana_keypair::keypair_from_seed_phrase_and_passphrase(&phrase, "")
        .map_err(|e| CliError::failed(format!("cannot derive the keypair: {e}")))?;
    if let Some(dir) = outfile.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    }
    write_keypair(&keypair, outfile)?;
    Ok(Printed::of(&KeypairCreated {
        address: keypair.pubkey().to_string(),
        path: outfile.display().to_string(),
        seed_phrase: phrase,
    }))
}

/// Writes `keypair` as Solana's JSON array of 64 bytes, readable by its owner only.
fn write_keypair(keypair: &Keypair, path: &Path) -> Result<(), CliError> {
    use std::io::Write;
    let json = serde_json::to_string(&keypair.to_bytes().to_vec()).unwrap_or_default();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let write = |p: &Path| -> std::io::Result<()> {
        let mut f = options.open(p)?;
        f.write_all(json.as_bytes())?;
        f.sync_all()
    };
    write(path).map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))
}

/// The default keypair path when none is configured.
pub fn default_keypair_path() -> PathBuf {
    crate::config::expand_home("~/.config/solana/id.json")
}

/// An address.
#[derive(Debug, Serialize)]
pub struct AddressView {
    /// The address.
    pub address: String,
}

impl fmt::Display for AddressView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.address)
    }
}

/// `address`.
pub fn address<C: Chain>(ctx: &Ctx<'_, C>) -> Result<Printed, CliError> {
    Ok(Printed::of(&AddressView {
        address: ctx.signer()?.pubkey().to_string(),
    }))
}

/// The cluster's latest blockhash.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BlockhashView {
    /// The blockhash.
    pub blockhash: String,
    /// The last block height at which a transaction built at it can land.
    pub last_valid_block_height: u64,
}

impl fmt::Display for BlockhashView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.blockhash)
    }
}

/// `blockhash`: what offline signers pass as `--blockhash` (valid for about a minute; a
/// multisig that takes longer imports the message instead).
pub async fn blockhash<C: Chain>(ctx: &Ctx<'_, C>) -> Result<Printed, CliError> {
    let (hash, last_valid) = ctx.chain.latest_blockhash().await?;
    Ok(Printed::of(&BlockhashView {
        blockhash: hash.to_string(),
        last_valid_block_height: last_valid,
    }))
}

/// A SOL balance.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BalanceView {
    /// The account.
    pub address: String,
    /// Lamports.
    pub lamports: u64,
    /// SOL, as text.
    pub sol: String,
}

impl fmt::Display for BalanceView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} SOL", self.sol)
    }
}

fn who<C: Chain>(ctx: &Ctx<'_, C>, address: Option<&Pubkey>) -> Result<Pubkey, CliError> {
    match address {
        Some(a) => Ok(*a),
        None => Ok(ctx.signer()?.pubkey()),
    }
}

/// `balance`.
pub async fn balance<C: Chain>(
    ctx: &Ctx<'_, C>,
    address: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let a = who(ctx, address)?;
    let lamports = ctx.chain.balance(&a).await?;
    Ok(Printed::of(&BalanceView {
        address: a.to_string(),
        lamports,
        sol: sol(lamports),
    }))
}

/// Whether a genesis hash is mainnet-beta's.
pub fn is_mainnet(genesis: &str) -> bool {
    genesis == MAINNET_GENESIS
}

/// Refuses mainnet-beta, by its genesis hash (a custom RPC URL cannot hide it).
async fn not_mainnet<C: Chain>(ctx: &Ctx<'_, C>, what: &str) -> Result<(), CliError> {
    if is_mainnet(&ctx.chain.genesis_hash().await?.to_string()) {
        return Err(CliError::input(format!(
            "{what} is for test clusters: {} is mainnet-beta",
            ctx.chain.label()
        ))
        .with_hint("use -u localhost or -u devnet"));
    }
    Ok(())
}

/// SOL received.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Airdropped {
    /// Who got it.
    pub address: String,
    /// Lamports requested and received.
    pub lamports: u64,
    /// The balance afterwards, in lamports.
    pub balance: u64,
}

impl fmt::Display for Airdropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Airdropped {} SOL to {}: balance {} SOL",
            sol(self.lamports),
            self.address,
            sol(self.balance)
        )
    }
}

/// `airdrop`.
pub async fn airdrop<C: Chain>(
    ctx: &Ctx<'_, C>,
    amount: &Amount,
    address: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let lamports = amount.base_units(9)?;
    if lamports == 0 {
        return Err(CliError::input("the airdrop amount must be above 0"));
    }
    let a = who(ctx, address)?;
    not_mainnet(ctx, "an airdrop").await?;
    ctx.chain.airdrop(&a, lamports).await.map_err(|e| {
        CliError::from(e).with_hint(
            "faucets limit how much and how often (devnet: a few SOL a day; https://faucet.solana.com)",
        )
    })?;
    let balance = ctx.chain.balance(&a).await?;
    Ok(Printed::of(&Airdropped {
        address: a.to_string(),
        lamports,
        balance,
    }))
}

/// A test mint created.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MintCreated {
    /// The mint.
    pub mint: String,
    /// Its decimals.
    pub decimals: u8,
    /// Its mint authority (the signer).
    pub authority: String,
}

/// `test-mint create`: an SPL Token mint whose authority is the signer.
pub async fn mint_create<C: Chain>(ctx: &Ctx<'_, C>, decimals: u8) -> Result<Printed, CliError> {
    not_mainnet(ctx, "a test mint").await?;
    let authority = ctx.signer()?.pubkey();
    let mint = Keypair::new();
    let rent = ctx.chain.rent_exempt_minimum(token::MINT_LEN).await?;
    let ixs = token::create_mint(
        &ctx.payer()?.pubkey(),
        &mint.pubkey(),
        &authority,
        decimals,
        &token::TOKEN_PROGRAM_ID,
        rent,
    )
    .map_err(|e| CliError::failed(format!("cannot build the mint: {e}")))?;
    let sent = ctx.send("Create mint", &ixs, true, &[&mint]).await?;
    let m = mint.pubkey().to_string();
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        MintCreated {
            mint: m.clone(),
            decimals,
            authority: authority.to_string(),
        },
        format!("Created test mint {m} ({decimals} decimals, authority {authority})"),
        vec![("Mint", m)],
    )))
}

/// Tokens minted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Minted {
    /// The mint.
    pub mint: String,
    /// The owner.
    pub owner: String,
    /// The owner's associated token account.
    pub token_account: String,
    /// Base units minted.
    pub amount: u64,
    /// The mint's decimals.
    pub decimals: u8,
}

/// `test-mint mint`: `amount` to `to`'s associated token account (created if missing).
pub async fn mint_to<C: Chain>(
    ctx: &Ctx<'_, C>,
    mint: &Pubkey,
    amount: &Amount,
    to: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    not_mainnet(ctx, "minting test tokens").await?;
    let (tp, decimals) = data_pool_client::query::mint(ctx.chain, mint).await?;
    let authority = ctx.signer()?.pubkey();
    let base = amount.base_units(decimals)?;
    let owner = who(ctx, to)?;
    let ata = token::associated_address(&owner, mint, &tp);
    let ixs = vec![
        token::create_associated_idempotent(&ctx.payer()?.pubkey(), &owner, mint, &tp),
        token::mint_to(&tp, mint, &ata, &authority, base, decimals)
            .map_err(|e| CliError::failed(format!("cannot build the mint: {e}")))?,
    ];
    let sent = ctx.send("Mint", &ixs, true, &[]).await?;
    let ui = format_amount(u128::from(base), decimals);
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Minted {
            mint: mint.to_string(),
            owner: owner.to_string(),
            token_account: ata.to_string(),
            amount: base,
            decimals,
        },
        format!("Minted {ui} of {mint} to {owner}"),
        vec![("Token account", ata.to_string())],
    )))
}

impl fmt::Display for MintCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("Mint", self.mint.clone()),
            ("Decimals", self.decimals.to_string()),
            ("Authority", self.authority.clone()),
        ];
        write!(f, "{}", fields(&rows))
    }
}

impl fmt::Display for Minted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = [
            ("Mint", self.mint.clone()),
            ("Owner", self.owner.clone()),
            ("Token account", self.token_account.clone()),
            (
                "Amount",
                format_amount(u128::from(self.amount), self.decimals),
            ),
        ];
        write!(f, "{}", fields(&rows))
    }
}

/// The settings in effect, as `solana config get` shows them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigView {
    /// The config file.
    pub config_file: String,
    /// RPC URL.
    pub rpc_url: String,
    /// PubSub URL.
    pub websocket_url: String,
    /// Keypair path.
    pub keypair_path: String,
    /// Commitment.
    pub commitment: String,
    /// What `config set` wrote (empty for `config get`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub saved: Vec<String>,
}

impl fmt::Display for ConfigView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.saved.is_empty() {
            writeln!(f, "Saved {} to {}", self.saved.join(", "), self.config_file)?;
        }
        let rows = [
            ("Config File", self.config_file.clone()),
            ("RPC URL", self.rpc_url.clone()),
            ("WebSocket URL", self.websocket_url.clone()),
            ("Keypair Path", self.keypair_path.clone()),
            ("Commitment", self.commitment.clone()),
        ];
        write!(f, "{}", fields(&rows))
    }
}

/// `config get` / `config set`: the settings in effect; `set` first saves the global `-u`, `-k`
/// and `--commitment` given (at least one is needed) into the config file.
pub fn config(
    g: &crate::args::GlobalArgs,
    settings: &crate::config::Settings,
    set: bool,
) -> Result<Printed, CliError> {
    let path = crate::config::config_path(g);
    let mut saved = vec![];
    if set {
        let mut changes = vec![];
        if g.url.is_some() {
            changes.push(("json_rpc_url", settings.url.clone()));
            changes.push(("websocket_url", String::new()));
        }
        if let Some(k) = &g.keypair {
            let absolute = std::path::absolute(k).unwrap_or_else(|_| k.clone());
            changes.push(("keypair_path", absolute.display().to_string()));
        }
        if g.commitment.is_some() {
            changes.push(("commitment", commitment_name(settings).into()));
        }
        if changes.is_empty() {
            return Err(CliError::input("nothing to set").with_hint(
                "give -u/--url, -k/--keypair or --commitment, e.g. `datapool config set -u devnet`",
            ));
        }
        crate::config::write_config(&path, &changes)?;
        saved = changes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, _)| k.to_string())
            .collect();
    }
    Ok(Printed::of(&ConfigView {
        config_file: path.display().to_string(),
        rpc_url: settings.url.clone(),
        websocket_url: settings.ws_url.clone(),
        keypair_path: settings.keypair_path.display().to_string(),
        commitment: commitment_name(settings).into(),
        saved,
    }))
}

fn commitment_name(settings: &crate::config::Settings) -> &'static str {
    use solana_commitment_config::CommitmentLevel;
    match settings.commitment.commitment {
        CommitmentLevel::Processed => "processed",
        CommitmentLevel::Finalized => "finalized",
        _ => "confirmed",
    }
}

/// A shell completion script.
#[derive(Debug, Serialize)]
pub struct Completions {
    /// The script.
    pub script: String,
}

impl fmt::Display for Completions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.script)
    }
}

/// `completions`: the script clap_complete writes for `shell`, from the CLI's own definition.
pub fn completions(shell: clap_complete::Shell) -> Printed {
    let mut cmd = <crate::args::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "datapool", &mut script);
    Printed::of(&Completions {
        script: String::from_utf8_lossy(&script).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mainnet_beta_is_mainnet() {
        assert!(is_mainnet("5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d"));
        // devnet, testnet, and the embedded chain's default hash.
        for other in [
            "EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG",
            "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY",
            "11111111111111111111111111111111",
        ] {
            assert!(!is_mainnet(other));
        }
    }
}
