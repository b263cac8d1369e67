//! `datapool audit`: a pool's books proven from chain state and history. The eight invariants on a
//! snapshot of every account, the history rebuilt from the program's events and cross-checked
//! against the pool's totals, and the figures an auditor looks at (weight distribution and its Gini
//! coefficient, turnout and tally per offer, payouts per sale, vault balance over time).

use anchor_lang::prelude::Pubkey;
use serde::Serialize;

use crate::chain::Chain;
use crate::checks::{check_snapshot, load_snapshot, Check, Finding, PoolSnapshot};
use crate::events::DataPoolEvent;
use crate::history::{pool_history, HistoryEvent};
use crate::query::offer_state_name as state_name;
use crate::query::QueryError;
use data_pool::state::DeliveryReceipt;

/// One offer's vote and outcome.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferStat {
    /// Index in the pool.
    pub index: u64,
    /// Address.
    pub address: String,
    /// State.
    pub state: String,
    /// Price, base units.
    pub price: u64,
    /// Eligible weight.
    pub snapshot_weight: u64,
    /// Voters.
    pub voters: u64,
    /// Approving weight.
    pub yes: u128,
    /// Rejecting weight.
    pub no: u128,
    /// Voted weight over eligible weight, percent.
    pub turnout_percent: f64,
    /// Fee paid (accepted offers).
    pub fee: u64,
    /// Credited to contributors (accepted offers).
    pub net: u64,
    /// When it was delivered (0: not delivered).
    pub delivered_at: i64,
    /// Contributions in the delivered set.
    pub delivered_contributions: u64,
    /// Bytes delivered.
    pub delivered_bytes: u64,
    /// The slice bought, when the offer carries its terms (`terms_uri`) and they match the hash.
    pub slice: Option<String>,
}

/// A point of the vault's balance over time.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VaultPoint {
    /// Slot.
    pub slot: u64,
    /// Block time.
    pub block_time: Option<i64>,
    /// Balance after the event, base units.
    pub balance: u128,
    /// What moved it.
    pub event: String,
}

/// What the history says, and whether it agrees with the state.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryAudit {
    /// Transactions read.
    pub transactions: usize,
    /// Events of this pool.
    pub events: usize,
    /// Cross-checks of event sums against the pool's totals.
    pub checks: Vec<Check>,
    /// Vault balance after each sale and claim.
    pub vault_series: Vec<VaultPoint>,
}

/// The audit's result.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditReport {
    /// The pool.
    pub pool: String,
    /// Its name.
    pub name: String,
    /// Where it was read.
    pub chain: String,
    /// Mint decimals (for display).
    pub decimals: u8,
    /// The payout mint.
    pub mint: String,
    /// How amounts are labelled for people ([`crate::units::mint_label`]).
    pub unit: String,
    /// True when every invariant and cross-check holds.
    pub ok: bool,
    /// The eight invariants.
    pub invariants: Vec<Check>,
    /// The history, unless skipped.
    pub history: Option<HistoryAudit>,
    /// Contributors.
    pub contributors: usize,
    /// Contributor weights, largest first.
    pub weights: Vec<u64>,
    /// Gini coefficient of the weights (0 equal … 1 one holds all).
    pub gini: f64,
    /// Per-offer figures.
    pub offers: Vec<OfferStat>,
    /// Vault balance now.
    pub vault: u64,
    /// Totals (base units).
    pub total_distributed: u128,
    /// Σ claimed.
    pub total_claimed: u128,
    /// Σ fees.
    pub total_fees: u128,
    /// Seconds the audit took.
    pub seconds: f64,
}

/// Gini coefficient of `values` (0 when empty or all zero).
pub fn gini(values: &[u64]) -> f64 {
    let mut v: Vec<f64> = values.iter().map(|&x| x as f64).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len() as f64;
    let sum: f64 = v.iter().sum();
    if v.is_empty() || sum == 0.0 {
        return 0.0;
    }
    let weighted: f64 = v
        .iter()
        .enumerate()
        .map(|(i, x)| (i as f64 + 1.0) * x)
        .sum();
    (2.0 * weighted) / (n * sum) - (n + 1.0) / n
}

fn cross(
    number: u8,
    name: &'static str,
    account: &Pubkey,
    from_events: u128,
    in_state: u128,
) -> Check {
    let findings = if from_events == in_state {
        vec![]
    } else {
        vec![Finding {
            account: account.to_string(),
            expected: from_events.to_string(),
            actual: in_state.to_string(),
            note: format!("{name}: events say {from_events}, state says {in_state}"),
        }]
    };
    Check {
        number,
        name,
        ok: findings.is_empty(),
        detail: format!("events {from_events}, state {in_state}"),
        findings,
    }
}

/// Cross-checks `events` with the snapshot and builds the vault series.
pub fn audit_history(
    s: &PoolSnapshot,
    events: &[HistoryEvent],
    transactions: usize,
) -> HistoryAudit {
    let (mut submitted, mut removed, mut n_contrib, mut n_offers, mut n_accepted) =
        (0u128, 0u128, 0u128, 0u128, 0u128);
    let (mut net, mut fees, mut claimed, mut withdrawn) = (0u128, 0u128, 0u128, 0u128);
    // Per offer: votes cast, Σ approving weight, Σ rejecting weight.
    let mut votes_per_offer: std::collections::HashMap<Pubkey, (u64, u128, u128)> =
        Default::default();
    let mut closed = Vec::new();
    let mut left = Vec::new();
    let mut forfeited: u128 = 0;
    let mut vault: u128 = 0;
    let mut series = Vec::new();
    let mut receipts = Vec::new();
    let log = crate::delivery::set_log(events);
    let mut changes_seen = 0usize;
    for e in events {
        if matches!(
            e.event,
            DataPoolEvent::ContributionSubmitted(_) | DataPoolEvent::ContributionRemoved(_)
        ) {
            changes_seen += 1;
        }
        match &e.event {
            DataPoolEvent::ContributionSubmitted(c) => {
                submitted += u128::from(c.score);
                // A replacement moves the record's weight and creates no record.
                removed += u128::from(c.previous_score);
                if c.previous_score == 0 {
                    n_contrib += 1;
                }
            }
            DataPoolEvent::ContributionRemoved(c) => removed += u128::from(c.score),
            DataPoolEvent::OfferCreated(_) => n_offers += 1,
            DataPoolEvent::VoteCast(v) => {
                let t = votes_per_offer.entry(v.offer).or_default();
                t.0 += 1;
                if v.approve {
                    t.1 += u128::from(v.weight);
                } else {
                    t.2 += u128::from(v.weight);
                }
            }
            DataPoolEvent::OfferAccepted(a) => {
                receipts.push((a.offer, a.receipt, changes_seen));
                n_accepted += 1;
                net += u128::from(a.net);
                fees += u128::from(a.fee);
                vault += u128::from(a.net);
                series.push(VaultPoint {
                    slot: e.slot,
                    block_time: e.block_time,
                    balance: vault,
                    event: "sale".into(),
                });
            }
            DataPoolEvent::FeesWithdrawn(w) => withdrawn += u128::from(w.amount),
            DataPoolEvent::OfferClosed(c) => closed.push(c.clone()),
            DataPoolEvent::ContributorClosed(c) => {
                if c.reaped {
                    forfeited += u128::from(data_pool::math::whole_units(c.dust_q64).unwrap_or(0));
                }
                left.push(c.clone());
            }
            DataPoolEvent::PayoutClaimed(p) => {
                claimed += u128::from(p.amount);
                vault = vault.saturating_sub(u128::from(p.amount));
                series.push(VaultPoint {
                    slot: e.slot,
                    block_time: e.block_time,
                    balance: vault,
                    event: "claim".into(),
                });
            }
            _ => {}
        }
    }
    let p = &s.pool;
    let a = &s.address;
    let mut checks = vec![
        cross(
            1,
            "Σ submitted − Σ removed scores = total weight",
            a,
            submitted.saturating_sub(removed),
            p.total_weight.into(),
        ),
        cross(
            2,
            "contributions submitted = contributor records created",
            a,
            n_contrib,
            p.contributor_count.into(),
        ),
        cross(
            3,
            "offers created = offer count",
            a,
            n_offers,
            p.offer_count.into(),
        ),
        cross(
            4,
            "sales accepted = accepted offer count",
            a,
            n_accepted,
            p.accepted_offer_count.into(),
        ),
        cross(
            5,
            "Σ sale proceeds to contributors = total distributed",
            a,
            net,
            p.total_distributed,
        ),
        cross(6, "Σ sale fees = total fees", a, fees, p.total_fees),
        cross(7, "Σ claims = total claimed", a, claimed, p.total_claimed),
    ];
    let mut f = Vec::new();
    for (k, o) in &s.offers {
        let (cast, yes, no) = votes_per_offer.get(k).copied().unwrap_or_default();
        if (cast, yes, no) != (o.voter_count, o.yes_weight, o.no_weight) {
            f.push(Finding {
                account: k.to_string(),
                expected: format!("{cast} votes, yes {yes}, no {no}"),
                actual: format!(
                    "{} votes, yes {}, no {}",
                    o.voter_count, o.yes_weight, o.no_weight
                ),
                note: format!("offer #{}: votes cast in events ≠ its tally", o.index),
            });
        }
    }
    checks.push(Check {
        number: 8,
        name: "Σ VoteCast weights = yes + no, votes cast = voter count, per offer",
        ok: f.is_empty(),
        detail: format!("{} offers", s.offers.len()),
        findings: f,
    });
    checks.push(cross(
        9,
        "Σ fee withdrawals = total fees withdrawn",
        a,
        withdrawn,
        p.total_fees_withdrawn,
    ));
    checks.push(check_receipts(s, &log, &receipts));
    checks.push(check_closed_offers(s, &closed));
    checks.push(check_closed_records(s, &left));
    checks.push(cross(
        13,
        "Σ unclaimed payouts of reaped records = total forfeited",
        a,
        forfeited,
        p.total_forfeited,
    ));
    HistoryAudit {
        transactions,
        events: events.len(),
        checks,
        vault_series: series,
    }
}

/// History check 11: every offer closed in the events ended without a sale, is gone from chain
/// state, and they number the pool's closed-offer count.
fn check_closed_offers(s: &PoolSnapshot, closed: &[crate::events::OfferClosed]) -> Check {
    use data_pool::state::OfferState;
    let mut f = Vec::new();
    for c in closed {
        let unsold = matches!(
            c.state,
            OfferState::Rejected | OfferState::Cancelled | OfferState::Undelivered
        );
        if !unsold || s.offers.iter().any(|(k, _)| *k == c.offer) {
            f.push(Finding {
                account: c.offer.to_string(),
                expected: "a closed offer that ended without a sale".into(),
                actual: format!("{:?}", c.state),
                note: format!("offer #{} closed in the events", c.index),
            });
        }
    }
    f.extend(count_mismatch(
        s,
        closed.len(),
        s.pool.closed_offer_count,
        "offers closed in events ≠ closed-offer count",
    ));
    Check {
        number: 11,
        name: "closed offers ended without a sale and match the count",
        ok: f.is_empty(),
        detail: format!("{} closed", closed.len()),
        findings: f,
    }
}

/// A finding on the pool when `in_events` closures do not match the pool's `in_state` count.
fn count_mismatch(
    s: &PoolSnapshot,
    in_events: usize,
    in_state: u64,
    note: &str,
) -> Option<Finding> {
    (in_events as u64 != in_state).then(|| Finding {
        account: s.address.to_string(),
        expected: in_events.to_string(),
        actual: in_state.to_string(),
        note: note.into(),
    })
}

/// History check 12: every contributor record closed in the events (its contributor left) is
/// gone from chain state (the same data may have come back, as a record with a later index),
/// and they number the pool's closed-record count.
fn check_closed_records(s: &PoolSnapshot, left: &[crate::events::ContributorClosed]) -> Check {
    let mut f = Vec::new();
    for c in left {
        let still = s
            .contributors
            .iter()
            .any(|(k, r)| *k == c.record && r.index <= c.index);
        if still {
            f.push(Finding {
                account: c.record.to_string(),
                expected: "no record of this arrival or earlier".into(),
                actual: "the record is on chain".into(),
                note: format!("record #{} closed in the events", c.index),
            });
        }
    }
    f.extend(count_mismatch(
        s,
        left.len(),
        s.pool.closed_contributor_count,
        "records closed in events ≠ closed-record count",
    ));
    Check {
        number: 12,
        name: "closed contributor records are gone and match the count",
        ok: f.is_empty(),
        detail: format!("{} closed", left.len()),
        findings: f,
    }
}

/// History check 10: the set log in the events replays (every step's set-history hash is the
/// hash of the one before and the change) and ends in the pool's commitment; every delivery
/// receipt names the set the log had reached when the delivery was recorded, and matches the
/// offer's stored receipt.
fn check_receipts(
    s: &PoolSnapshot,
    log: &[crate::delivery::SetChange],
    receipts: &[(Pubkey, DeliveryReceipt, usize)],
) -> Check {
    use crate::delivery::{replay_each, Commitment};
    let mut f = Vec::new();
    // The commitment after each prefix of the log, from one replay.
    let mut prefixes = vec![Commitment::default()];
    match replay_each(log, |c| prefixes.push(*c)) {
        Err(e) => f.push(Finding {
            account: s.address.to_string(),
            expected: "a set log that replays".into(),
            actual: e.to_string(),
            note: "the contribution events do not chain".into(),
        }),
        Ok((_, end)) => {
            let now = Commitment::of_pool(&s.pool);
            if end != now {
                f.push(Finding {
                    account: s.address.to_string(),
                    expected: end.to_string(),
                    actual: now.to_string(),
                    note: "the pool's set commitment ≠ the one its events replay to".into(),
                });
            }
            for (offer, receipt, at) in receipts {
                let then = prefixes[*at];
                let stored = s
                    .offers
                    .iter()
                    .find(|(k, _)| k == offer)
                    .map(|(_, o)| o.receipt);
                if Commitment::of_receipt(receipt) != then || stored != Some(*receipt) {
                    f.push(Finding {
                        account: offer.to_string(),
                        expected: then.to_string(),
                        actual: Commitment::of_receipt(receipt).to_string(),
                        note: "the delivery receipt does not name the set that was paid".into(),
                    });
                }
            }
        }
    }
    Check {
        number: 10,
        name: "set log replays to the pool's commitment; each receipt names the paid set",
        ok: f.is_empty(),
        detail: format!("{} set changes, {} deliveries", log.len(), receipts.len()),
        findings: f,
    }
}

/// Audits `pool`: snapshot, invariants, and (unless `with_history` is false) the history.
pub async fn audit<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
    with_history: bool,
) -> Result<AuditReport, QueryError> {
    let started = std::time::Instant::now();
    let s = load_snapshot(chain, program_id, pool).await?;
    let invariants = check_snapshot(&s);
    let history = if with_history {
        let (events, txs) = pool_history(chain, program_id, pool, 16).await?;
        Some(audit_history(&s, &events, txs))
    } else {
        None
    };
    let mut weights: Vec<u64> = s.contributors.iter().map(|(_, c)| c.weight).collect();
    weights.sort_unstable_by(|a, b| b.cmp(a));
    let offers = s
        .offers
        .iter()
        .map(|(k, o)| {
            let voted = o.yes_weight.saturating_add(o.no_weight);
            OfferStat {
                index: o.index,
                address: k.to_string(),
                state: state_name(&o.state).into(),
                price: o.price,
                snapshot_weight: o.snapshot_total_weight,
                voters: o.voter_count,
                yes: o.yes_weight,
                no: o.no_weight,
                turnout_percent: if o.snapshot_total_weight == 0 {
                    0.0
                } else {
                    (voted as f64) * 100.0 / (o.snapshot_total_weight as f64)
                },
                fee: o.fee_paid,
                net: o.net_distributed,
                delivered_at: o.delivered_at,
                delivered_contributions: o.receipt.contribution_count,
                delivered_bytes: o.receipt.size,
                slice: crate::dataset::Terms::of_offer(&o.terms_hash, &o.terms_uri)
                    .map(|t| t.slice),
            }
        })
        .collect();
    let ok = invariants.iter().all(|c| c.ok)
        && history
            .as_ref()
            .is_none_or(|h| h.checks.iter().all(|c| c.ok));
    Ok(AuditReport {
        pool: pool.to_string(),
        name: s.pool.name.clone(),
        chain: chain.label(),
        decimals: s.pool.mint_decimals,
        mint: s.pool.mint.to_string(),
        unit: crate::units::mint_label(&s.pool.mint),
        ok,
        invariants,
        history,
        contributors: s.contributors.len(),
        gini: gini(&weights),
        weights,
        offers,
        vault: s.vault_amount,
        total_distributed: s.pool.total_distributed,
        total_claimed: s.pool.total_claimed,
        total_fees: s.pool.total_fees,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::gini;

    #[test]
    fn gini_bounds() {
        assert_eq!(gini(&[]), 0.0);
        assert!(gini(&[5, 5, 5, 5]).abs() < 1e-12);
        let g = gini(&[0, 0, 0, 100]);
        assert!((g - 0.75).abs() < 1e-12, "{g}");
    }
}
