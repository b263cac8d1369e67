//! The end of a pool's life: `pool wind-down` (the claim window starts), `contribution reap`
//! (records left behind after it) and `pool close` (sweep, close the vaults, the registry
//! records and the pool, rent back to whoever paid it).

use anchor_lang::prelude::Pubkey;
use data_pool::constants::INCINERATOR;
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::query;
use data_pool_client::units::{format_amount, format_sol, format_time};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{Printed, Transaction};

/// A pool wound down.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WoundDown {
    /// The pool.
    pub pool: String,
    /// When its claim window ends (unix time).
    pub claims_end: i64,
}

/// `pool wind-down`.
pub async fn wind_down<C: Chain>(ctx: &Ctx<'_, C>, addr: &Pubkey) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    if p.wound_down_at != 0 {
        return Err(CliError::failed(format!(
            "pool {addr} was wound down at {}",
            format_time(p.wound_down_at)
        )));
    }
    if p.open_offer_count > 0 {
        return Err(CliError::failed(format!(
            "pool {addr} has {} offer(s) open or awaiting delivery",
            p.open_offer_count
        ))
        .with_hint("pause it (`datapool pool pause`) and let its offers settle first"));
    }
    let now = ctx.chain.unix_time().await?;
    ctx.confirm(&Review {
        title: format!("Wind down pool {} ({addr})", p.name),
        rows: vec![
            (
                "effect".into(),
                "no new contributions or offers, for good".into(),
            ),
            (
                "claims until".into(),
                format_time(now.saturating_add(p.claim_window)),
            ),
        ],
    })?;
    let me = ctx.signer()?.pubkey();
    let sent = ctx
        .send(
            "Wound down",
            &[ix::pool_wind_down(&ctx.program_id, &me, addr)],
            true,
            &[],
        )
        .await?;
    let claims_end = sent
        .events
        .iter()
        .find_map(|e| match e {
            DataPoolEvent::PoolWoundDown(w) => Some(w.claims_end),
            _ => None,
        })
        .unwrap_or(now.saturating_add(p.claim_window));
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        WoundDown {
            pool: addr.to_string(),
            claims_end,
        },
        format!("Wound down pool {} ({addr})", p.name),
        vec![("Claims until", format_time(claims_end))],
    )))
}

/// A record reaped.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reaped {
    /// The record.
    pub contribution: String,
    /// Lamports of rent returned.
    pub rent_returned: u64,
    /// Where they went (the record's payer, or the incinerator for an invalidated record).
    pub rent_to: String,
}

/// `contribution reap`.
pub async fn reap<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let (c, p) = super::contribution::record(ctx, k).await?;
    let now = ctx.chain.unix_time().await?;
    if p.claims_end().is_none_or(|end| now < end) {
        return Err(CliError::failed(format!(
            "pool {} is not past its claim window: its contributors can still claim and leave",
            c.pool
        )));
    }
    let identity = lookup::identity(ctx, &c.pool, k).await?;
    let rent_to = if c.is_active() { c.payer } else { INCINERATOR };
    let me = ctx.signer()?.pubkey();
    let i = ix::contributor_reap(&ctx.program_id, &me, &c.pool, &rent_to, &identity);
    let sent = ctx.send("Reaped", &[i], true, &[]).await?;
    let rent = sent
        .events
        .iter()
        .find_map(|e| match e {
            DataPoolEvent::ContributorClosed(x) => Some(x.lamports),
            _ => None,
        })
        .unwrap_or(0);
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Reaped {
            contribution: k.to_string(),
            rent_returned: rent,
            rent_to: rent_to.to_string(),
        },
        format!("Closed contribution {k}: {} to {rent_to}", format_sol(rent)),
        vec![],
    )))
}

/// A pool closed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Closed {
    /// The pool.
    pub pool: String,
    /// Base units swept from the reward vault.
    pub swept_rewards: u64,
    /// Base units swept from the fee vault.
    pub swept_fees: u64,
    /// Where they went.
    pub to: String,
    /// Lamports of rent returned to the pool's payer.
    pub rent_returned: u64,
    /// Attestor and custodian records closed.
    pub records_closed: u32,
}

/// `pool close`.
pub async fn close<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    to: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let now = ctx.chain.unix_time().await?;
    match p.claims_end() {
        None => {
            return Err(CliError::input(format!("pool {addr} is live"))
                .with_hint("wind it down first: `datapool pool wind-down`"))
        }
        Some(end) if now < end => {
            return Err(CliError::input(format!(
                "pool {addr}'s claim window runs until {}",
                format_time(end)
            )))
        }
        _ => {}
    }
    let left = p
        .contributor_count
        .saturating_sub(p.closed_contributor_count);
    if left > 0 {
        return Err(CliError::input(format!(
            "pool {addr} still has {left} contributor record(s)"
        ))
        .with_hint("close each with `datapool contribution reap <CONTRIBUTION>` (anyone may)"));
    }
    let me = ctx.signer()?.pubkey();
    let mut ixs = vec![];
    let dest = lookup::destination(ctx, &p, to, &me, &mut ixs).await?;
    let registry = query::registry(ctx.chain, &ctx.program_id, addr).await?;
    let rewards = query::token_account(ctx.chain, &p.vault).await?.amount;
    let fees = query::token_account(ctx.chain, &p.fee_vault).await?.amount;
    let d = p.mint_decimals;
    ctx.confirm(&Review {
        title: format!("Close pool {} ({addr})", p.name),
        rows: vec![
            (
                "sweep".into(),
                format!(
                    "{} unclaimed and {} fees to {dest}",
                    format_amount(rewards.into(), d),
                    format_amount(fees.into(), d)
                ),
            ),
            (
                "records".into(),
                format!("{} attestor and custodian records close", registry.len()),
            ),
            ("rent to".into(), p.payer.to_string()),
        ],
    })?;
    ixs.push(ix::pool_close(
        &ctx.program_id,
        &me,
        addr,
        &p.payer,
        &PoolTokens::of(&p),
        &dest,
        &registry,
    ));
    let sent = ctx.send("Closed", &ixs, true, &[]).await?;
    let closed = sent.events.iter().find_map(|e| match e {
        DataPoolEvent::PoolClosed(c) => Some(c.clone()),
        _ => None,
    });
    let (lamports, records) = closed.map_or((0, 0), |c| (c.lamports, c.records_closed));
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Closed {
            pool: addr.to_string(),
            swept_rewards: rewards,
            swept_fees: fees,
            to: dest.to_string(),
            rent_returned: lamports,
            records_closed: records,
        },
        format!(
            "Closed pool {}: {} back to {}",
            p.name,
            format_sol(lamports),
            p.payer
        ),
        vec![],
    )))
}
