//! The invariants of PROTOCOL.md checked from chain state alone: what `datapool demo` prints at
//! the end and what the auditor builds on.

use std::collections::{HashMap, HashSet};

use anchor_lang::prelude::Pubkey;
use data_pool::state::OfferState;
use serde::Serialize;

use crate::chain::Chain;
use crate::pda::find_escrow_pda;
use crate::query::{self, QueryError};

/// One invariant's verdict.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Check {
    /// Number in PROTOCOL.md.
    pub number: u8,
    /// Short name.
    pub name: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// The figures compared (or what is wrong).
    pub detail: String,
}

fn check(number: u8, name: &'static str, ok: bool, detail: String) -> Check {
    Check {
        number,
        name,
        ok,
        detail,
    }
}

/// Loads every account of `pool` and checks the six invariants.
pub async fn check_pool<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool_addr: &Pubkey,
) -> Result<Vec<Check>, QueryError> {
    let pool = query::pool(chain, program_id, pool_addr).await?;
    let contributors = query::contributors(chain, program_id, pool_addr).await?;
    let contributions = query::contributions(chain, program_id, pool_addr, None).await?;
    let offers = query::offers(chain, program_id, pool_addr).await?;
    let attestors = query::attestors(chain, program_id, pool_addr).await?;
    let vault = u128::from(query::token_account(chain, &pool.vault).await?.amount);
    let mut out = Vec::new();

    let sum_weight: u128 = contributors.iter().map(|(_, c)| u128::from(c.weight)).sum();
    let sum_scores: u128 = contributions
        .iter()
        .filter(|(_, c)| c.is_active())
        .map(|(_, c)| u128::from(c.score))
        .sum();
    out.push(check(
        1,
        "total weight = Σ contributor weights = Σ active scores",
        u128::from(pool.total_weight) == sum_weight
            && sum_weight == sum_scores
            && pool.contributor_count == contributors.len() as u64,
        format!(
            "pool {} / contributors {sum_weight} / active scores {sum_scores}; {} contributor records of {}",
            pool.total_weight,
            contributors.len(),
            pool.contributor_count
        ),
    ));

    let expected = pool.total_distributed.checked_sub(pool.total_claimed);
    out.push(check(
        2,
        "vault = distributed − claimed",
        expected == Some(vault),
        format!(
            "vault {vault}, distributed {} − claimed {}",
            pool.total_distributed, pool.total_claimed
        ),
    ));

    let entitled: u128 = contributors
        .iter()
        .map(|(_, c)| {
            u128::from(
                c.entitlement(pool.acc_reward_per_weight)
                    .unwrap_or(u64::MAX),
            )
        })
        .sum();
    let bound =
        u128::from(pool.contributor_count).saturating_add(u128::from(pool.accepted_offer_count));
    let dust = vault.checked_sub(entitled);
    out.push(check(
        3,
        "Σ entitlements ≤ vault, dust below the bound",
        dust.is_some_and(|d| d == 0 || d < bound),
        format!(
            "entitled {entitled}, vault {vault}, dust {}, bound {bound}",
            dust.map(|d| d.to_string()).unwrap_or("negative".into())
        ),
    ));

    let escrows: Vec<Pubkey> = offers
        .iter()
        .map(|(k, _)| find_escrow_pda(program_id, k).0)
        .collect();
    let escrow_accounts = chain.get_multiple_accounts(&escrows).await?;
    let mut bad_escrow = Vec::new();
    for (((k, o), e), acct) in offers.iter().zip(&escrows).zip(&escrow_accounts) {
        let amount = acct
            .as_ref()
            .and_then(|a| query::decode_token_account(e, a).ok())
            .map(|t| t.amount);
        let holds_price = o.state == OfferState::Open || o.refund_pending;
        let ok = if holds_price {
            amount == Some(o.price)
        } else {
            acct.is_none()
        };
        if !ok {
            bad_escrow.push(format!("offer {k}: escrow {amount:?}, price {}", o.price));
        }
    }
    out.push(check(
        4,
        "open offers escrow exactly their price; settled ones have none",
        bad_escrow.is_empty(),
        if bad_escrow.is_empty() {
            format!("{} offers", offers.len())
        } else {
            bad_escrow.join("; ")
        },
    ));

    let mut bad_tally = Vec::new();
    for (k, o) in &offers {
        let votes = query::votes(chain, program_id, k).await?;
        let w: u128 = votes
            .iter()
            .map(|(_, v)| u128::from(v.weight))
            .sum::<u128>()
            + o.closed_vote_weight;
        let n = votes.len() as u64 + o.closed_vote_count;
        if w != o.yes_weight.saturating_add(o.no_weight) || n != o.voter_count {
            bad_tally.push(format!(
                "offer {k}: records {n} / {w}, tally {} / {}",
                o.voter_count,
                o.yes_weight + o.no_weight
            ));
        }
    }
    out.push(check(
        5,
        "tallies = vote records (+ closed)",
        bad_tally.is_empty(),
        if bad_tally.is_empty() {
            format!("{} offers", offers.len())
        } else {
            bad_tally.join("; ")
        },
    ));

    let registered: HashSet<Pubkey> = attestors.iter().map(|(_, a)| a.key).collect();
    let unregistered: Vec<String> = contributions
        .iter()
        .filter(|(_, c)| !registered.contains(&c.attestor))
        .map(|(k, c)| format!("{k} by {}", c.attestor))
        .collect();
    let per_attestor: HashMap<Pubkey, u64> =
        contributions.iter().fold(HashMap::new(), |mut m, (_, c)| {
            *m.entry(c.attestor).or_default() += 1;
            m
        });
    out.push(check(
        6,
        "every contribution's attestor is registered",
        unregistered.is_empty(),
        if unregistered.is_empty() {
            format!(
                "{} contributions by {} attestors",
                contributions.len(),
                per_attestor.len()
            )
        } else {
            unregistered.join("; ")
        },
    ));
    Ok(out)
}
