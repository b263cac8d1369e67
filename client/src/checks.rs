//! The invariants of docs/PROTOCOL.md checked from chain state alone. [`load_snapshot`] reads every
//! account of a pool once; [`check_snapshot`] is pure and names each violation with the accounts
//! and amounts involved. `datapool demo` prints the verdicts; `datapool audit` builds on them.

use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{Attestor, Contributor, Custodian, Offer, OfferState, Pool};
use serde::Serialize;

use crate::chain::Chain;
use crate::pda::find_escrow_pda;
use crate::query::{self, QueryError};

/// One violation.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// The account that is off.
    pub account: String,
    /// What it should be.
    pub expected: String,
    /// What it is.
    pub actual: String,
    /// In words.
    pub note: String,
}

/// One invariant's verdict.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Check {
    /// Number in docs/PROTOCOL.md.
    pub number: u8,
    /// Short name.
    pub name: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// The figures compared.
    pub detail: String,
    /// Each violation, with accounts and amounts.
    pub findings: Vec<Finding>,
}

/// Every account of one pool, read at one moment.
#[derive(Debug)]
pub struct PoolSnapshot {
    /// The pool's address.
    pub address: Pubkey,
    /// The pool.
    pub pool: Pool,
    /// Contributor records (one per person on chain), by arrival index.
    pub contributors: Vec<(Pubkey, Contributor)>,
    /// Offers, by index.
    pub offers: Vec<(Pubkey, Offer)>,
    /// Each offer's vote bitmap (empty once released), aligned with `offers`.
    pub bitmaps: Vec<Vec<u8>>,
    /// Attestor records.
    pub attestors: Vec<(Pubkey, Attestor)>,
    /// Custodian records.
    pub custodians: Vec<(Pubkey, Custodian)>,
    /// The vault's balance.
    pub vault_amount: u64,
    /// The fee vault's balance.
    pub fee_vault_amount: u64,
    /// Each offer's escrow balance (`None`: the escrow account does not exist).
    pub escrows: Vec<Option<u64>>,
}

/// Reads every account of `pool` (getProgramAccounts with memcmp filters, token accounts).
pub async fn load_snapshot<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool_addr: &Pubkey,
) -> Result<PoolSnapshot, QueryError> {
    let pool = query::pool(chain, program_id, pool_addr).await?;
    let contributors = query::contributors(chain, program_id, pool_addr, None).await?;
    let (offers, bitmaps): (Vec<_>, Vec<_>) =
        query::offers_with_votes(chain, program_id, pool_addr)
            .await?
            .into_iter()
            .map(|(k, (o, bits))| ((k, o), bits))
            .unzip();
    let attestors = query::attestors(chain, program_id, pool_addr).await?;
    let custodians = query::custodians(chain, program_id, pool_addr).await?;
    let vault_amount = query::token_account(chain, &pool.vault).await?.amount;
    let fee_vault_amount = query::token_account(chain, &pool.fee_vault).await?.amount;
    let escrow_keys: Vec<Pubkey> = offers
        .iter()
        .map(|(k, _)| find_escrow_pda(program_id, k).0)
        .collect();
    let escrow_accounts = chain.get_multiple_accounts(&escrow_keys).await?;
    let escrows = escrow_keys
        .iter()
        .zip(&escrow_accounts)
        .map(|(k, a)| {
            a.as_ref().map(|a| {
                query::decode_token_account(k, a)
                    .map(|t| t.amount)
                    .unwrap_or(0)
            })
        })
        .collect();
    Ok(PoolSnapshot {
        address: *pool_addr,
        pool,
        contributors,
        offers,
        bitmaps,
        attestors,
        custodians,
        vault_amount,
        fee_vault_amount,
        escrows,
    })
}

fn verdict(number: u8, name: &'static str, detail: String, findings: Vec<Finding>) -> Check {
    Check {
        number,
        name,
        ok: findings.is_empty(),
        detail,
        findings,
    }
}

fn finding(
    account: &Pubkey,
    expected: impl ToString,
    actual: impl ToString,
    note: impl Into<String>,
) -> Finding {
    Finding {
        account: account.to_string(),
        expected: expected.to_string(),
        actual: actual.to_string(),
        note: note.into(),
    }
}

/// Checks the nine invariants on a snapshot.
pub fn check_snapshot(s: &PoolSnapshot) -> Vec<Check> {
    let pool = &s.pool;
    let mut out = Vec::new();

    // 1. total weight = Σ weights of the active records; an invalidated record has none; every
    // arrival index is accounted for by a record on chain or a closed one.
    let mut f = Vec::new();
    let sum_weight: u128 = s
        .contributors
        .iter()
        .map(|(_, c)| u128::from(c.weight))
        .sum();
    if u128::from(pool.total_weight) != sum_weight {
        f.push(finding(
            &s.address,
            sum_weight,
            pool.total_weight,
            "pool total weight ≠ Σ record weights",
        ));
    }
    for (k, c) in &s.contributors {
        if c.is_active() == (c.weight == 0) {
            f.push(finding(
                k,
                if c.is_active() {
                    "a weight > 0"
                } else {
                    "weight 0"
                },
                c.weight,
                format!("{:?} record of {} has the wrong weight", c.status, c.wallet),
            ));
        }
    }
    let on_chain = s.contributors.len() as u64;
    if on_chain.checked_add(pool.closed_contributor_count) != Some(pool.contributor_count) {
        f.push(finding(
            &s.address,
            pool.contributor_count,
            format!(
                "{on_chain} on chain + {} closed",
                pool.closed_contributor_count
            ),
            "contributor records + closed records ≠ records ever created",
        ));
    }
    out.push(verdict(
        1,
        "total weight = Σ active record weights; every record accounted for",
        format!(
            "pool {} / records {sum_weight}; {on_chain} records on chain + {} closed = {}",
            pool.total_weight, pool.closed_contributor_count, pool.contributor_count
        ),
        f,
    ));

    // 2. vault = distributed − claimed, exactly.
    let vault = u128::from(s.vault_amount);
    let expected = pool.total_distributed.checked_sub(pool.total_claimed);
    let f = if expected == Some(vault) {
        vec![]
    } else {
        vec![finding(
            &pool.vault,
            expected.map(|e| e.to_string()).unwrap_or("negative".into()),
            vault,
            format!(
                "vault ≠ distributed {} − claimed {}",
                pool.total_distributed, pool.total_claimed
            ),
        )]
    };
    out.push(verdict(
        2,
        "vault = distributed − claimed",
        format!(
            "vault {vault}, distributed {} − claimed {}",
            pool.total_distributed, pool.total_claimed
        ),
        f,
    ));

    // 3. Σ entitlements ≤ vault; dust below the bound.
    let mut entitled: u128 = 0;
    let mut broken = Vec::new();
    for (k, c) in &s.contributors {
        match c.entitlement(pool.acc_reward_per_weight) {
            Some(e) => entitled += u128::from(e),
            None => broken.push(finding(
                k,
                "an entitlement",
                "overflow",
                "entitlement does not compute (checkpoint ahead of the pool?)",
            )),
        }
    }
    let bound =
        u128::from(pool.contributor_count).saturating_add(u128::from(pool.accepted_offer_count));
    let mut f = broken;
    // What reaped records never claimed stays in the vault until `pool_close` sweeps it.
    let owed = entitled.saturating_add(pool.total_forfeited);
    match vault.checked_sub(owed) {
        None => f.push(finding(
            &pool.vault,
            format!(
                "≥ Σ entitlements {entitled} + forfeited {}",
                pool.total_forfeited
            ),
            vault,
            "contributors are owed more than the vault holds",
        )),
        Some(d) if d != 0 && d >= bound => f.push(finding(
            &pool.vault,
            format!("dust < {bound}"),
            d,
            "more left in the vault than rounding can explain",
        )),
        Some(_) => {}
    }
    out.push(verdict(
        3,
        "Σ entitlements + forfeited ≤ vault, dust below the bound",
        format!(
            "entitled {entitled}, forfeited {}, vault {vault}, bound {bound}",
            pool.total_forfeited
        ),
        f,
    ));

    // 4. escrows.
    let mut f = Vec::new();
    for ((k, o), escrow) in s.offers.iter().zip(&s.escrows) {
        let holds_price = unsettled(o) || o.refund_pending;
        let e = escrow.map(|a| a.to_string()).unwrap_or("closed".into());
        if holds_price && *escrow != Some(o.price) {
            f.push(finding(
                k,
                o.price,
                e,
                format!("offer #{} escrow must hold its price", o.index),
            ));
        } else if !holds_price && escrow.is_some() {
            f.push(finding(
                k,
                "closed",
                e,
                format!("settled offer #{} still has an escrow", o.index),
            ));
        }
    }
    out.push(verdict(
        4,
        "unsettled offers escrow exactly their price; settled ones have none",
        format!("{} offers", s.offers.len()),
        f,
    ));

    // 5. vote bitmaps: an open offer's is sized at its snapshot and holds one bit per vote
    // counted; a settled offer's is released. (The tally itself is proved from the VoteCast
    // events: history check 8.)
    let mut f = Vec::new();
    for ((k, o), bitmap) in s.offers.iter().zip(&s.bitmaps) {
        let (want_len, want_votes) = if o.state == OfferState::Open {
            (
                Offer::bitmap_len(o.snapshot_contributor_count),
                o.voter_count,
            )
        } else {
            (0, 0)
        };
        let votes = crate::accounts::votes_in(bitmap);
        if bitmap.len() != want_len || votes != want_votes {
            f.push(finding(
                k,
                format!("{want_len} bytes, {want_votes} bits set"),
                format!("{} bytes, {votes} bits set", bitmap.len()),
                format!("offer #{} vote bitmap ≠ its voter count", o.index),
            ));
        }
    }
    out.push(verdict(
        5,
        "open offers' vote bitmaps = their voter counts; settled offers' released",
        format!("{} offers", s.offers.len()),
        f,
    ));

    // 6. every contribution's attestor is (or was) registered on the pool.
    let registered: HashSet<Pubkey> = s.attestors.iter().map(|(_, a)| a.key).collect();
    let f: Vec<Finding> = s
        .contributors
        .iter()
        .filter(|(_, c)| !registered.contains(&c.attestor))
        .map(|(k, c)| {
            finding(
                k,
                "a registered attestor",
                c.attestor,
                "attested by a key the pool never registered",
            )
        })
        .collect();
    out.push(verdict(
        6,
        "every contribution's attestor is registered",
        format!(
            "{} contributions, {} attestors",
            s.contributors.len(),
            s.attestors.len()
        ),
        f,
    ));
    out.push(check_fees(s));
    out.push(check_open_offers(s));
    out.push(check_deliveries(s));
    out
}

/// Whether an offer's price is still to be settled (open, or approved and awaiting delivery).
fn unsettled(o: &Offer) -> bool {
    matches!(o.state, OfferState::Open | OfferState::AwaitingDelivery)
}

/// Invariant 7: every accepted offer paid exactly `bps_of(price, fee_bps)` into the fee vault
/// and the rest (plus any tokens donated into its escrow) to contributors; the fee vault holds
/// what was paid in and not withdrawn.
fn check_fees(s: &PoolSnapshot) -> Check {
    let pool = &s.pool;
    let mut f = Vec::new();
    let mut fees: u128 = 0;
    for (k, o) in s
        .offers
        .iter()
        .filter(|(_, o)| o.state == OfferState::Accepted)
    {
        let fee = data_pool::math::bps_of(o.price, o.fee_bps);
        // The net may exceed `price − fee` by tokens someone donated into the escrow.
        let net_short = o
            .price
            .checked_sub(o.fee_paid)
            .is_none_or(|n| o.net_distributed < n);
        if fee != Some(o.fee_paid) || net_short {
            f.push(finding(
                k,
                format!(
                    "fee {} and net ≥ {}",
                    fee.map_or("overflow".into(), |v| v.to_string()),
                    fee.and_then(|v| o.price.checked_sub(v))
                        .map_or("overflow".into(), |v| v.to_string())
                ),
                format!("fee {} and net {}", o.fee_paid, o.net_distributed),
                format!(
                    "offer #{} must pay {} bps of its price {} as fee",
                    o.index, o.fee_bps, o.price
                ),
            ));
        }
        fees += u128::from(o.fee_paid);
    }
    if fees != pool.total_fees {
        f.push(finding(
            &s.address,
            fees,
            pool.total_fees,
            "pool total fees ≠ Σ fees of accepted offers",
        ));
    }
    let expected = pool.total_fees.checked_sub(pool.total_fees_withdrawn);
    if expected != Some(u128::from(s.fee_vault_amount)) {
        f.push(finding(
            &pool.fee_vault,
            expected.map_or("negative".into(), |e| e.to_string()),
            s.fee_vault_amount,
            format!(
                "fee vault ≠ fees {} − withdrawn {}",
                pool.total_fees, pool.total_fees_withdrawn
            ),
        ));
    }
    verdict(
        7,
        "fees = bps of each accepted price; fee vault = fees − withdrawn",
        format!(
            "fees {}, withdrawn {}, fee vault {}",
            pool.total_fees, pool.total_fees_withdrawn, s.fee_vault_amount
        ),
        f,
    )
}

/// Invariant 8: the pool's open-offer count (which gates invalidation) is the number of offers
/// not yet settled (open or awaiting delivery), and every offer index is accounted for: the
/// offer records on chain plus the closed ones (`offer_close`) make `offer_count`, and no closed
/// offer was accepted (an accepted offer is the buyer's license and never closes).
fn check_open_offers(s: &PoolSnapshot) -> Check {
    let pool = &s.pool;
    let open = s.offers.iter().filter(|(_, o)| unsettled(o)).count() as u64;
    let accepted = s
        .offers
        .iter()
        .filter(|(_, o)| o.state == OfferState::Accepted)
        .count() as u64;
    let mut f = Vec::new();
    if open != pool.open_offer_count {
        f.push(finding(
            &s.address,
            open,
            pool.open_offer_count,
            "open-offer count ≠ offers open or awaiting delivery",
        ));
    }
    let on_chain = s.offers.len() as u64;
    if on_chain.checked_add(pool.closed_offer_count) != Some(pool.offer_count) {
        f.push(finding(
            &s.address,
            pool.offer_count,
            format!("{on_chain} on chain + {} closed", pool.closed_offer_count),
            "offer records + closed offers ≠ offers ever made",
        ));
    }
    if accepted != pool.accepted_offer_count {
        f.push(finding(
            &s.address,
            accepted,
            pool.accepted_offer_count,
            "accepted-offer count ≠ accepted offer records (an accepted offer never closes)",
        ));
    }
    verdict(
        8,
        "open-offer count = offers open or awaiting delivery; every offer index accounted for",
        format!(
            "{open} unsettled, {on_chain} on chain + {} closed = {} offers",
            pool.closed_offer_count, pool.offer_count
        ),
        f,
    )
}

/// Invariant 9: every accepted offer carries a delivery receipt by a custodian registered on the
/// pool, over a non-empty set; offers awaiting delivery have their deadline one delivery period
/// after the decision; no other offer has a receipt. The pool's count of active contributions is
/// the number of active contribution records (the count half of the delivery commitment; its
/// set-history hash is checked against the events by the audit's history checks).
fn check_deliveries(s: &PoolSnapshot) -> Check {
    let registered: HashSet<Pubkey> = s.custodians.iter().map(|(_, c)| c.key).collect();
    let mut f = Vec::new();
    let mut delivered = 0u64;
    for (k, o) in &s.offers {
        let r = &o.receipt;
        let has_receipt = o.delivered_at != 0 || *r != Default::default();
        match o.state {
            OfferState::Accepted => {
                delivered += 1;
                if !registered.contains(&o.custodian) {
                    f.push(finding(
                        k,
                        "a registered custodian",
                        o.custodian,
                        format!(
                            "offer #{} was delivered by a key the pool never registered",
                            o.index
                        ),
                    ));
                }
                if o.delivered_at == 0 || r.contribution_count == 0 || r.total_weight == 0 {
                    f.push(finding(
                        k,
                        "a receipt over a non-empty set",
                        format!(
                            "{} contributions, weight {}",
                            r.contribution_count, r.total_weight
                        ),
                        format!("accepted offer #{} has no usable delivery receipt", o.index),
                    ));
                }
            }
            OfferState::AwaitingDelivery => {
                let due = o.decided_at.checked_add(o.delivery_period);
                if due != Some(o.delivery_deadline) || has_receipt {
                    f.push(finding(
                        k,
                        format!("deadline {} and no receipt", due.unwrap_or_default()),
                        format!("deadline {}, receipt {has_receipt}", o.delivery_deadline),
                        format!("offer #{} awaiting delivery is inconsistent", o.index),
                    ));
                }
            }
            _ if has_receipt => f.push(finding(
                k,
                "no receipt",
                "a receipt",
                format!(
                    "offer #{} was never accepted but records a delivery",
                    o.index
                ),
            )),
            _ => {}
        }
    }
    let active = s.contributors.iter().filter(|(_, c)| c.is_active()).count() as u64;
    if active != s.pool.active_contribution_count {
        f.push(finding(
            &s.address,
            active,
            s.pool.active_contribution_count,
            "active contribution count ≠ active contribution records",
        ));
    }
    verdict(
        9,
        "accepted offers carry a registered custodian's receipt; the active count matches",
        format!(
            "{delivered} delivered offers, {} custodians, {active} active contributions",
            s.custodians.len()
        ),
        f,
    )
}

/// Loads `pool` and checks the nine invariants.
pub async fn check_pool<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool_addr: &Pubkey,
) -> Result<Vec<Check>, QueryError> {
    Ok(check_snapshot(
        &load_snapshot(chain, program_id, pool_addr).await?,
    ))
}
