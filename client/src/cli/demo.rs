//! `datapool demo`: the Unwrapped story end to end on any chain. A payout mint and fee account, a
//! pool, three attestors, N contributors with varied attested scores, a buyer's offer paid into
//! escrow, votes from a share of contributors, finalize, every contributor claiming, then a
//! summary and the docs/PROTOCOL.md invariants.

use std::time::Instant;

use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::OfferState;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_signer::Signer;

use super::args::DemoArgs;
use super::commands::pool_tokens;
use super::output::{fields, table};
use super::{CliError, Ctx, Report};
use crate::attestation::sign_attestation;
use crate::chain::Chain;
use crate::checks::Check;
use crate::instructions::{self as ix, ContributionSubmitArgs, OfferCreateArgs, PoolCreateArgs};
use crate::pda::*;
use crate::query;
use crate::rng::Rng;
use crate::send::{self, Sent};
use crate::token;
use crate::units::{format_amount, parse_amount};

const DECIMALS: u8 = 6;
const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

fn derived_keypair(seed: u64, role: &str, i: u64) -> Keypair {
    let h: [u8; 32] = Sha256::digest(format!("datapool-demo/{seed}/{role}/{i}")).into();
    Keypair::new_from_array(h)
}

/// The demo's outcome.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoSummary {
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
    /// Invariant verdicts.
    pub invariants: Vec<Check>,
    /// Cross-checks of the event history against the pool's totals.
    pub history_checks: Vec<Check>,
    /// Seconds the closing audit (snapshot, invariants, history) took.
    pub audit_seconds: f64,
}

struct Phase {
    bar: Option<indicatif::ProgressBar>,
    label: &'static str,
    total: u64,
    quiet: bool,
}

impl Phase {
    fn new<C: Chain>(ctx: &Ctx<'_, C>, label: &'static str, total: u64) -> Self {
        let bar = ctx.progress.then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(
                indicatif::ProgressStyle::with_template(
                    "  {prefix:<14} [{bar:30}] {pos}/{len} {elapsed}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            b.set_prefix(label);
            b
        });
        Phase {
            bar,
            label,
            total,
            quiet: ctx.progress,
        }
    }
    fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }
    fn done(self) {
        match self.bar {
            Some(b) => b.finish(),
            None if !self.quiet => {
                eprintln!("  {:<14} {}/{} done", self.label, self.total, self.total)
            }
            None => {}
        }
    }
}

struct Tx {
    count: std::sync::atomic::AtomicU64,
    units: std::sync::atomic::AtomicU64,
}

impl Tx {
    fn add(&self, s: &Sent) {
        use std::sync::atomic::Ordering::Relaxed;
        self.count.fetch_add(1, Relaxed);
        self.units.fetch_add(s.compute_units, Relaxed);
    }
}

/// Runs `f` on every item, `concurrency` at a time, with a progress bar; fails on the first error.
async fn in_parallel<C: Chain, I, R, Fut>(
    ctx: &Ctx<'_, C>,
    label: &'static str,
    concurrency: usize,
    items: Vec<I>,
    f: impl Fn(I) -> Fut,
) -> Result<Vec<R>, CliError>
where
    Fut: std::future::Future<Output = Result<R, CliError>>,
{
    let phase = Phase::new(ctx, label, items.len() as u64);
    let results: Vec<Result<R, CliError>> = stream::iter(items)
        .map(|item| {
            let (fut, phase) = (f(item), &phase);
            async move {
                let r = fut.await;
                phase.inc();
                r
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    phase.done();
    results.into_iter().collect()
}

async fn send_as<C: Chain>(
    ctx: &Ctx<'_, C>,
    payer: &Keypair,
    ixs: &[Instruction],
    signers: &[&Keypair],
    tx: &Tx,
) -> Result<Sent, CliError> {
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let sent = send::send(
        ctx.chain,
        &ctx.program_id,
        ixs,
        &payer.pubkey(),
        &all,
        &ctx.send_opts,
    )
    .await?;
    tx.add(&sent);
    Ok(sent)
}

/// Runs the demo.
pub async fn run<C: Chain>(ctx: &Ctx<'_, C>, a: &DemoArgs) -> Result<Report, CliError> {
    if a.contributors == 0 || a.contributors > 100_000 {
        return Err(CliError::input("--contributors must be 1 to 100000"));
    }
    if a.turnout > 100 {
        return Err(CliError::input("--turnout is a percentage, 0 to 100"));
    }
    let price = parse_amount(&a.price, DECIMALS).map_err(CliError::input)?;
    let started = Instant::now();
    let n = a.contributors;
    let tx = Tx {
        count: 0.into(),
        units: 0.into(),
    };
    let mut rng = Rng::new(a.seed);
    let p = &ctx.program_id;
    let chain = ctx.chain;

    // The curator pays for everything (the relayer pattern: contributors and voters need no SOL).
    let payer = if chain.is_embedded() {
        let k = Keypair::new();
        chain
            .airdrop(&k.pubkey(), 10_000 * LAMPORTS_PER_SOL)
            .await?;
        k
    } else {
        let k = ctx.payer()?.insecure_clone();
        let need = n
            .saturating_mul(LAMPORTS_PER_SOL / 100)
            .saturating_add(LAMPORTS_PER_SOL);
        let have = chain.balance(&k.pubkey()).await?;
        if have < need {
            chain.airdrop(&k.pubkey(), need - have).await.map_err(|e| {
                CliError::failed(format!(
                    "{} holds {} SOL, the demo needs about {} SOL, and the faucet refused: {e}",
                    k.pubkey(),
                    format_amount(have.into(), 9),
                    format_amount(need.into(), 9)
                ))
            })?;
        }
        k
    };
    let curator = &payer;
    eprintln!(
        "datapool demo on {}: {n} contributors, {}% turnout, seed {}",
        chain.label(),
        a.turnout,
        a.seed
    );

    // Mint, the curator's token account (fees are withdrawn to it), buyer funds.
    let mint = Keypair::new();
    let tp = anchor_spl::token::ID;
    let rent = chain.rent_exempt_minimum(token::MINT_LEN).await?;
    let mut ixs = token::create_mint(
        &curator.pubkey(),
        &mint.pubkey(),
        &curator.pubkey(),
        DECIMALS,
        &tp,
        rent,
    )
    .map_err(CliError::failed)?;
    let curator_ata = token::associated_address(&curator.pubkey(), &mint.pubkey(), &tp);
    ixs.push(token::create_associated_idempotent(
        &curator.pubkey(),
        &curator.pubkey(),
        &mint.pubkey(),
        &tp,
    ));
    let buyer = Keypair::new();
    let buyer_ata = token::associated_address(&buyer.pubkey(), &mint.pubkey(), &tp);
    ixs.push(token::create_associated_idempotent(
        &curator.pubkey(),
        &buyer.pubkey(),
        &mint.pubkey(),
        &tp,
    ));
    ixs.push(
        token::mint_to(
            &tp,
            &mint.pubkey(),
            &buyer_ata,
            &curator.pubkey(),
            price,
            DECIMALS,
        )
        .map_err(CliError::failed)?,
    );
    send_as(ctx, &payer, &ixs, &[&mint], &tx).await?;

    // The pool and its attestors.
    // Unique per run (the mint is new), so demos can repeat on one cluster.
    let name = format!("unwrapped-{}", &mint.pubkey().to_string()[..8]);
    let voting_period = if chain.is_embedded() {
        3 * 86_400
    } else {
        60 + (n * a.turnout / 100 / 4) as i64
    };
    let args = PoolCreateArgs {
        name: name.clone(),
        fee_bps: 500,
        quorum_bps: 3_000,
        // A simple majority of the voted weight; with most voters in favour the sale is decided
        // early (approving weight alone past the thresholds), as in the Unwrapped vote.
        approval_bps: 5_000,
        voting_period,
        min_offer_price: 1_000_000,
        max_score: 100_000,
    };
    let create = ix::pool_create(
        p,
        &curator.pubkey(),
        &curator.pubkey(),
        &mint.pubkey(),
        &tp,
        args,
    );
    let pool = create.accounts[2].pubkey;
    let attestors: Vec<Keypair> = (0..3)
        .map(|i| derived_keypair(a.seed ^ rng.next_u64(), "attestor", i))
        .collect();
    let mut ixs = vec![create];
    ixs.extend(
        attestors
            .iter()
            .map(|k| ix::attestor_add(p, &curator.pubkey(), &curator.pubkey(), &pool, &k.pubkey())),
    );
    send_as(ctx, &payer, &ixs, &[], &tx).await?;
    eprintln!("  pool {name} at {pool}");

    // Contributors with varied scores: most modest, a few heavy listeners.
    let run_salt = rng.next_u64();
    let people: Vec<(Keypair, u64)> = (0..n)
        .map(|i| {
            let base = 50 + rng.below(950);
            let score = if rng.below(20) == 0 { base * 20 } else { base };
            (
                derived_keypair(a.seed ^ run_salt, "contributor", i),
                score.min(100_000),
            )
        })
        .collect();
    let expires_at = chain.unix_time().await?.saturating_add(3_600);
    let items: Vec<_> = people.iter().enumerate().collect();
    in_parallel(
        ctx,
        "contributions",
        a.concurrency,
        items,
        |(i, (k, score))| {
            let (attestors, payer, tx) = (&attestors, &payer, &tx);
            async move {
                let data_hash: [u8; 32] =
                    Sha256::digest(format!("streaming-history/{run_salt}/{i}")).into();
                let att = sign_attestation(
                    p,
                    &pool,
                    &k.pubkey(),
                    data_hash,
                    *score,
                    expires_at,
                    &attestors[i % 3],
                );
                let args = ContributionSubmitArgs {
                    data_hash,
                    score: *score,
                    expires_at,
                };
                let ixs = [
                    att.verify_ix(),
                    ix::contribution_submit(
                        p,
                        &payer.pubkey(),
                        &k.pubkey(),
                        &pool,
                        &att.attestor,
                        args,
                    ),
                ];
                send_as(ctx, payer, &ixs, &[k], tx).await.map(|_| ())
            }
        },
    )
    .await?;

    // The buyer's offer, paid into escrow.
    let pool_state = query::pool(chain, p, &pool).await?;
    let tokens = pool_tokens(&pool_state);
    let terms =
        b"Unwrapped x AI lab: 12 months of listening histories of the pool, for model training.";
    let offer = find_offer_pda(p, &pool, 0).0;
    let args = OfferCreateArgs {
        price,
        terms_hash: Sha256::digest(terms).into(),
        terms_uri: "https://example.org/terms".into(),
    };
    let create = ix::offer_create(
        p,
        &payer.pubkey(),
        &buyer.pubkey(),
        &pool,
        0,
        &tokens,
        &buyer_ata,
        &buyer_ata,
        args,
    );
    send_as(ctx, &payer, &[create], &[&buyer], &tx).await?;
    eprintln!(
        "  offer {} for {} USDC in escrow",
        offer,
        format_amount(price.into(), DECIMALS)
    );

    // Votes: a realistic share of contributors, most of them in favour.
    let mut voters: Vec<(&Keypair, bool)> = Vec::new();
    for (k, score) in &people {
        if rng.below(100) < a.turnout {
            // Heavy listeners have most to gain from a sale and mostly approve.
            let approve_pct = if *score > 1_000 { 95 } else { 85 };
            voters.push((k, rng.below(100) < approve_pct));
        }
    }
    // Once the votes decide the offer, the program takes no more: votes still in flight then
    // are refused (`OfferAlreadyDecided`) and counted as late.
    let counted = in_parallel(ctx, "votes", a.concurrency, voters, |(k, approve)| {
        let (payer, tx) = (&payer, &tx);
        async move {
            let i = ix::offer_vote(p, &payer.pubkey(), &k.pubkey(), &pool, &offer, approve);
            match send_as(ctx, payer, &[i], &[k], tx).await {
                Ok(_) => Ok(true),
                Err(e)
                    if e.failure
                        .as_ref()
                        .is_some_and(|f| f.name == "OfferAlreadyDecided") =>
                {
                    Ok(false)
                }
                Err(e) => Err(e),
            }
        }
    })
    .await?;
    let votes_after_decision = counted.iter().filter(|c| !**c).count() as u64;

    // Finalize once decided (early, or at the end of voting).
    let o = query::offer(chain, p, &offer).await?;
    if o.outcome(chain.unix_time().await?).is_none() {
        let wait = o.voting_ends_at - chain.unix_time().await? + 1;
        if chain.is_embedded() {
            chain.advance_time(wait).await?;
        } else {
            eprintln!("  waiting {wait} s for the voting period to end");
            while o.outcome(chain.unix_time().await?).is_none() {
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            }
        }
    }
    let fin = ix::offer_finalize(p, &pool, &offer, &tokens, &o.refund_account, &o.buyer);
    send_as(ctx, &payer, &[fin], &[], &tx).await?;
    let o = query::offer(chain, p, &offer).await?;

    // Everyone claims into their own (new) token account.
    let pool_state = query::pool(chain, p, &pool).await?;
    let claimers: Vec<&Keypair> = if o.state == OfferState::Accepted {
        people.iter().map(|(k, _)| k).collect()
    } else {
        vec![]
    };
    let mut payouts: Vec<u64> = in_parallel(ctx, "claims", a.concurrency, claimers, |k| {
        let (payer, tx, tokens) = (&payer, &tx, &tokens);
        async move {
            let ata = token::associated_address(&k.pubkey(), &tokens.mint, &tokens.token_program);
            let ixs = [
                token::create_associated_idempotent(
                    &payer.pubkey(),
                    &k.pubkey(),
                    &tokens.mint,
                    &tokens.token_program,
                ),
                ix::payout_claim(p, &k.pubkey(), &pool, tokens, &ata),
            ];
            let sent = send_as(ctx, payer, &ixs, &[k], tx).await;
            let amount = match sent {
                Ok(s) => s.events.iter().find_map(|e| match e {
                    crate::events::DataPoolEvent::PayoutClaimed(c) => Some(c.amount),
                    _ => None,
                }),
                // A contributor whose share rounds to zero is owed nothing.
                Err(e)
                    if e.failure
                        .as_ref()
                        .is_some_and(|f| f.name == "NothingToClaim") =>
                {
                    Some(0)
                }
                Err(e) => return Err(e),
            };
            match amount {
                Some(v) => Ok(v),
                None => Ok(query::token_account(ctx.chain, &ata).await?.amount),
            }
        }
    })
    .await?;
    payouts.sort_unstable();

    // The curator takes the sale's fee out of the pool's fee vault.
    if o.fee_paid > 0 {
        let w = ix::fees_withdraw(p, &curator.pubkey(), &pool, &tokens, &curator_ata, None);
        send_as(ctx, &payer, &[w], &[], &tx).await?;
    }

    let audit = crate::audit::audit(chain, p, &pool, true).await?;
    let history_checks = audit.history.map(|h| h.checks).unwrap_or_default();
    let invariants = audit.invariants;
    let final_pool = query::pool(chain, p, &pool).await?;
    let vault = query::token_account(chain, &final_pool.vault).await?.amount;
    let voted = o.yes_weight + o.no_weight;
    let pct = |x: u128, of: u128| {
        if of == 0 {
            0.0
        } else {
            (x as f64) * 100.0 / (of as f64)
        }
    };
    let summary = DemoSummary {
        chain: chain.label(),
        pool: pool.to_string(),
        offer: offer.to_string(),
        contributors: n,
        total_weight: pool_state.total_weight,
        voters: o.voter_count,
        votes_after_decision,
        turnout_weight_percent: (pct(voted, o.snapshot_total_weight.into()) * 100.0).round()
            / 100.0,
        yes_weight: o.yes_weight.to_string(),
        no_weight: o.no_weight.to_string(),
        outcome: match o.state {
            OfferState::Accepted => "accepted",
            OfferState::Rejected => "rejected",
            OfferState::Cancelled => "cancelled",
            OfferState::Open => "open",
        }
        .into(),
        price,
        fee: o.fee_paid,
        distributed: o.net_distributed,
        claimed: payouts.iter().sum(),
        payout_min: payouts.first().copied().unwrap_or(0),
        payout_median: payouts.get(payouts.len() / 2).copied().unwrap_or(0),
        payout_max: payouts.last().copied().unwrap_or(0),
        vault_dust: vault,
        transactions: tx.count.load(std::sync::atomic::Ordering::Relaxed),
        compute_units: tx.units.load(std::sync::atomic::Ordering::Relaxed),
        seconds: (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        invariants,
        history_checks,
        audit_seconds: (audit.seconds * 100.0).round() / 100.0,
    };
    let text = summary_text(&summary, &people, pool_state.total_weight);
    let all_ok = summary
        .invariants
        .iter()
        .chain(&summary.history_checks)
        .all(|c| c.ok);
    let report = Report::new(&summary, text);
    if all_ok {
        Ok(report)
    } else {
        eprintln!("{}", report.text);
        Err(CliError::failed(
            "an invariant does not hold after the demo (see above)",
        ))
    }
}

fn summary_text(s: &DemoSummary, people: &[(Keypair, u64)], total_weight: u64) -> String {
    let usdc = |v: u64| format_amount(v.into(), DECIMALS);
    let mut out = String::from("\nUnwrapped on data-pool: summary\n");
    out.push_str(&fields(&[
        ("Chain", s.chain.clone()),
        ("Pool", s.pool.clone()),
        ("Offer", s.offer.clone()),
        (
            "Contributors",
            format!("{} (total weight {})", s.contributors, s.total_weight),
        ),
        (
            "Turnout",
            format!(
                "{} voters, {:.2}% of the weight{}",
                s.voters,
                s.turnout_weight_percent,
                if s.votes_after_decision > 0 {
                    format!(
                        "; {} more arrived after the votes had decided the offer",
                        s.votes_after_decision
                    )
                } else {
                    String::new()
                }
            ),
        ),
        (
            "Tally",
            format!("yes {} / no {}", s.yes_weight, s.no_weight),
        ),
        ("Outcome", s.outcome.clone()),
        ("Price", format!("{} USDC", usdc(s.price))),
        ("Curator fee", format!("{} USDC", usdc(s.fee))),
        ("To contributors", format!("{} USDC", usdc(s.distributed))),
        (
            "Claimed",
            format!(
                "{} USDC by {} contributors",
                usdc(s.claimed),
                s.contributors
            ),
        ),
        (
            "Payouts",
            format!(
                "min {} / median {} / max {} USDC",
                usdc(s.payout_min),
                usdc(s.payout_median),
                usdc(s.payout_max)
            ),
        ),
        ("Vault dust", format!("{} base units", s.vault_dust)),
        (
            "Transactions",
            format!("{} using {} compute units", s.transactions, s.compute_units),
        ),
        ("Time", format!("{:.2} s", s.seconds)),
    ]));
    let mut top: Vec<(usize, u64)> = people
        .iter()
        .enumerate()
        .map(|(i, (_, sc))| (i, *sc))
        .collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let rows: Vec<Vec<String>> = top
        .iter()
        .take(5)
        .map(|(i, sc)| {
            let share = (*sc as f64) * 100.0 / (total_weight.max(1) as f64);
            let expect = (u128::from(s.distributed) * u128::from(*sc)
                / u128::from(total_weight.max(1))) as u64;
            vec![
                format!("#{i}"),
                sc.to_string(),
                format!("{share:.3}%"),
                format!("≈{} USDC", usdc(expect)),
            ]
        })
        .collect();
    out.push_str("\nTop shares\n");
    out.push_str(&table(&["CONTRIBUTOR", "WEIGHT", "SHARE", "PAYOUT"], &rows));
    out.push('\n');
    out.push_str(&super::auditor::checks_text(
        &format!(
            "Audit ({:.2} s): invariants (docs/PROTOCOL.md)",
            s.audit_seconds
        ),
        &s.invariants,
    ));
    out.push_str(&super::auditor::checks_text(
        "History: events against the totals",
        &s.history_checks,
    ));
    out
}
