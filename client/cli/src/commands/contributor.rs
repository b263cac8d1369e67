//! `contributor …` and `claim`: a contributor's weight, share, owed and claimed amounts, every
//! contributor of a pool, and claiming what the pool owes.

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool::state::Contributor;
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::query;
use data_pool_client::units::{format_amount, Money};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{fields, share, Listing, Printed, Transaction};

/// A wallet's part of a pool, over its contributor records (one per contribution).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributorView {
    /// The pool.
    pub pool: String,
    /// The wallet.
    pub wallet: String,
    /// Its contributor records, by arrival index.
    pub records: Vec<String>,
    /// Σ weight of its active records.
    pub weight: u64,
    /// The pool's total weight.
    pub pool_weight: u64,
    /// Its share of the pool's weight.
    pub share: String,
    /// Active records (contributions holding weight).
    pub active_contributions: u64,
    /// Owed now, base units.
    pub owed: u64,
    /// Owed now, in the mint's units.
    pub owed_ui: String,
    #[serde(skip)]
    pool_name: String,
}

impl fmt::Display for ContributorView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = fields(&[
            (
                "Contributor",
                format!("{} in pool {}", self.wallet, self.pool_name),
            ),
            ("Weight", format!("{} of {}", self.weight, self.pool_weight)),
            ("Share", self.share.clone()),
            (
                "Contributions",
                format!(
                    "{} active of {}: {}",
                    self.active_contributions,
                    self.records.len(),
                    self.records.join(", ")
                ),
            ),
            ("Owed", self.owed_ui.clone()),
        ]);
        write!(f, "{text}")
    }
}

/// One wallet's records folded: (weight, active records, owed, records).
fn fold(records: &[(Pubkey, Contributor)], acc: u128) -> (u64, u64, u64, Vec<String>) {
    records.iter().fold((0, 0, 0, vec![]), |mut t, (k, c)| {
        t.0 = t.0.saturating_add(c.weight);
        t.1 += u64::from(c.is_active());
        t.2 = t.2.saturating_add(c.entitlement(acc).unwrap_or(0));
        t.3.push(k.to_string());
        t
    })
}

/// `contributor show`.
pub async fn show<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    wallet: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let wallet = match wallet {
        Some(w) => *w,
        None => ctx.signer()?.pubkey(),
    };
    let records = query::contributors(ctx.chain, &ctx.program_id, pool, Some(&wallet)).await?;
    if records.is_empty() {
        return Err(CliError::failed(format!(
            "{wallet} has no contribution in pool {pool}"
        )));
    }
    let (weight, active, owed, records) = fold(&records, p.acc_reward_per_weight);
    Ok(Printed::of(&ContributorView {
        pool: pool.to_string(),
        wallet: wallet.to_string(),
        records,
        weight,
        pool_weight: p.total_weight,
        share: share(weight.into(), p.total_weight.into()),
        active_contributions: active,
        owed,
        owed_ui: format_amount(owed.into(), p.mint_decimals),
        pool_name: p.name,
    }))
}

/// A contributor as `contributor list` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributorRow {
    /// The wallet.
    pub wallet: String,
    /// Its contributor records.
    pub records: u64,
    /// Σ weight of its active records.
    pub weight: u64,
    /// Owed now, base units.
    pub owed: u64,
    /// Arrival index of its first record on chain.
    pub first_index: u64,
}

/// `contributor list`: one row per wallet, in order of arrival.
pub async fn list<C: Chain>(ctx: &Ctx<'_, C>, pool: &Pubkey) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let list = query::contributors(ctx.chain, &ctx.program_id, pool, None).await?;
    let mut by_wallet: Vec<(Pubkey, Vec<(Pubkey, Contributor)>)> = Vec::new();
    for (k, c) in list {
        match by_wallet.iter_mut().find(|(w, _)| *w == c.wallet) {
            Some((_, v)) => v.push((k, c)),
            None => by_wallet.push((c.wallet, vec![(k, c)])),
        }
    }
    let d = p.mint_decimals;
    let rows = by_wallet
        .iter()
        .map(|(w, recs)| {
            let (weight, _, owed, records) = fold(recs, p.acc_reward_per_weight);
            ContributorRow {
                wallet: w.to_string(),
                records: records.len() as u64,
                weight,
                owed,
                first_index: recs[0].1.index,
            }
        })
        .collect();
    Ok(Printed::of(&Listing::new(
        rows,
        &["#", "WALLET", "RECORDS", "WEIGHT", "SHARE", "OWED"],
        |c: &ContributorRow| {
            vec![
                c.first_index.to_string(),
                c.wallet.clone(),
                c.records.to_string(),
                c.weight.to_string(),
                share(c.weight.into(), p.total_weight.into()),
                format_amount(c.owed.into(), d),
            ]
        },
        "no contributors",
    )))
}

/// A claim paid.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claimed {
    /// The pool.
    pub pool: String,
    /// Base units paid.
    pub amount: u64,
    /// Paid, in the mint's units.
    pub amount_ui: String,
    /// The token account paid.
    pub to: String,
}

/// `claim`.
pub async fn claim<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    to: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let me = ctx.signer()?.pubkey();
    let records = query::contributors(ctx.chain, &ctx.program_id, addr, Some(&me)).await?;
    if records.is_empty() {
        return Err(CliError::failed(format!(
            "{me} has no contribution in pool {addr}"
        )));
    }
    let mut ixs = Vec::new();
    let dest = lookup::destination(ctx, &p, to, &me, &mut ixs).await?;
    // At most a transaction's worth of records; a second run claims the rest.
    let owing: Vec<(Pubkey, u64)> = records
        .iter()
        .map(|(k, c)| (*k, c.entitlement(p.acc_reward_per_weight).unwrap_or(0)))
        .filter(|(_, owed)| *owed > 0)
        .take(data_pool_client::accounts::RECORDS_PER_TRANSACTION)
        .collect();
    let owed: u64 = owing.iter().map(|(_, o)| o).sum();
    let d = p.mint_decimals;
    if owed == 0 {
        return Err(CliError::failed(format!(
            "nothing to claim: {me} is owed 0 in pool {addr}"
        )));
    }
    ctx.confirm(&Review {
        title: format!("Claim from pool {} ({addr})", p.name),
        rows: vec![
            ("amount".into(), Money::of(&p.mint, d).show(owed)),
            (
                "to".into(),
                format!(
                    "{dest}{}",
                    if ixs.is_empty() { "" } else { " (created now)" }
                ),
            ),
        ],
    })?;
    let tokens = PoolTokens::of(&p);
    for (record, _) in &owing {
        ixs.push(ix::payout_claim(
            &ctx.program_id,
            &me,
            addr,
            record,
            &tokens,
            &dest,
        ));
    }
    let sent = ctx.send("Claim", &ixs, true, &[]).await?;
    let amount = sent
        .events
        .iter()
        .filter_map(|e| match e {
            DataPoolEvent::PayoutClaimed(c) => Some(c.amount),
            _ => None,
        })
        .sum();
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Claimed {
            pool: addr.to_string(),
            amount,
            amount_ui: format_amount(amount.into(), d),
            to: dest.to_string(),
        },
        format!(
            "Claimed {} from pool {}",
            Money::of(&p.mint, d).show(amount),
            p.name
        ),
        vec![("To", dest.to_string())],
    )))
}
