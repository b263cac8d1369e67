//! Command-line syntax (clap). Parsing only: `resolve` turns it into a typed action and
//! `commands` runs it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod data;
mod help;
mod offline;
mod proof;
mod wallet;

pub use data::{CustodianCmd, DatasetCmd, TermsArgs};
pub use help::HELP_FOOTER;
pub use offline::OfflineArgs;
pub use proof::{AttestArgs, IdentityArgs};
pub use wallet::{ConfigCmd, KeypairCmd, TestMintCmd};

/// `datapool`: pool personal data, sell it together, get paid — the data-pool program's CLI.
#[derive(Debug, Parser)]
#[command(name = "datapool", version, propagate_version = true, after_help = HELP_FOOTER)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, as in the `solana` CLI.
#[derive(Clone, Debug, Args)]
pub struct GlobalArgs {
    /// Solana CLI config file [default: ~/.config/solana/cli/config.yml]
    #[arg(short = 'C', long = "config", global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// RPC URL or moniker: m[ainnet-beta], d[evnet], t[estnet], l[ocalhost]
    #[arg(
        short = 'u',
        long = "url",
        global = true,
        value_name = "URL_OR_MONIKER"
    )]
    pub url: Option<String>,
    /// Who signs (the wallet acting): a keypair file, ASK or prompt:// (seed phrase), stdin,
    /// usb://ledger, or a public key when signing offline [default: config's keypair_path]
    #[arg(short = 'k', long = "keypair", global = true, value_name = "SIGNER")]
    pub keypair: Option<PathBuf>,
    /// Who pays fees and rent instead of the signer (a relayer); a signer as for -k
    #[arg(long = "fee-payer", global = true, value_name = "SIGNER")]
    pub fee_payer: Option<PathBuf>,
    /// Commitment to read and confirm at [default: config's, else confirmed]
    #[arg(long, global = true, value_enum)]
    pub commitment: Option<CommitmentArg>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// The data-pool program id [default: the built-in id]
    #[arg(long = "program-id", global = true, value_name = "PUBKEY")]
    pub program_id: Option<String>,
    /// Skip confirmation prompts
    #[arg(short = 'y', long = "yes", global = true)]
    pub yes: bool,
    /// Priority fee in micro-lamports per compute unit
    #[arg(
        long = "with-compute-unit-price",
        global = true,
        value_name = "MICROLAMPORTS"
    )]
    pub compute_unit_price: Option<u64>,
    /// Offline signing.
    #[command(flatten)]
    pub offline: OfflineArgs,
}

/// Commitment levels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CommitmentArg {
    /// Processed by the node.
    Processed,
    /// Voted on by a supermajority.
    Confirmed,
    /// Rooted.
    Finalized,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// Pretty JSON.
    Json,
    /// One-line JSON.
    JsonCompact,
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, inspect and administer pools
    #[command(subcommand)]
    Pool(PoolCmd),
    /// Manage a pool's attestors
    #[command(subcommand)]
    Attestor(AttestorCmd),
    /// Manage a pool's custodians and deliver approved sales (custodians)
    #[command(subcommand)]
    Custodian(CustodianCmd),
    /// Fetch and verify a delivered dataset (buyers)
    #[command(subcommand)]
    Dataset(DatasetCmd),
    /// Sign an attestation for a contributor's data (attestors): from a hash and score given, with
    /// no network; from an export, reading the pool's maximum score unless --max-score is given
    Attest(AttestArgs),
    /// Submit an attested contribution to a pool (an attestation file, or an export and an attestor service)
    Contribute {
        /// The pool
        pool: String,
        /// Attestation file written by `datapool attest`
        #[arg(long, value_name = "FILE", conflicts_with_all = ["file", "attestor_url"], required_unless_present = "file")]
        attestation: Option<PathBuf>,
        /// Spotify export (JSON files, .zip or a folder): hashed here, attested by --attestor-url
        #[arg(long, value_name = "EXPORT", requires = "attestor_url")]
        file: Vec<PathBuf>,
        /// The attestor service to send the export to
        #[arg(long, value_name = "URL")]
        attestor_url: Option<String>,
    },
    /// List, show, leave with and invalidate contributions
    #[command(subcommand)]
    Contribution(ContributionCmd),
    /// Make, inspect, settle and cancel sale offers
    #[command(subcommand)]
    Offer(OfferCmd),
    /// Vote on an open offer with your data-share weight
    Vote {
        /// The offer
        offer: String,
        /// Vote to sell
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        /// Vote not to sell
        #[arg(long)]
        reject: bool,
    },
    /// Claim what the pool owes you
    Claim {
        /// The pool
        pool: String,
        /// Token account to receive [default: your associated token account, created if missing]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<String>,
    },
    /// A contributor's weight, share, owed and claimed amounts
    #[command(subcommand)]
    Contributor(ContributorCmd),
    /// Prove a pool's books from chain state and history (exit 0 sound, 1 violation, 2 could not audit)
    Audit {
        /// The pool
        pool: String,
        /// Also write the report as one self-contained HTML page
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Check state only; do not read the transaction history
        #[arg(long)]
        no_history: bool,
    },
    /// A pool's decoded event history; --follow prints new events as they happen
    Events {
        /// The pool
        pool: String,
        /// Keep listening (PubSub logs subscription) until interrupted
        #[arg(long)]
        follow: bool,
        /// Only the last N events of the history
        #[arg(long, value_name = "N")]
        limit: Option<usize>,
    },
    /// The Unwrapped story end to end (embedded chain unless --url is given)
    Demo(DemoArgs),
    /// Generate keypairs
    #[command(subcommand)]
    Keypair(KeypairCmd),
    /// Print the signer's address (-k)
    Address,
    /// Print the cluster's latest blockhash, for signing offline with --blockhash
    Blockhash,
    /// Print an account's SOL balance [default: the signer's]
    Balance {
        /// The account
        address: Option<String>,
    },
    /// Request SOL from the cluster's faucet (localnet, devnet, testnet; the embedded chain)
    Airdrop {
        /// SOL to request
        amount: String,
        /// Who gets it [default: the signer]
        address: Option<String>,
    },
    /// A test payout mint and tokens (not on mainnet)
    #[command(subcommand)]
    TestMint(TestMintCmd),
    /// Read and write the Solana CLI config file (`solana config get/set`)
    #[command(subcommand)]
    Config(ConfigCmd),
    /// Print a shell completion script (e.g. `datapool completions bash > /etc/bash_completion.d/datapool`)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
}

/// `pool …`
#[derive(Debug, Subcommand)]
pub enum PoolCmd {
    /// Create a pool (you become its curator)
    Create {
        /// Pool name (1 to 32 bytes; with your key it makes the pool's address)
        name: String,
        /// Payout mint (SPL Token or Token-2022). Sale fees collect in the pool's own fee vault;
        /// take them out with `pool withdraw-fees`
        #[arg(long)]
        mint: String,
        /// Parameters.
        #[command(flatten)]
        params: ParamsArgs,
        /// After a wind-down, how long contributors have to claim and leave before the rest
        /// may be swept and the pool closed (30d to 3650d; fixed for the pool's life)
        #[arg(long, value_name = "DURATION", default_value = "365d")]
        claim_window: String,
    },
    /// Wind a pool down: no new contributions or offers; its claim window starts (curator)
    WindDown {
        /// The pool
        pool: String,
    },
    /// Close a wound-down pool after its claim window: sweep what is left in its vaults to a
    /// token account, close the vaults, its attestor and custodian records and the pool, rent
    /// back to whoever paid it (curator)
    Close {
        /// The pool
        pool: String,
        /// Token account for what is left in the vaults [default: your associated token account]
        #[arg(long)]
        to: Option<String>,
    },
    /// Show a pool
    Show {
        /// The pool
        pool: String,
    },
    /// List the program's pools
    List {
        /// Only pools with this curator
        #[arg(long)]
        authority: Option<String>,
    },
    /// Change parameters (they apply to offers made afterwards)
    Update {
        /// The pool
        pool: String,
        /// Parameters to change.
        #[command(flatten)]
        params: ParamsArgs,
    },
    /// Stop new contributions and offers (claims and refunds still work)
    Pause {
        /// The pool
        pool: String,
    },
    /// Resume a paused pool
    Unpause {
        /// The pool
        pool: String,
    },
    /// Move sale fees from the pool's fee vault to a token account (curator)
    WithdrawFees {
        /// The pool
        pool: String,
        /// How much, in the mint's units (default: every fee not yet withdrawn)
        #[arg(long)]
        amount: Option<String>,
        /// Token account of the payout mint to pay (default: your associated token account,
        /// created if missing)
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<String>,
    },
    /// Hand the pool to a new curator (two steps)
    #[command(subcommand)]
    Authority(AuthorityCmd),
    /// Create or bring a pool in line with a config file (re-runnable; see migrations/)
    Apply {
        /// TOML config file
        config: PathBuf,
    },
}

/// Pool parameters: at creation the ones not given take their defaults; in an update they
/// keep their current values.
#[derive(Clone, Debug, Default, Args)]
pub struct ParamsArgs {
    /// Curator fee on each sale, in basis points [create default: 500]
    #[arg(long)]
    pub fee_bps: Option<u16>,
    /// Share of the snapshot weight that must vote, in basis points [create default: 5000]
    #[arg(long)]
    pub quorum_bps: Option<u16>,
    /// Share of the voted weight that must approve, in basis points [create default: 6000]
    #[arg(long)]
    pub approval_bps: Option<u16>,
    /// Voting period of offers, e.g. 90s, 3d [create default: 3d]
    #[arg(long)]
    pub voting_period: Option<String>,
    /// Lowest offer price, in the mint's units [create default: 1]
    #[arg(long)]
    pub min_price: Option<String>,
    /// Highest score one contribution may carry [create default: 1000000]
    #[arg(long)]
    pub max_score: Option<u64>,
    /// Time a custodian has to deliver an approved sale, e.g. 1h, 7d [create default: 7d]
    #[arg(long)]
    pub delivery_period: Option<String>,
}

/// `pool authority …`
#[derive(Debug, Subcommand)]
pub enum AuthorityCmd {
    /// Propose a new curator (the current curator signs)
    Propose {
        /// The pool
        pool: String,
        /// The proposed curator
        new_authority: String,
    },
    /// Accept the curator role (the proposed curator signs)
    Accept {
        /// The pool
        pool: String,
    },
}

/// `attestor …`
#[derive(Debug, Subcommand)]
pub enum AttestorCmd {
    /// Register an attestor key (curator)
    Add {
        /// The pool
        pool: String,
        /// The attestor's signing key
        key: String,
    },
    /// Deactivate an attestor key (curator)
    Remove {
        /// The pool
        pool: String,
        /// The attestor's signing key
        key: String,
    },
    /// List a pool's attestors
    List {
        /// The pool
        pool: String,
    },
    /// Run the attestor service (HTTP): POST /attest?wallet=<PUBKEY> with an export, GET /health.
    /// Signs with -k/--keypair.
    Serve {
        /// The pool it attests for
        #[arg(long)]
        pool: String,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8787")]
        bind: String,
        /// Largest upload, bytes
        #[arg(long, default_value_t = 256 * 1024 * 1024)]
        max_body: usize,
        /// Uploads processed at once (more get 503)
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// Validity of attestations
        #[arg(long, default_value = "1h")]
        ttl: String,
        /// Score cap [default: the pool's max score, read from the chain]
        #[arg(long)]
        max_score: Option<u64>,
        /// Store contributors' records here (a directory or s3://bucket/prefix) and serve
        /// deliveries to their buyers: enables PUT /v1/records and GET /v1/deliveries
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Custodian keys records are encrypted to [default: the pool's active custodians]
        #[arg(long = "custodian", value_name = "PUBKEY")]
        custodians: Vec<String>,
        /// How often stored records of contributions taken out or invalidated are deleted
        #[arg(long, default_value = "10m")]
        sweep_every: String,
        /// Requests one client address may make per minute (more get 429); 0: no limit
        #[arg(long, default_value_t = 120)]
        rate_limit: u32,
        /// No access log (by default one line per request on stderr: time, method, path,
        /// status, bytes, duration)
        #[arg(long)]
        no_access_log: bool,
        /// Add the client's address and the query string (it names the wallet) to the access log
        #[arg(long, conflicts_with = "no_access_log")]
        log_clients: bool,
        /// Who is who: the key and the index of identity commitments
        #[command(flatten)]
        identity: IdentityArgs,
    },
}

/// `contribution …`
#[derive(Debug, Subcommand)]
pub enum ContributionCmd {
    /// List a pool's contributions (one contributor record each)
    List {
        /// The pool
        pool: String,
        /// Only this wallet's
        #[arg(long)]
        contributor: Option<String>,
    },
    /// Show one contribution
    Show {
        /// The contribution address
        contribution: String,
    },
    /// Leave: take your contribution out of the pool, claim what it is owed and close its
    /// record (its rent goes back to whoever paid it)
    #[command(alias = "revoke")]
    Leave {
        /// The contribution address
        contribution: String,
    },
    /// After a wound-down pool's claim window, close a record its contributor left behind
    /// (anyone): rent to its payer, unclaimed payout forfeited
    Reap {
        /// The contribution address
        contribution: String,
    },
    /// Invalidate a contribution (its attestor or the curator)
    Invalidate {
        /// The contribution address
        contribution: String,
    },
}

/// Offer states for filtering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OfferStateArg {
    /// Voting or awaiting finalize.
    Open,
    /// Approved; the price waits in escrow for a custodian's delivery.
    AwaitingDelivery,
    /// Sold and delivered.
    Accepted,
    /// Refused (or could not be credited) and refunded.
    Rejected,
    /// Withdrawn by the buyer.
    Cancelled,
    /// Approved but not delivered in time, and refunded.
    Undelivered,
}

/// `offer …`
#[derive(Debug, Subcommand)]
pub enum OfferCmd {
    /// Offer to buy the pool's data: the price goes into escrow until the vote decides
    Create {
        /// The pool
        pool: String,
        /// Price in the mint's units (e.g. 55000)
        #[arg(long)]
        price: String,
        #[command(flatten)]
        terms: TermsArgs,
        /// Where the terms can be read
        #[arg(long, value_name = "URI", default_value = "")]
        terms_uri: String,
        /// Token account paying [default: your associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        from: Option<String>,
        /// Token account refunds go to [default: the paying account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        refund_to: Option<String>,
    },
    /// List a pool's offers
    List {
        /// The pool
        pool: String,
        /// Only offers in this state
        #[arg(long, value_enum)]
        state: Option<OfferStateArg>,
    },
    /// Show an offer with its tally
    Show {
        /// The offer
        offer: String,
    },
    /// Withdraw your open offer before the vote decides it; the escrow comes back
    Cancel {
        /// The offer
        offer: String,
        /// Token account for the refund [default: the offer's refund account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<String>,
    },
    /// Settle a decided offer: pay the pool and the fee, or refund the buyer (anyone may call)
    Finalize {
        /// The offer
        offer: String,
    },
    /// Take back a rejected offer's escrow that could not be refunded automatically (buyer)
    Refund {
        /// The offer
        offer: String,
        /// Token account to receive [default: your associated token account]
        #[arg(long, value_name = "TOKEN_ACCOUNT")]
        to: Option<String>,
    },
    /// Close a rejected, cancelled or undelivered offer (anyone): its rent goes back to
    /// whoever paid it
    Close {
        /// The offer
        offer: String,
    },
}

/// `contributor …`
#[derive(Debug, Subcommand)]
pub enum ContributorCmd {
    /// A wallet's weight, share of the pool, records and what it is owed
    Show {
        /// The pool
        pool: String,
        /// The wallet [default: yours]
        wallet: Option<String>,
    },
    /// Every contributor (wallet) of a pool
    List {
        /// The pool
        pool: String,
    },
}

/// `demo …`
#[derive(Clone, Debug, Args)]
pub struct DemoArgs {
    /// Number of contributors
    #[arg(long, default_value_t = 1_000)]
    pub contributors: u64,
    /// Share of contributors who vote, percent
    #[arg(long, default_value_t = 55)]
    pub turnout: u64,
    /// Price the buyer offers, in USDC
    #[arg(long, default_value = "55000")]
    pub price: String,
    /// Seed of the pseudo-random choices (scores, who votes)
    #[arg(long, default_value_t = 2024)]
    pub seed: u64,
    /// Transactions in flight at once (RPC chains)
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Where records and the delivery are stored: a directory or s3://bucket/prefix
    /// [default: a new temporary directory]
    #[arg(long, value_name = "URL")]
    pub store: Option<String>,
    /// The slice the buyer buys: `rows` or `aggregate:k=N`
    #[arg(long, default_value = "rows")]
    pub slice: String,
    /// Write the buyer's verified Parquet files here
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the closing audit as one self-contained HTML page
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}
