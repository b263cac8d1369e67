//! `vote`: cast a vote with your data-share weight. A vote is a bit in the offer's vote bitmap:
//! it costs the transaction fee and no rent.

use anchor_lang::prelude::Pubkey;
use data_pool::state::OfferState;
use data_pool_client::accounts::{has_voted, votes_that_count, RECORDS_PER_TRANSACTION};
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions as ix;
use data_pool_client::query;
use data_pool_client::units::format_amount;
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::describe::phase;
use crate::error::CliError;
use crate::lookup;
use crate::output::{share, Printed, Transaction};

/// A vote cast.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Voted {
    /// The offer.
    pub offer: String,
    /// Arrival indices of the voter's records that voted: their bits in the offer's vote bitmap.
    pub indices: Vec<u64>,
    /// Approve (true) or reject.
    pub approve: bool,
    /// The voter's weight (Σ over its records that voted).
    pub weight: u64,
    /// Approving weight after the vote (a JSON number).
    pub yes_weight: u64,
    /// Rejecting weight after the vote.
    pub no_weight: u64,
}

/// `vote`.
pub async fn vote<C: Chain>(
    ctx: &Ctx<'_, C>,
    k: &Pubkey,
    approve: bool,
) -> Result<Printed, CliError> {
    let (o, bitmap) = lookup::offer_with_votes(ctx, k).await?;
    let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
    let me = ctx.signer()?.pubkey();
    let now = ctx.chain.unix_time().await?;
    // A wallet votes with each of its records (one per contribution) that held weight when the
    // offer was made and has not voted yet, all in one transaction.
    let records = query::contributors(ctx.chain, &ctx.program_id, &o.pool, Some(&me)).await?;
    let (voted, eligible): (Vec<_>, Vec<_>) = records
        .iter()
        .filter(|(_, c)| c.index < o.snapshot_contributor_count && c.weight > 0)
        .partition(|(_, c)| has_voted(&bitmap, c.index));
    if eligible.is_empty() {
        return Err(if let Some((_, c)) = voted.first() {
            CliError::failed(format!(
                "{me} has already voted on offer {k} (bit {} of its vote bitmap)",
                c.index
            ))
            .with_hint("a vote is final")
        } else {
            CliError::failed(format!(
                "{me} cannot vote on offer {k}: only contributors who had weight when it was made can"
            ))
        });
    }
    // Votes after the decision are refused: vote with the records that count, at most a
    // transaction's worth (a second run votes with the rest, if they still count).
    let weights: Vec<u64> = eligible.iter().map(|(_, c)| c.weight).collect();
    let counted = votes_that_count(&o, approve, &weights).clamp(1, RECORDS_PER_TRANSACTION);
    let eligible = &eligible[..counted.min(eligible.len())];
    let weight: u64 = eligible.iter().map(|(_, c)| c.weight).sum();
    // Votes end at the deadline, or as soon as the votes decide the offer (a decision is final).
    if o.state != OfferState::Open || now >= o.voting_ends_at || o.outcome(now).is_some() {
        return Err(CliError::failed(format!(
            "offer {k} is not open for votes: {}",
            phase(&o, now)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Vote on offer {k} (pool {})", p.name),
        rows: vec![
            (
                "choice".into(),
                if approve {
                    "APPROVE the sale"
                } else {
                    "REJECT the sale"
                }
                .into(),
            ),
            (
                "price".into(),
                format_amount(o.price.into(), p.mint_decimals),
            ),
            (
                "your weight".into(),
                format!(
                    "{weight} ({} of the snapshot)",
                    share(weight.into(), o.snapshot_total_weight.into())
                ),
            ),
            ("voter".into(), me.to_string()),
        ],
    })?;
    let ixs: Vec<_> = eligible
        .iter()
        .map(|(r, _)| ix::offer_vote(&ctx.program_id, &me, &o.pool, k, r, approve))
        .collect();
    let sent = ctx.send("Vote", &ixs, true, &[]).await?;
    let (yes, no) = sent
        .events
        .iter()
        .rev()
        .find_map(|e| match e {
            DataPoolEvent::VoteCast(v) => Some((v.yes_weight, v.no_weight)),
            _ => None,
        })
        .unwrap_or((o.yes_weight, o.no_weight));
    let choice = if approve { "approve" } else { "reject" };
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Voted {
            offer: k.to_string(),
            indices: eligible.iter().map(|(_, c)| c.index).collect(),
            approve,
            weight,
            // A tally never exceeds the snapshot's total weight, a u64.
            yes_weight: u64::try_from(yes).unwrap_or(u64::MAX),
            no_weight: u64::try_from(no).unwrap_or(u64::MAX),
        },
        format!("Voted {choice} on offer {k} with weight {weight}"),
        vec![("Tally", format!("yes {yes} / no {no}"))],
    )))
}
