//! The Unwrapped sale: a payout mint, a pool with three attestors, N contributors with varied
//! attested scores (most modest, a few heavy listeners), a buyer's offer paid into escrow, votes
//! from a share of the contributors (most in favour), finalize, every contributor claiming, the
//! curator withdrawing the fee, every contributor leaving with its deposit, the closing audit
//! (docs/PROTOCOL.md invariants and the event history), and the pool wound down and closed.

use std::time::Instant;

use data_pool::state::{OfferState, PoolParams};
use serde::Serialize;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::{derived_keypair, synthetic_records, Person, Stage, StoryError, LAMPORTS_PER_SOL};
use crate::chain::Chain;
use crate::checks::Check;
use crate::dataset::{DatasetFile, Slice, Terms};
use crate::instructions::{self as ix, OfferCreateArgs, PoolCreateArgs};
use crate::pda::find_offer_pda;
use crate::query;
use crate::rng::Rng;
use crate::store::Store;

/// Decimals of the story's USDC-like payout mint.
pub const DECIMALS: u8 = 6;

/// How the story is told.
#[derive(Clone, Debug)]
pub struct Config {
    /// Contributors (1 to 100,000).
    pub contributors: u64,
    /// Share of contributors who vote, percent.
    pub turnout: u64,
    /// The buyer's price, in base units of the payout mint.
    pub price: u64,
    /// Seed of the pseudo-random choices (scores, who votes, how).
    pub seed: u64,
    /// Transactions in flight at once.
    pub concurrency: usize,
    /// Where contributors' records and the delivery are stored.
    pub store: Store,
    /// The slice the buyer's offer names.
    pub slice: Slice,
}

impl Config {
    /// Checks the ranges; nothing is sent when this fails.
    pub fn validate(&self) -> Result<(), StoryError> {
        if self.contributors == 0 || self.contributors > 100_000 {
            return Err(StoryError::Input(
                "--contributors must be 1 to 100000".into(),
            ));
        }
        if self.turnout > 100 {
            return Err(StoryError::Input(
                "--turnout is a percentage, 0 to 100".into(),
            ));
        }
        if self.price < 1_000_000 {
            return Err(StoryError::Input(
                "--price must be at least 1 (the pool's minimum)".into(),
            ));
        }
        Ok(())
    }
}

/// One of the largest shares of the pool.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TopShare {
    /// The contributor's number in the story.
    pub contributor: u64,
    /// Weight.
    pub weight: u64,
    /// Share of the pool's weight, percent.
    pub share_percent: f64,
    /// What that share of the distributed amount comes to, base units.
    pub expected_payout: u64,
}

/// The story's outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Chain it ran on.
    pub chain: String,
    /// The pool.
    pub pool: String,
    /// The offer.
    pub offer: String,
    /// Contributors.
    pub contributors: u64,
    /// Total weight.
    pub total_weight: u64,
    /// Voters whose vote was counted.
    pub voters: u64,
    /// Votes sent after the votes had already decided the offer: refused, since a decision is
    /// final.
    pub votes_after_decision: u64,
    /// Share of the snapshot weight that voted, percent.
    pub turnout_weight_percent: f64,
    /// Approving weight.
    pub yes_weight: String,
    /// Rejecting weight.
    pub no_weight: String,
    /// Final state of the offer.
    pub outcome: String,
    /// Price in base units.
    pub price: u64,
    /// Curator fee paid.
    pub fee: u64,
    /// Credited to contributors.
    pub distributed: u64,
    /// Contributions in the delivered set (0 when nothing was delivered).
    pub delivered_contributions: u64,
    /// Bytes of the delivery's manifest and files.
    pub delivered_bytes: u64,
    /// The slice delivered.
    pub slice: String,
    /// Rows (for `rows`) or groups kept (for `aggregate`) in the files the buyer verified.
    pub delivered_rows: u64,
    /// The files the buyer fetched and verified.
    pub delivered_files: Vec<String>,
    /// Where records and the delivery are stored.
    pub store: String,
    /// Bytes of contributors' sealed records in the store.
    pub records_bytes: u64,
    /// Seconds spent building and storing contributors' sealed records.
    pub records_seconds: f64,
    /// Seconds the custodian took to build, seal, store and record the delivery.
    pub deliver_seconds: f64,
    /// Seconds the buyer took to fetch, open and verify it.
    pub fetch_seconds: f64,
    /// Claimed by contributors.
    pub claimed: u64,
    /// Smallest payout.
    pub payout_min: u64,
    /// Median payout.
    pub payout_median: u64,
    /// Largest payout.
    pub payout_max: u64,
    /// Left in the vault (rounding dust).
    pub vault_dust: u64,
    /// Transactions sent.
    pub transactions: u64,
    /// Compute units used by them.
    pub compute_units: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The five largest shares.
    pub top_shares: Vec<TopShare>,
    /// Invariant verdicts.
    pub invariants: Vec<Check>,
    /// Cross-checks of the event history against the pool's totals.
    pub history_checks: Vec<Check>,
    /// Seconds the closing audit (snapshot, invariants, history) took.
    pub audit_seconds: f64,
    /// How the pool ended: contributors left, wound down, closed.
    pub ending: super::Ending,
    /// The closing audit, whole (for the HTML report), taken before the pool closed.
    #[serde(skip)]
    pub report: crate::audit::AuditReport,
    /// The verified files, opened (for the caller to write out).
    #[serde(skip)]
    pub dataset: Vec<DatasetFile>,
}

impl Summary {
    /// Whether every invariant and history check holds.
    pub fn sound(&self) -> bool {
        self.invariants
            .iter()
            .chain(&self.history_checks)
            .all(|c| c.ok)
    }
}

/// Tells the Unwrapped story on `stage`'s chain. On an embedded chain the payer is funded from
/// the test faucet; on a node it needs about 0.01 SOL per contributor (the faucet is asked).
pub async fn run<C: Chain>(stage: &Stage<'_, C>, cfg: &Config) -> Result<Summary, StoryError> {
    cfg.validate()?;
    let started = Instant::now();
    let (chain, p) = (stage.chain, &stage.program_id);
    let n = cfg.contributors;
    let mut rng = Rng::new(cfg.seed);
    let need = if chain.is_embedded() {
        10_000 * LAMPORTS_PER_SOL
    } else {
        n.saturating_mul(LAMPORTS_PER_SOL / 100)
            .saturating_add(LAMPORTS_PER_SOL)
    };
    stage.ensure_funded(need).await?;

    let market = stage.market(DECIMALS, Keypair::new(), cfg.price).await?;
    // Unique per run (the mint is new), so stories can repeat on one cluster.
    let name = format!("unwrapped-{}", &market.mint.pubkey().to_string()[..8]);
    let voting_period = if chain.is_embedded() {
        3 * 86_400
    } else {
        60 + (n * cfg.turnout / 100 / 4) as i64
    };
    let args = PoolCreateArgs {
        name: name.clone(),
        params: PoolParams {
            fee_bps: 500,
            quorum_bps: 3_000,
            // A simple majority of the voted weight; with most voters in favour the sale is
            // decided early (approving weight alone past the thresholds), as in the Unwrapped vote.
            approval_bps: 5_000,
            voting_period,
            min_offer_price: 1_000_000,
            max_score: 100_000,
            delivery_period: 7 * 86_400,
        },
        claim_window: ix::DEFAULT_CLAIM_WINDOW,
    };
    let attestors: Vec<Keypair> = (0..3)
        .map(|i| {
            derived_keypair(&format!(
                "datapool-demo/{}/attestor/{i}",
                cfg.seed ^ rng.next_u64()
            ))
        })
        .collect();
    let custodian = derived_keypair(&format!(
        "datapool-demo/{}/custodian",
        cfg.seed ^ rng.next_u64()
    ));
    let pool = stage
        .pool(&market, args, &attestors, std::slice::from_ref(&custodian))
        .await?;
    stage.progress.note(&format!("pool {name} at {pool}"));

    let run_salt = rng.next_u64();
    let scores: Vec<u64> = (0..n)
        .map(|_| {
            let base = 50 + rng.below(950);
            let score = if rng.below(20) == 0 { base * 20 } else { base };
            score.min(100_000)
        })
        .collect();
    // Each contributor's listening history, stored sealed to the custodian (as the pool's data
    // service stores an upload); its hash is the contribution's data hash.
    let records: Vec<_> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| synthetic_records(run_salt, i as u64, (s / 5).clamp(20, 400)))
        .collect();
    let records_started = Instant::now();
    let hashes = stage
        .store_records(
            &cfg.store,
            &pool,
            &[custodian.pubkey()],
            records,
            cfg.concurrency,
        )
        .await?;
    let records_seconds = records_started.elapsed().as_secs_f64();
    let people: Vec<Person> = (0..n)
        .map(|i| Person {
            wallet: derived_keypair(&format!(
                "datapool-demo/{}/contributor/{i}",
                cfg.seed ^ run_salt
            )),
            // Each synthetic listener is a different person: a distinct identity commitment.
            identity: Sha256::digest(format!("datapool-demo/{run_salt}/person/{i}")).into(),
            data_hash: hashes[i as usize],
            score: scores[i as usize],
        })
        .collect();
    stage
        .contribute(&pool, &people, &attestors, cfg.concurrency)
        .await?;

    // The buyer's offer, paid into escrow; its terms name the slice.
    let pool_state = query::pool(chain, p, &pool).await?;
    let tokens = crate::instructions::PoolTokens::of(&pool_state);
    let terms = Terms::new(
        cfg.slice,
        Some(b"Unwrapped x AI lab: 12 months of listening histories of the pool, for model training."),
    );
    let offer = find_offer_pda(p, &pool, 0).0;
    let args = OfferCreateArgs {
        index: 0,
        price: cfg.price,
        terms_hash: terms.hash(),
        terms_uri: terms.to_uri(),
    };
    let buyer = &market.buyer;
    let create = ix::offer_create(
        p,
        &stage.payer.pubkey(),
        &buyer.pubkey(),
        &pool,
        &tokens,
        &market.buyer_account,
        &market.buyer_account,
        args,
    );
    stage.send(&[create], &[buyer]).await?;
    stage.progress.note(&format!(
        "offer {offer} for {} USDC in escrow",
        crate::units::format_amount(u128::from(cfg.price), DECIMALS)
    ));

    // Votes: a realistic share of contributors, most in favour (heavy listeners have most to
    // gain from a sale and mostly approve).
    let mut votes: Vec<(&Person, bool)> = Vec::new();
    for person in &people {
        if rng.below(100) < cfg.turnout {
            let approve_pct = if person.score > 1_000 { 95 } else { 85 };
            votes.push((person, rng.below(100) < approve_pct));
        }
    }
    let counted = stage.vote(&pool, &offer, votes, cfg.concurrency).await?;
    let votes_after_decision = counted.iter().filter(|c| !**c).count() as u64;

    let mut o = stage.finalize(&pool, &offer).await?;
    let mut delivered = None;
    let mut verified = None;
    let (mut deliver_seconds, mut fetch_seconds) = (0.0, 0.0);
    if o.state == OfferState::AwaitingDelivery {
        let t = Instant::now();
        let (manifest, _, receipt) = stage
            .deliver(&offer, &custodian, &terms, &cfg.store)
            .await?;
        deliver_seconds = t.elapsed().as_secs_f64();
        delivered = Some((manifest.contributions.len() as u64, receipt.size));
        o = query::offer(chain, p, &offer).await?;
        let t = Instant::now();
        let v = stage.fetch(&offer, buyer, &cfg.store).await?;
        fetch_seconds = t.elapsed().as_secs_f64();
        stage.progress.note(&format!(
            "buyer verified {} ({} rows) against the on-chain receipt",
            v.files
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            v.rows
        ));
        verified = Some(v);
    }
    let records_bytes = cfg
        .store
        .list(&crate::store::records_prefix(&pool))
        .await?
        .iter()
        .map(|l| l.size)
        .sum();
    let claimers: Vec<&Person> = if o.state == OfferState::Accepted {
        people.iter().collect()
    } else {
        vec![]
    };
    let mut payouts = stage.claim(&pool, claimers, cfg.concurrency).await?;
    payouts.sort_unstable();
    if o.fee_paid > 0 {
        stage.withdraw_fees(&pool, &market.payer_account).await?;
    }
    // Everyone leaves with the deposit back; the audit then proves the books with every record
    // closed, and the curator winds the pool down and closes it.
    let deposits_returned = stage
        .leave(&pool, people.iter().collect(), cfg.concurrency)
        .await?;

    let audit = crate::audit::audit(chain, p, &pool, true).await?;
    let final_pool = query::pool(chain, p, &pool).await?;
    let vault = query::token_account(chain, &final_pool.vault).await?.amount;
    let mut ending = stage
        .wind_down(&pool, &market.payer_account, &[offer])
        .await?;
    ending.left = n;
    ending.deposits_returned = deposits_returned;
    let voted = o.yes_weight + o.no_weight;
    let total_weight = pool_state.total_weight;
    let percent = |x: u128, of: u128| {
        if of == 0 {
            0.0
        } else {
            (x as f64) * 100.0 / (of as f64)
        }
    };
    let round2 = |v: f64| (v * 100.0).round() / 100.0;
    let mut top: Vec<(u64, u64)> = people
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u64, p.score))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let top_shares = top
        .iter()
        .take(5)
        .map(|(i, w)| TopShare {
            contributor: *i,
            weight: *w,
            share_percent: (percent((*w).into(), total_weight.into()) * 1000.0).round() / 1000.0,
            expected_payout: (u128::from(o.net_distributed) * u128::from(*w)
                / u128::from(total_weight.max(1))) as u64,
        })
        .collect();
    Ok(Summary {
        chain: chain.label(),
        pool: pool.to_string(),
        offer: offer.to_string(),
        contributors: n,
        total_weight,
        voters: o.voter_count,
        votes_after_decision,
        turnout_weight_percent: round2(percent(voted, o.snapshot_total_weight.into())),
        yes_weight: o.yes_weight.to_string(),
        no_weight: o.no_weight.to_string(),
        outcome: query::offer_state_name(&o.state).into(),
        price: cfg.price,
        fee: o.fee_paid,
        distributed: o.net_distributed,
        delivered_contributions: delivered.map(|d| d.0).unwrap_or(0),
        delivered_bytes: delivered.map(|d| d.1).unwrap_or(0),
        slice: cfg.slice.to_string(),
        delivered_rows: verified.as_ref().map(|v| v.rows).unwrap_or(0),
        delivered_files: verified
            .as_ref()
            .map(|v| v.files.iter().map(|f| f.name.clone()).collect())
            .unwrap_or_default(),
        store: cfg.store.url().to_string(),
        records_bytes,
        records_seconds: round2(records_seconds),
        deliver_seconds: round2(deliver_seconds),
        fetch_seconds: round2(fetch_seconds),
        claimed: payouts.iter().sum(),
        payout_min: payouts.first().copied().unwrap_or(0),
        payout_median: payouts.get(payouts.len() / 2).copied().unwrap_or(0),
        payout_max: payouts.last().copied().unwrap_or(0),
        vault_dust: vault,
        transactions: stage.tally.transactions(),
        compute_units: stage.tally.compute_units(),
        seconds: round2(started.elapsed().as_secs_f64()),
        top_shares,
        invariants: audit.invariants.clone(),
        history_checks: audit
            .history
            .as_ref()
            .map(|h| h.checks.clone())
            .unwrap_or_default(),
        audit_seconds: round2(audit.seconds),
        ending,
        report: audit,
        dataset: verified.map(|v| v.files).unwrap_or_default(),
    })
}
