//! The typed commands the resolve step produces, and the typed values inside them.

use std::net::SocketAddr;
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{OfferState, PoolParams};
use data_pool_client::attestation::AttestationFile;
use data_pool_client::dataset::Terms;
use data_pool_client::story::unwrapped;
use data_pool_client::units::parse_amount;
use serde::Deserialize;
use solana_keypair::Keypair;

use crate::error::CliError;

/// An amount as typed, in the mint's units (`55000`, `0.5`); converted to base units once the
/// mint's decimals are known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Amount(String);

impl Amount {
    /// Checks the shape: digits with at most one decimal point.
    pub fn parse(text: &str, flag: &str) -> Result<Self, CliError> {
        let t = text.trim().replace('_', "");
        let mut parts = t.splitn(2, '.');
        let whole = parts.next().unwrap_or_default();
        let frac = parts.next().unwrap_or_default();
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && frac.is_empty()) || !digits(whole) || !digits(frac) {
            return Err(CliError::input(format!(
                "{flag} {text:?} is not an amount: give a number like 55000 or 0.25"
            )));
        }
        Ok(Amount(t))
    }

    /// Base units at `decimals`.
    pub fn base_units(&self, decimals: u8) -> Result<u64, CliError> {
        parse_amount(&self.0, decimals).map_err(CliError::input)
    }
}

/// Pool parameters as given (`None`: the current value in an update, the default at creation).
/// The price waits for the mint's decimals.
#[derive(Clone, Debug, Default)]
pub struct ParamsChange {
    /// Curator fee, basis points.
    pub fee_bps: Option<u16>,
    /// Quorum, basis points.
    pub quorum_bps: Option<u16>,
    /// Approval threshold, basis points.
    pub approval_bps: Option<u16>,
    /// Voting period, seconds.
    pub voting_period: Option<i64>,
    /// Lowest offer price.
    pub min_price: Option<Amount>,
    /// Highest score per contribution.
    pub max_score: Option<u64>,
    /// Delivery period, seconds.
    pub delivery_period: Option<i64>,
}

impl ParamsChange {
    /// The parameters of a new pool when none are given.
    pub const DEFAULTS: PoolParams = PoolParams {
        fee_bps: 500,
        quorum_bps: 5_000,
        approval_bps: 6_000,
        voting_period: 3 * 86_400,
        min_offer_price: 0,
        max_score: 1_000_000,
        delivery_period: 7 * 86_400,
    };

    /// The parameters these changes make of `base` (the defaults, with a minimum price of one
    /// whole unit, when `None`), for a mint of `decimals`, checked as the program checks them.
    pub fn over(&self, base: Option<&PoolParams>, decimals: u8) -> Result<PoolParams, CliError> {
        let one = 10u64
            .checked_pow(u32::from(decimals))
            .ok_or_else(|| CliError::input(format!("a mint with {decimals} decimals")))?;
        let base = base.copied().unwrap_or(PoolParams {
            min_offer_price: one,
            ..Self::DEFAULTS
        });
        let p = PoolParams {
            fee_bps: self.fee_bps.unwrap_or(base.fee_bps),
            quorum_bps: self.quorum_bps.unwrap_or(base.quorum_bps),
            approval_bps: self.approval_bps.unwrap_or(base.approval_bps),
            voting_period: self.voting_period.unwrap_or(base.voting_period),
            min_offer_price: match &self.min_price {
                Some(a) => a.base_units(decimals)?,
                None => base.min_offer_price,
            },
            max_score: self.max_score.unwrap_or(base.max_score),
            delivery_period: self.delivery_period.unwrap_or(base.delivery_period),
        };
        p.validate().map_err(|e| {
            CliError::input(format!("invalid pool parameters: {e}")).with_hint(
                "fee, quorum and approval are basis points up to 10000 (approval at least 1); \
                 the voting period 1 minute to 365 days; the delivery period 1 minute to 90 \
                 days; price and max score at least 1",
            )
        })?;
        Ok(p)
    }

    /// Whether nothing is given.
    pub fn is_empty(&self) -> bool {
        self.fee_bps.is_none()
            && self.quorum_bps.is_none()
            && self.approval_bps.is_none()
            && self.voting_period.is_none()
            && self.min_price.is_none()
            && self.max_score.is_none()
            && self.delivery_period.is_none()
    }
}

/// A pool config file for `pool apply` (see `migrations/pool.example.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfigFile {
    /// Pool name (with the curator's key it makes the pool's address).
    pub name: String,
    /// Payout mint.
    pub mint: String,
    /// Curator fee, bps.
    pub fee_bps: u16,
    /// Quorum, bps.
    pub quorum_bps: u16,
    /// Approval threshold, bps.
    pub approval_bps: u16,
    /// Voting period (`3d`, `90s`).
    pub voting_period: String,
    /// Minimum offer price in the mint's units.
    pub min_price: String,
    /// Highest score per contribution.
    pub max_score: u64,
    /// Delivery period (`7d`, `12h`; default 7 days).
    #[serde(default)]
    pub delivery_period: Option<String>,
    /// Attestor keys that must be active.
    #[serde(default)]
    pub attestors: Vec<String>,
    /// Deactivate active attestors not listed above.
    #[serde(default)]
    pub remove_unlisted_attestors: bool,
}

/// A pool config file, checked.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Pool name.
    pub name: String,
    /// Payout mint.
    pub mint: Pubkey,
    /// Parameters (all given).
    pub params: ParamsChange,
    /// Attestor keys that must be active.
    pub attestors: Vec<Pubkey>,
    /// Deactivate active attestors not listed.
    pub remove_unlisted_attestors: bool,
}

/// What `attest` signs: a Spotify export to score, or a hash and score given by hand.
#[derive(Clone, Debug)]
pub enum AttestSource {
    /// Export files (JSON, `.zip` or folders).
    Export(Vec<PathBuf>),
    /// A canonical data hash and its score.
    Given {
        /// The contributor's identity commitment.
        identity: [u8; 32],
        /// Data hash.
        hash: [u8; 32],
        /// Score.
        score: u64,
    },
}

/// `attest`, resolved.
#[derive(Debug)]
pub struct Attest {
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// What to sign.
    pub source: AttestSource,
    /// Score cap for exports (`None`: read the pool's).
    pub max_score: Option<u64>,
    /// The attestor's keypair.
    pub attestor: Keypair,
    /// Validity, seconds.
    pub ttl: i64,
    /// Where to write the attestation.
    pub out: Option<PathBuf>,
    /// The identity key and index (for exports).
    pub identities: crate::args::IdentityArgs,
}

/// `attestor serve`, resolved.
#[derive(Clone, Debug)]
pub struct Serve {
    /// The pool attested for.
    pub pool: Pubkey,
    /// Address to listen on.
    pub bind: SocketAddr,
    /// Largest upload, bytes.
    pub max_body: usize,
    /// Uploads processed at once.
    pub concurrency: usize,
    /// Validity of attestations, seconds.
    pub ttl: i64,
    /// Score cap (`None`: read the pool's).
    pub max_score: Option<u64>,
    /// Store for records and deliveries (`None`: attest only).
    pub store: Option<String>,
    /// Requests per minute per client address (0: no limit).
    pub rate_limit: u32,
    /// The access log.
    pub access_log: crate::service::AccessLog,
    /// Custodian keys records are sealed to (empty: the pool's active custodians).
    pub custodians: Vec<Pubkey>,
    /// Seconds between sweeps of the store.
    pub sweep_every: i64,
    /// The identity key and index.
    pub identities: crate::args::IdentityArgs,
}

/// Where `dataset fetch` reads a delivery.
#[derive(Clone, Debug)]
pub enum FetchFrom {
    /// The pool's data service (URL).
    Service(String),
    /// The store itself (URL).
    Store(String),
}

/// `offer create`, resolved.
#[derive(Clone, Debug)]
pub struct OfferCreate {
    /// The pool.
    pub pool: Pubkey,
    /// The price.
    pub price: Amount,
    /// The terms (their sha256 goes on chain).
    pub terms: Terms,
    /// Where the terms can be read.
    pub terms_uri: String,
    /// Paying token account (`None`: the buyer's associated account).
    pub from: Option<Pubkey>,
    /// Refund account (`None`: the paying account).
    pub refund_to: Option<Pubkey>,
}

/// A command, typed and checked.
#[derive(Debug)]
pub enum Action {
    /// `pool create`.
    PoolCreate {
        name: String,
        mint: Pubkey,
        params: ParamsChange,
        claim_window: i64,
    },
    /// `pool wind-down`.
    PoolWindDown { pool: Pubkey },
    /// `pool close`.
    PoolClose { pool: Pubkey, to: Option<Pubkey> },
    /// `pool show`.
    PoolShow { pool: Pubkey },
    /// `pool list`.
    PoolList { authority: Option<Pubkey> },
    /// `pool update`.
    PoolUpdate { pool: Pubkey, change: ParamsChange },
    /// `pool pause` (`pause`) or `pool unpause`.
    PoolPause { pool: Pubkey, pause: bool },
    /// `pool withdraw-fees`.
    PoolWithdrawFees {
        pool: Pubkey,
        amount: Option<Amount>,
        to: Option<Pubkey>,
    },
    /// `pool authority propose`.
    AuthorityPropose { pool: Pubkey, new_authority: Pubkey },
    /// `pool authority accept`.
    AuthorityAccept { pool: Pubkey },
    /// `pool apply`.
    PoolApply(PoolConfig),
    /// `attestor add` (`add`) or `attestor remove`.
    AttestorSet {
        pool: Pubkey,
        key: Pubkey,
        add: bool,
    },
    /// `attestor list`.
    AttestorList { pool: Pubkey },
    /// `attestor serve`.
    AttestorServe(Serve),
    /// `custodian add` (`add`) or `custodian remove`.
    CustodianSet {
        pool: Pubkey,
        key: Pubkey,
        add: bool,
    },
    /// `custodian list`.
    CustodianList { pool: Pubkey },
    /// `custodian deliver`.
    Deliver {
        offer: Pubkey,
        store: String,
        /// `None`: the terms the offer carries in its URI.
        terms: Option<Terms>,
    },
    /// `custodian sweep`.
    Sweep {
        pool: Pubkey,
        store: String,
        grace: i64,
    },
    /// `dataset fetch`.
    DatasetFetch {
        offer: Pubkey,
        from: FetchFrom,
        out: PathBuf,
    },
    /// `attest`.
    Attest(Box<Attest>),
    /// `contribute --attestation FILE`.
    ContributeAttestation {
        pool: Pubkey,
        file: Box<AttestationFile>,
        source: String,
    },
    /// `contribute --file EXPORT --attestor-url URL`.
    ContributeExport {
        pool: Pubkey,
        files: Vec<PathBuf>,
        attestor_url: String,
    },
    /// `contribution list`.
    ContributionList {
        pool: Pubkey,
        contributor: Option<Pubkey>,
    },
    /// `contribution show`.
    ContributionShow { contribution: Pubkey },
    /// `contribution leave` (`leave`) or `contribution invalidate`.
    ContributionEnd { contribution: Pubkey, leave: bool },
    /// `contribution reap`.
    ContributionReap { contribution: Pubkey },
    /// `offer create`.
    OfferCreate(OfferCreate),
    /// `offer list`.
    OfferList {
        pool: Pubkey,
        state: Option<OfferState>,
    },
    /// `offer show`.
    OfferShow { offer: Pubkey },
    /// `offer cancel` (`cancel`) or `offer refund`.
    OfferReturn {
        offer: Pubkey,
        to: Option<Pubkey>,
        cancel: bool,
    },
    /// `offer finalize`.
    OfferFinalize { offer: Pubkey },
    /// `offer close`.
    OfferClose { offer: Pubkey },
    /// `vote`.
    Vote { offer: Pubkey, approve: bool },
    /// `claim`.
    Claim { pool: Pubkey, to: Option<Pubkey> },
    /// `contributor show`.
    ContributorShow {
        pool: Pubkey,
        wallet: Option<Pubkey>,
    },
    /// `contributor list`.
    ContributorList { pool: Pubkey },
    /// `audit`.
    Audit {
        pool: Pubkey,
        html: Option<PathBuf>,
        history: bool,
    },
    /// `events`.
    Events {
        pool: Pubkey,
        follow: bool,
        limit: Option<usize>,
    },
    /// `demo`.
    Demo(unwrapped::Config, Option<PathBuf>, Option<PathBuf>),
    /// `keypair new` (`None`: the -k path, else the default).
    KeypairNew {
        outfile: Option<PathBuf>,
        force: bool,
        words: usize,
    },
    /// `address`.
    Address,
    /// `blockhash`.
    Blockhash,
    /// `balance`.
    Balance { address: Option<Pubkey> },
    /// `airdrop`.
    Airdrop {
        amount: Amount,
        address: Option<Pubkey>,
    },
    /// `config get`.
    ConfigGet,
    /// `config set`.
    ConfigSet,
    /// `completions`.
    Completions(clap_complete::Shell),
    /// `test-mint create`.
    TestMintCreate { decimals: u8 },
    /// `test-mint mint`.
    TestMint {
        mint: Pubkey,
        amount: Amount,
        to: Option<Pubkey>,
    },
}
