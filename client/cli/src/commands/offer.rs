//! `offer …`: make an offer into escrow, list and show offers with their tally, finalize.
//! Cancelling, refunding and closing are in [`super::offer_end`].

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool::math::Outcome;
use data_pool::state::{Offer, OfferState, Pool};
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::pda::{find_escrow_pda, find_offer_pda};
use data_pool_client::query::{self, offer_state_name as state_name};
use data_pool_client::token;
use data_pool_client::units::{
    format_amount, format_duration, format_money, format_time, mint_label, Money,
};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::describe::{decision, phase};
use crate::error::CliError;
use crate::lookup;
use crate::output::{bps, fields, share, Listing, Printed, Transaction};
use crate::resolve::OfferCreate;

/// An offer as `offer show` and `offer list` print it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferView {
    /// Its address.
    pub address: String,
    /// The pool.
    pub pool: String,
    /// Its index in the pool.
    pub index: u64,
    /// The buyer.
    pub buyer: String,
    /// Where refunds go.
    pub refund_account: String,
    /// Who paid the rent of the offer and its escrow (gets it back when they close).
    pub payer: String,
    /// Price, base units.
    pub price: u64,
    /// Price, in the mint's units.
    pub price_ui: String,
    /// sha256 of the terms, hex.
    pub terms_hash: String,
    /// Where the terms can be read.
    pub terms_uri: String,
    /// The slice bought, when the offer carries its terms.
    pub slice: Option<String>,
    /// `open`, `accepted`, `rejected` or `cancelled`.
    pub state: &'static str,
    /// Where it is, in words.
    pub phase: String,
    /// What the votes decided: `accept`, `reject`, or `null` while undecided.
    pub decision: Option<&'static str>,
    /// A rejection whose refund waits for the buyer.
    pub refund_pending: bool,
    /// When it was made (unix time).
    pub created_at: i64,
    /// When voting ends.
    pub voting_ends_at: i64,
    /// Eligible weight.
    pub snapshot_total_weight: u64,
    /// Eligible contributors.
    pub snapshot_contributor_count: u64,
    /// Fee, basis points.
    pub fee_bps: u16,
    /// Quorum, basis points.
    pub quorum_bps: u16,
    /// Approval threshold, basis points.
    pub approval_bps: u16,
    /// Approving weight (a JSON number).
    pub yes_weight: u64,
    /// Rejecting weight.
    pub no_weight: u64,
    /// Voters.
    pub voter_count: u64,
    /// When it was settled (0: not yet).
    pub decided_at: i64,
    /// Fee paid at settlement.
    pub fee_paid: u64,
    /// Credited to contributors at settlement.
    pub net_distributed: u64,
    #[serde(skip)]
    pool_name: String,
    #[serde(skip)]
    decimals: u8,
    /// The payout mint's label for people ([`mint_label`]).
    #[serde(skip)]
    unit: String,
    #[serde(skip)]
    tally: (u128, u128),
}

impl OfferView {
    fn new(k: &Pubkey, o: &Offer, p: &Pool, now: i64) -> Self {
        let (pool_name, decimals) = (p.name.as_str(), p.mint_decimals);
        OfferView {
            address: k.to_string(),
            pool: o.pool.to_string(),
            index: o.index,
            buyer: o.buyer.to_string(),
            refund_account: o.refund_account.to_string(),
            payer: o.payer.to_string(),
            price: o.price,
            price_ui: format_amount(o.price.into(), decimals),
            terms_hash: hex::encode(o.terms_hash),
            terms_uri: o.terms_uri.clone(),
            slice: data_pool_client::dataset::Terms::of_offer(&o.terms_hash, &o.terms_uri)
                .map(|t| t.slice),
            state: state_name(&o.state),
            phase: phase(o, now),
            decision: decision(o, now),
            refund_pending: o.refund_pending,
            created_at: o.created_at,
            voting_ends_at: o.voting_ends_at,
            snapshot_total_weight: o.snapshot_total_weight,
            snapshot_contributor_count: o.snapshot_contributor_count,
            fee_bps: o.fee_bps,
            quorum_bps: o.quorum_bps,
            approval_bps: o.approval_bps,
            // A tally never exceeds the snapshot's total weight, a u64.
            yes_weight: u64::try_from(o.yes_weight).unwrap_or(u64::MAX),
            no_weight: u64::try_from(o.no_weight).unwrap_or(u64::MAX),
            voter_count: o.voter_count,
            decided_at: o.decided_at,
            fee_paid: o.fee_paid,
            net_distributed: o.net_distributed,
            pool_name: pool_name.to_string(),
            decimals,
            unit: mint_label(&p.mint),
            tally: (o.yes_weight, o.no_weight),
        }
    }
}

impl fmt::Display for OfferView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.decimals;
        let (yes, no) = self.tally;
        let voted = yes.saturating_add(no);
        let uri = if self.terms_uri.is_empty() {
            String::new()
        } else {
            format!(" at {}", self.terms_uri)
        };
        let text = fields(&[
            (
                "Offer",
                format!(
                    "{} (#{} of pool {})",
                    self.address, self.index, self.pool_name
                ),
            ),
            ("State", self.phase.clone()),
            ("Buyer", self.buyer.clone()),
            ("Rent paid by", self.payer.clone()),
            ("Price", format!("{} {}", self.price_ui, self.unit)),
            ("Terms", format!("sha256 {}{uri}", self.terms_hash)),
            (
                "Slice",
                self.slice
                    .clone()
                    .unwrap_or_else(|| "named in the terms (off chain)".into()),
            ),
            ("Voting ends", format_time(self.voting_ends_at)),
            (
                "Eligible",
                format!(
                    "{} contributors, weight {}",
                    self.snapshot_contributor_count, self.snapshot_total_weight
                ),
            ),
            (
                "Turnout",
                format!(
                    "{} voters, weight {voted} ({} of snapshot; quorum {})",
                    self.voter_count,
                    share(voted, self.snapshot_total_weight.into()),
                    bps(self.quorum_bps)
                ),
            ),
            (
                "Yes",
                format!(
                    "{yes} ({} of votes; needs {})",
                    share(yes, voted),
                    bps(self.approval_bps)
                ),
            ),
            ("No", format!("{no} ({} of votes)", share(no, voted))),
            ("Fee", bps(self.fee_bps)),
            (
                "Settled",
                if self.state == "accepted" {
                    format!(
                        "{} to contributors, {} fee",
                        format_money(self.net_distributed.into(), d, &self.unit),
                        format_money(self.fee_paid.into(), d, &self.unit)
                    )
                } else {
                    "-".into()
                },
            ),
        ]);
        write!(f, "{text}")
    }
}

/// `offer list`.
pub async fn list<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    state: Option<OfferState>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let now = ctx.chain.unix_time().await?;
    let mut list = query::offers(ctx.chain, &ctx.program_id, pool).await?;
    if let Some(s) = state {
        list.retain(|(_, o)| o.state == s);
    }
    let views = list
        .iter()
        .map(|(k, o)| OfferView::new(k, o, &p, now))
        .collect();
    Ok(Printed::of(&Listing::new(
        views,
        &["#", "OFFER", "PRICE", "VOTERS", "STATE"],
        |o: &OfferView| {
            vec![
                o.index.to_string(),
                o.address.clone(),
                o.price_ui.clone(),
                o.voter_count.to_string(),
                o.phase.clone(),
            ]
        },
        "no offers",
    )))
}

/// `offer show`.
pub async fn show<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, k).await?;
    let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
    let now = ctx.chain.unix_time().await?;
    Ok(Printed::of(&OfferView::new(k, &o, &p, now)))
}

/// An offer made.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Offered {
    /// The pool.
    pub pool: String,
    /// The offer.
    pub offer: String,
    /// Its index.
    pub index: u64,
    /// Price, base units.
    pub price: u64,
    /// The escrow holding it.
    pub escrow: String,
    /// sha256 of the terms, hex.
    pub terms_hash: String,
    /// The slice bought.
    pub slice: String,
    /// When voting ends.
    pub voting_ends_at: Option<i64>,
}

/// `offer create`.
pub async fn create<C: Chain>(ctx: &Ctx<'_, C>, a: &OfferCreate) -> Result<Printed, CliError> {
    let addr = a.pool;
    let p = lookup::pool(ctx, &addr).await?;
    let d = p.mint_decimals;
    let money = Money::of(&p.mint, d);
    let price = a.price.base_units(d)?;
    if price < p.params.min_offer_price {
        return Err(CliError::failed(format!(
            "the pool's minimum price is {}",
            money.show(p.params.min_offer_price)
        )));
    }
    let me = ctx.signer()?.pubkey();
    let from = a
        .from
        .unwrap_or_else(|| token::associated_address(&me, &p.mint, &p.token_program));
    let t = lookup::token_account(ctx, &from, &p, Some(&me), "paying account").await?;
    if t.amount < price {
        return Err(CliError::failed(format!(
            "insufficient funds: {from} holds {}, the offer needs {}",
            money.show(t.amount),
            money.show(price)
        )));
    }
    let refund = a.refund_to.unwrap_or(from);
    if refund != from {
        lookup::token_account(ctx, &refund, &p, None, "refund account").await?;
    }
    let fee = data_pool::math::bps_of(price, p.params.fee_bps).unwrap_or(0);
    ctx.confirm(&Review {
        title: format!("Offer to buy the data of pool {} ({addr})", p.name),
        rows: vec![
            (
                "price".into(),
                format!(
                    "{} (into escrow now; refunded if the pool says no)",
                    money.show(price)
                ),
            ),
            (
                "fee".into(),
                format!(
                    "{} to the curator if accepted ({})",
                    money.show(fee),
                    bps(p.params.fee_bps)
                ),
            ),
            (
                "voting".into(),
                format!(
                    "{} among {} contributors",
                    format_duration(p.params.voting_period),
                    p.contributor_count
                ),
            ),
            ("from".into(), from.to_string()),
            ("refunds to".into(), refund.to_string()),
            (
                "slice".into(),
                format!(
                    "{} (encrypted to your wallet key on delivery)",
                    a.terms.slice
                ),
            ),
            (
                "terms".into(),
                format!("sha256 {}", hex::encode(a.terms.hash())),
            ),
        ],
    })?;
    let args = ix::OfferCreateArgs {
        index: p.offer_count,
        price,
        terms_hash: a.terms.hash(),
        terms_uri: if a.terms_uri.is_empty() {
            // The terms themselves, so custodians and auditors read the slice from the offer.
            Some(a.terms.to_uri())
                .filter(|u| u.len() <= data_pool::constants::MAX_TERMS_URI_LEN)
                .unwrap_or_default()
        } else {
            a.terms_uri.clone()
        },
    };
    let i = ix::offer_create(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        &addr,
        &PoolTokens::of(&p),
        &from,
        &refund,
        args,
    );
    let offer = find_offer_pda(&ctx.program_id, &addr, p.offer_count).0;
    let sent = ctx.send("Create offer", &[i], true, &[]).await?;
    let ends = sent.events.iter().find_map(|e| match e {
        DataPoolEvent::OfferCreated(o) => Some(o.voting_ends_at),
        _ => None,
    });
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Offered {
            pool: addr.to_string(),
            offer: offer.to_string(),
            index: p.offer_count,
            price,
            escrow: find_escrow_pda(&ctx.program_id, &offer).0.to_string(),
            terms_hash: hex::encode(a.terms.hash()),
            slice: a.terms.slice.clone(),
            voting_ends_at: ends,
        },
        format!(
            "Offered {} for the data of pool {}",
            money.show(price),
            p.name
        ),
        vec![
            ("Offer", offer.to_string()),
            ("Voting ends", ends.map(format_time).unwrap_or_default()),
        ],
    )))
}

/// An offer settled.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finalized {
    /// The offer.
    pub offer: String,
    /// Its state now.
    pub state: &'static str,
    /// Fee paid.
    pub fee_paid: u64,
    /// Credited to contributors.
    pub net_distributed: u64,
    /// When an approved offer must be delivered by (0 unless approved).
    pub delivery_deadline: i64,
    /// Why a rejected offer was rejected: `quorum-missed`, `voted-down`, `undelivered`,
    /// `empty-pool` or `accumulator-full` (`None` unless rejected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_because: Option<&'static str>,
    /// For a rejected offer: whether the price went back to the buyer's refund account in this
    /// transaction (else it waits for `offer refund`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded: Option<bool>,
}

/// Why an offer was rejected, for scripts and as a sentence, from its event and final tally.
fn rejection(e: &data_pool::events::OfferRejected, o: &Offer) -> (&'static str, String) {
    use data_pool::events::RejectReason;
    let t = o.tally();
    let pct = |part: u128, whole: u128| {
        if whole == 0 {
            0.0
        } else {
            part as f64 * 100.0 / whole as f64
        }
    };
    let voted = t.yes + t.no;
    match e.reason {
        RejectReason::Vote if t.quorum_met() == Some(false) => (
            "quorum-missed",
            format!(
                "quorum missed: {:.1} % of the weight voted, {} needed",
                pct(voted, u128::from(t.snapshot_total)),
                bps(t.quorum_bps)
            ),
        ),
        RejectReason::Vote => (
            "voted-down",
            format!(
                "voted down: {:.1} % of the votes approved, {} needed",
                pct(t.yes, voted),
                bps(t.approval_bps)
            ),
        ),
        RejectReason::Undelivered => (
            "undelivered",
            "approved, but no custodian delivered the data before the deadline".into(),
        ),
        RejectReason::EmptyPool => (
            "empty-pool",
            "approved, but the pool had no weight left to pay".into(),
        ),
        RejectReason::AccumulatorFull => (
            "accumulator-full",
            "approved, but crediting it would overflow the reward accumulator".into(),
        ),
    }
}

/// `offer finalize`.
pub async fn finalize<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, k).await?;
    let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
    let now = ctx.chain.unix_time().await?;
    let overdue = o.state == OfferState::AwaitingDelivery && now >= o.delivery_deadline;
    if o.state == OfferState::AwaitingDelivery && !overdue {
        return Err(CliError::failed(format!(
            "offer {k} is approved and awaits delivery until {}",
            format_time(o.delivery_deadline)
        ))
        .with_hint("a custodian delivers it with `datapool custodian deliver`; after the deadline, finalize refunds the buyer"));
    }
    if o.state != OfferState::Open && !overdue {
        return Err(CliError::failed(format!(
            "offer {k} is already {}",
            state_name(&o.state)
        )));
    }
    let outcome = if overdue {
        "undelivered past its deadline: refund the buyer".to_string()
    } else {
        match o.outcome(now) {
            Some(Outcome::Accepted) => format!(
                "approved: the price stays in escrow until a custodian delivers (within {})",
                format_duration(o.delivery_period)
            ),
            Some(Outcome::Rejected) => "rejected: refund the buyer".into(),
            None => {
                return Err(CliError::failed(format!(
                    "offer {k} is not decided yet: {}",
                    phase(&o, now)
                )))
            }
        }
    };
    let d = p.mint_decimals;
    let money = Money::of(&p.mint, d);
    ctx.confirm(&Review {
        title: format!("Finalize offer {k}"),
        rows: vec![
            ("outcome".into(), outcome),
            ("price".into(), money.show(o.price)),
        ],
    })?;
    let i = ix::offer_finalize(
        &ctx.program_id,
        &o.pool,
        k,
        &PoolTokens::of(&p),
        &o.refund_account,
        &o.payer,
    );
    let sent = ctx.send("Finalize", &[i], false, &[]).await?;
    let after = query::offer(ctx.chain, &ctx.program_id, k).await.ok();
    let (state, fee, net, deadline) = after
        .as_ref()
        .map(|a| {
            (
                state_name(&a.state),
                a.fee_paid,
                a.net_distributed,
                a.delivery_deadline,
            )
        })
        .unwrap_or(("?", 0, 0, 0));
    let mut rows = vec![
        ("Paid to contributors", money.show(net)),
        ("Fee", money.show(fee)),
    ];
    if deadline != 0 && state == "awaiting-delivery" {
        rows.push(("Delivery due by", format_time(deadline)));
    }
    let rejected = sent.events.iter().find_map(|e| match e {
        DataPoolEvent::OfferRejected(r) => Some(r.clone()),
        _ => None,
    });
    let (mut rejected_because, mut refunded) = (None, None);
    if let (Some(r), Some(a)) = (&rejected, &after) {
        let (code, why) = rejection(r, a);
        rows.push(("Why", why));
        rows.push((
            "Refund",
            if r.refunded {
                format!(
                    "the price, {}, went back to {}",
                    money.show(r.price),
                    o.refund_account
                )
            } else {
                format!(
                    "{} waits for the buyer: `datapool offer refund {k}`",
                    money.show(r.price)
                )
            },
        ));
        rejected_because = Some(code);
        refunded = Some(r.refunded);
    }
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Finalized {
            offer: k.to_string(),
            state,
            fee_paid: fee,
            net_distributed: net,
            delivery_deadline: deadline,
            rejected_because,
            refunded,
        },
        format!("Finalized offer {k}: {state}"),
        rows,
    )))
}
