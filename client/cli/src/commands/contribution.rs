//! `contribution …`: list, show, revoke (the contributor) and invalidate (its attestor or the
//! curator).

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{Contribution, ContributionStatus};
use data_pool_client::chain::Chain;
use data_pool_client::instructions as ix;
use data_pool_client::query;
use data_pool_client::units::format_time;
use serde::Serialize;
use solana_signer::Signer;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{fields, Listing, Printed, Transaction};

fn status_name(s: &ContributionStatus) -> &'static str {
    match s {
        ContributionStatus::Active => "active",
        ContributionStatus::Revoked => "revoked",
        ContributionStatus::Invalidated => "invalidated",
    }
}

/// A contribution as `contribution show` and `contribution list` print it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributionView {
    /// Its address.
    pub address: String,
    /// The pool.
    pub pool: String,
    /// The contributor's wallet.
    pub contributor: String,
    /// Canonical data hash, hex.
    pub data_hash: String,
    /// Attested score.
    pub score: u64,
    /// The attestor's key.
    pub attestor: String,
    /// `active`, `revoked` or `invalidated`.
    pub status: &'static str,
    /// When it was submitted (unix time).
    pub submitted_at: i64,
    /// When it ended (0: still active).
    pub ended_at: i64,
}

impl ContributionView {
    fn new(k: &Pubkey, c: &Contribution) -> Self {
        ContributionView {
            address: k.to_string(),
            pool: c.pool.to_string(),
            contributor: c.contributor.to_string(),
            data_hash: hex::encode(c.data_hash),
            score: c.score,
            attestor: c.attestor.to_string(),
            status: status_name(&c.status),
            submitted_at: c.submitted_at,
            ended_at: c.ended_at,
        }
    }
}

impl fmt::Display for ContributionView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = fields(&[
            ("Contribution", self.address.clone()),
            ("Pool", self.pool.clone()),
            ("Contributor", self.contributor.clone()),
            ("Data hash", self.data_hash.clone()),
            ("Score", self.score.to_string()),
            ("Attestor", self.attestor.clone()),
            ("Status", self.status.into()),
            ("Submitted", format_time(self.submitted_at)),
            ("Ended", format_time(self.ended_at)),
        ]);
        write!(f, "{text}")
    }
}

/// `contribution list`.
pub async fn list<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    wallet: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    lookup::pool(ctx, pool).await?;
    let list = query::contributions(ctx.chain, &ctx.program_id, pool, wallet).await?;
    let views = list
        .iter()
        .map(|(k, c)| ContributionView::new(k, c))
        .collect();
    Ok(Printed::of(&Listing::new(
        views,
        &[
            "CONTRIBUTION",
            "CONTRIBUTOR",
            "SCORE",
            "STATUS",
            "SUBMITTED",
        ],
        |c: &ContributionView| {
            vec![
                c.address.clone(),
                c.contributor.clone(),
                c.score.to_string(),
                c.status.into(),
                format_time(c.submitted_at),
            ]
        },
        "no contributions",
    )))
}

/// `contribution show`.
pub async fn show<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let c = lookup::contribution(ctx, k).await?;
    Ok(Printed::of(&ContributionView::new(k, &c)))
}

/// A contribution ended.
#[derive(Debug, Serialize)]
pub struct Ended {
    /// The contribution.
    pub contribution: String,
    /// `revoked` or `invalidated`.
    pub status: &'static str,
}

/// `contribution revoke` / `contribution invalidate`.
pub async fn end<C: Chain>(
    ctx: &Ctx<'_, C>,
    k: &Pubkey,
    revoke: bool,
) -> Result<Printed, CliError> {
    let c = lookup::contribution(ctx, k).await?;
    if !c.is_active() {
        return Err(CliError::input(format!(
            "contribution {k} is already {}",
            status_name(&c.status)
        )));
    }
    let me = ctx.signer()?.pubkey();
    let i = if revoke {
        if c.contributor != me {
            return Err(CliError::input(format!(
                "contribution {k} belongs to {}, not {me}",
                c.contributor
            )));
        }
        ctx.confirm(&Review {
            title: format!("Revoke contribution {k}"),
            rows: vec![(
                "score".into(),
                format!(
                    "{} leaves your weight (what you earned so far stays claimable)",
                    c.score
                ),
            )],
        })?;
        ix::contribution_revoke(&ctx.program_id, &me, &c.pool, &c.data_hash)
    } else {
        let p = query::pool(ctx.chain, &ctx.program_id, &c.pool).await?;
        if p.open_offer_count > 0 {
            return Err(CliError::input(format!(
                "pool {} has {} open offer(s): no contribution can be invalidated until they settle",
                c.pool, p.open_offer_count
            ))
            .with_hint("pause the pool (`datapool pool pause`), finalize its open offers, then invalidate"));
        }
        ix::contribution_invalidate(
            &ctx.program_id,
            &me,
            &c.pool,
            &c.contributor,
            &c.data_hash,
            &c.attestor,
        )
    };
    let verb = if revoke { "Revoked" } else { "Invalidated" };
    let sent = ctx.send(verb, &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Ended {
            contribution: k.to_string(),
            status: if revoke { "revoked" } else { "invalidated" },
        },
        format!("{verb} contribution {k} (score {})", c.score),
        vec![],
    )))
}
