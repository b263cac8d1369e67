//! `contribution …`: a pool's contributor records (one per contribution), one record, leaving
//! (the contributor: claim what is owed and close the record, rent back to whoever paid it) and
//! invalidating (its attestor or the curator).

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{ContributionStatus, Contributor, Pool};
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::history::record_contribution;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::query::{self, QueryError};
use data_pool_client::units::{format_amount, format_sol};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{fields, Listing, Printed, Transaction};

fn status_name(s: &ContributionStatus) -> &'static str {
    match s {
        ContributionStatus::Active => "active",
        ContributionStatus::Invalidated => "invalidated",
    }
}

/// A contributor record as `contribution show` and `contribution list` print it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributionView {
    /// The record's address.
    pub address: String,
    /// The pool.
    pub pool: String,
    /// The contributor's wallet.
    pub contributor: String,
    /// Arrival index (its bit in offers' vote bitmaps).
    pub index: u64,
    /// Weight: the attested score while active, 0 once invalidated.
    pub weight: u64,
    /// The attestor's key.
    pub attestor: String,
    /// `active` or `invalidated`.
    pub status: &'static str,
    /// Owed now, base units.
    pub owed: u64,
    /// Who paid the record's rent (gets it back when the contributor leaves).
    pub rent_payer: String,
    /// Canonical data hash of its latest submission, hex (`contribution show` reads it from the
    /// record's events; lists leave it out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_hash: Option<String>,
    /// The contributor's identity commitment, hex (`contribution show` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip)]
    decimals: u8,
}

impl ContributionView {
    fn new(k: &Pubkey, c: &Contributor, p: &Pool) -> Self {
        ContributionView {
            address: k.to_string(),
            pool: c.pool.to_string(),
            contributor: c.wallet.to_string(),
            index: c.index,
            weight: c.weight,
            attestor: c.attestor.to_string(),
            status: status_name(&c.status),
            owed: c.entitlement(p.acc_reward_per_weight).unwrap_or(0),
            rent_payer: c.payer.to_string(),
            data_hash: None,
            identity: None,
            decimals: p.mint_decimals,
        }
    }
}

impl fmt::Display for ContributionView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rows = vec![
            ("Contribution", self.address.clone()),
            ("Pool", self.pool.clone()),
            (
                "Contributor",
                format!("{} (#{})", self.contributor, self.index),
            ),
            ("Weight", self.weight.to_string()),
            ("Attestor", self.attestor.clone()),
            ("Status", self.status.into()),
            ("Owed", format_amount(self.owed.into(), self.decimals)),
            ("Rent payer", self.rent_payer.clone()),
        ];
        if let Some(h) = &self.data_hash {
            rows.push(("Data hash", h.clone()));
        }
        if let Some(i) = &self.identity {
            rows.push(("Identity", i.clone()));
        }
        write!(f, "{}", fields(&rows))
    }
}

/// `contribution list`.
pub async fn list<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    wallet: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let list = query::contributors(ctx.chain, &ctx.program_id, pool, wallet).await?;
    let views = list
        .iter()
        .map(|(k, c)| ContributionView::new(k, c, &p))
        .collect();
    let d = p.mint_decimals;
    Ok(Printed::of(&Listing::new(
        views,
        &[
            "#",
            "CONTRIBUTION",
            "CONTRIBUTOR",
            "WEIGHT",
            "STATUS",
            "OWED",
        ],
        |c: &ContributionView| {
            vec![
                c.index.to_string(),
                c.address.clone(),
                c.contributor.clone(),
                c.weight.to_string(),
                c.status.into(),
                format_amount(c.owed.into(), d),
            ]
        },
        "no contributions",
    )))
}

/// The contributor record at `k` and its pool.
pub(crate) async fn record<C: Chain>(
    ctx: &Ctx<'_, C>,
    k: &Pubkey,
) -> Result<(Contributor, Pool), CliError> {
    let c = query::contributor(ctx.chain, &ctx.program_id, k)
        .await
        .map_err(|e| match e {
            QueryError::NotFound { .. } => CliError::input(format!(
                "no contribution at {k} on {} (a contributor who left closed it)",
                ctx.chain.label()
            ))
            .with_hint("list a pool's contributions with `datapool contribution list <POOL>`"),
            other => other.into(),
        })?;
    let p = lookup::pool(ctx, &c.pool).await?;
    Ok((c, p))
}

/// `contribution show`.
pub async fn show<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let (c, p) = record(ctx, k).await?;
    let mut view = ContributionView::new(k, &c, &p);
    if let Some(r) = record_contribution(ctx.chain, &ctx.program_id, &c.pool, k).await? {
        view.data_hash = Some(hex::encode(r.data_hash));
        view.identity = Some(hex::encode(r.identity));
    }
    Ok(Printed::of(&view))
}

/// A contribution ended.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ended {
    /// The contribution's record.
    pub contribution: String,
    /// `left` (record closed) or `invalidated` (record kept).
    pub status: &'static str,
    /// Base units claimed on the way out.
    pub claimed: u64,
    /// Lamports of rent returned (to `rentPayer`).
    pub rent_returned: u64,
    /// Who got the rent back.
    pub rent_payer: String,
}

/// `contribution leave` / `contribution invalidate`.
pub async fn end<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey, leave: bool) -> Result<Printed, CliError> {
    let (c, p) = record(ctx, k).await?;
    if !c.is_active() {
        return Err(CliError::failed(format!(
            "contribution {k} was invalidated: its record stays and its deposit is forfeited"
        ))
        .with_hint("what it was owed before can still be claimed: `datapool claim <POOL>`"));
    }
    let me = ctx.signer()?.pubkey();
    let identity = lookup::identity(ctx, &c.pool, k).await?;
    let d = p.mint_decimals;
    let mut ixs = Vec::new();
    let owed = c.entitlement(p.acc_reward_per_weight).unwrap_or(0);
    if leave {
        if c.wallet != me {
            return Err(CliError::failed(format!(
                "contribution {k} belongs to {}, not {me}",
                c.wallet
            )));
        }
        let rent = ctx.chain.get_account(k).await?.map_or(0, |a| a.lamports);
        let mut rows = vec![
            (
                "weight".into(),
                format!("{} leaves the pool (your data is no longer sold)", c.weight),
            ),
            (
                "deposit".into(),
                format!("{} back to {}", format_sol(rent), c.payer),
            ),
        ];
        if owed > 0 {
            let ata = lookup::destination(ctx, &p, None, &me, &mut ixs).await?;
            ixs.push(ix::payout_claim(
                &ctx.program_id,
                &me,
                &c.pool,
                k,
                &PoolTokens::of(&p),
                &ata,
            ));
            rows.push((
                "claim".into(),
                format!("{} to {ata}", format_amount(owed.into(), d)),
            ));
        }
        ctx.confirm(&Review {
            title: format!("Leave pool {} with contribution {k}", p.name),
            rows,
        })?;
        ixs.push(ix::contributor_leave(
            &ctx.program_id,
            &me,
            &c.pool,
            &c.payer,
            &identity,
        ));
    } else {
        if p.open_offer_count > 0 {
            return Err(CliError::failed(format!(
                "pool {} has {} open offer(s): no contribution can be invalidated until they settle",
                c.pool, p.open_offer_count
            ))
            .with_hint("pause the pool (`datapool pool pause`), finalize its open offers, then invalidate"));
        }
        ixs.push(ix::contribution_invalidate(
            &ctx.program_id,
            &me,
            &c.pool,
            &identity,
            &c.attestor,
        ));
    }
    let verb = if leave { "Left" } else { "Invalidated" };
    let sent = ctx.send(verb, &ixs, true, &[]).await?;
    let (mut claimed, mut rent) = (0, 0);
    for e in &sent.events {
        match e {
            DataPoolEvent::PayoutClaimed(x) => claimed += x.amount,
            DataPoolEvent::ContributorClosed(x) => rent = x.lamports,
            _ => {}
        }
    }
    let summary = if leave {
        format!(
            "Left with contribution {k}: claimed {}, deposit {} back to {}",
            format_amount(claimed.into(), d),
            format_sol(rent),
            c.payer
        )
    } else {
        format!("Invalidated contribution {k} (weight {})", c.weight)
    };
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Ended {
            contribution: k.to_string(),
            status: if leave { "left" } else { "invalidated" },
            claimed,
            rent_returned: rent,
            rent_payer: c.payer.to_string(),
        },
        summary,
        vec![],
    )))
}
