//! `contributor …` and `claim`: a contributor's weight, share, owed and claimed amounts, every
//! contributor of a pool, and claiming what the pool owes.

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::pda::find_contributor_pda;
use data_pool_client::query;
use data_pool_client::token;
use data_pool_client::units::{format_amount, format_time};
use serde::Serialize;
use solana_signer::Signer;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{fields, share, Listing, Printed, Transaction};

/// A contributor as `contributor show` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContributorView {
    /// The pool.
    pub pool: String,
    /// The wallet.
    pub wallet: String,
    /// Its contributor record.
    pub record: String,
    /// Its number in the pool.
    pub index: u64,
    /// Its weight.
    pub weight: u64,
    /// The pool's total weight.
    pub pool_weight: u64,
    /// Its share of the pool's weight.
    pub share: String,
    /// Active contributions.
    pub active_contributions: u32,
    /// Contributions ever.
    pub contributions: u32,
    /// Owed now, base units.
    pub owed: u64,
    /// Owed now, in the mint's units.
    pub owed_ui: String,
    /// Claimed so far, base units (a string: u128).
    pub claimed: String,
    /// Claimed so far, in the mint's units.
    pub claimed_ui: String,
    /// When it joined (unix time).
    pub joined_at: i64,
    #[serde(skip)]
    pool_name: String,
}

impl fmt::Display for ContributorView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = fields(&[
            (
                "Contributor",
                format!(
                    "{} (#{} in pool {})",
                    self.wallet, self.index, self.pool_name
                ),
            ),
            ("Weight", format!("{} of {}", self.weight, self.pool_weight)),
            ("Share", self.share.clone()),
            (
                "Contributions",
                format!(
                    "{} active of {}",
                    self.active_contributions, self.contributions
                ),
            ),
            ("Owed", self.owed_ui.clone()),
            ("Claimed", self.claimed_ui.clone()),
            ("Joined", format_time(self.joined_at)),
        ]);
        write!(f, "{text}")
    }
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
    let rec = find_contributor_pda(&ctx.program_id, pool, &wallet).0;
    let c = query::contributor_opt(ctx.chain, &ctx.program_id, &rec)
        .await?
        .ok_or_else(|| CliError::input(format!("{wallet} has never contributed to pool {pool}")))?;
    let owed = c.entitlement(p.acc_reward_per_weight).unwrap_or(0);
    let d = p.mint_decimals;
    Ok(Printed::of(&ContributorView {
        pool: pool.to_string(),
        wallet: wallet.to_string(),
        record: rec.to_string(),
        index: c.index,
        weight: c.weight,
        pool_weight: p.total_weight,
        share: share(c.weight.into(), p.total_weight.into()),
        active_contributions: c.active_contribution_count,
        contributions: c.contribution_count,
        owed,
        owed_ui: format_amount(owed.into(), d),
        claimed: c.claimed.to_string(),
        claimed_ui: format_amount(c.claimed, d),
        joined_at: c.joined_at,
        pool_name: p.name,
    }))
}

/// A contributor as `contributor list` prints it.
#[derive(Debug, Serialize)]
pub struct ContributorRow {
    /// Its contributor record.
    pub record: String,
    /// The wallet.
    pub wallet: String,
    /// Its number in the pool.
    pub index: u64,
    /// Its weight.
    pub weight: u64,
    /// Owed now, base units.
    pub owed: u64,
    /// Claimed so far, base units (a string: u128).
    pub claimed: String,
    #[serde(skip)]
    claimed_units: u128,
}

/// `contributor list`.
pub async fn list<C: Chain>(ctx: &Ctx<'_, C>, pool: &Pubkey) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let list = query::contributors(ctx.chain, &ctx.program_id, pool).await?;
    let d = p.mint_decimals;
    let rows = list
        .iter()
        .map(|(k, c)| ContributorRow {
            record: k.to_string(),
            wallet: c.wallet.to_string(),
            index: c.index,
            weight: c.weight,
            owed: c.entitlement(p.acc_reward_per_weight).unwrap_or(0),
            claimed: c.claimed.to_string(),
            claimed_units: c.claimed,
        })
        .collect();
    Ok(Printed::of(&Listing::new(
        rows,
        &["#", "WALLET", "WEIGHT", "SHARE", "OWED", "CLAIMED"],
        |c: &ContributorRow| {
            vec![
                c.index.to_string(),
                c.wallet.clone(),
                c.weight.to_string(),
                share(c.weight.into(), p.total_weight.into()),
                format_amount(c.owed.into(), d),
                format_amount(c.claimed_units, d),
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
    let record = find_contributor_pda(&ctx.program_id, addr, &me).0;
    let c = query::contributor_opt(ctx.chain, &ctx.program_id, &record)
        .await?
        .ok_or_else(|| CliError::input(format!("{me} has never contributed to pool {addr}")))?;
    let mut ixs = Vec::new();
    let dest = match to {
        Some(dest) => {
            lookup::token_account(ctx, dest, &p, None, "destination").await?;
            *dest
        }
        None => {
            let ata = token::associated_address(&me, &p.mint, &p.token_program);
            if ctx.chain.get_account(&ata).await?.is_none() {
                ixs.push(token::create_associated_idempotent(
                    &ctx.payer()?.pubkey(),
                    &me,
                    &p.mint,
                    &p.token_program,
                ));
            } else {
                lookup::token_account(ctx, &ata, &p, Some(&me), "destination").await?;
            }
            ata
        }
    };
    let owed = c.entitlement(p.acc_reward_per_weight).unwrap_or(0);
    let d = p.mint_decimals;
    if owed == 0 {
        return Err(CliError::failed(format!(
            "nothing to claim: {me} is owed 0 (claimed {} so far)",
            format_amount(c.claimed, d)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Claim from pool {} ({addr})", p.name),
        rows: vec![
            ("amount".into(), format_amount(owed.into(), d)),
            (
                "to".into(),
                format!(
                    "{dest}{}",
                    if ixs.is_empty() { "" } else { " (created now)" }
                ),
            ),
        ],
    })?;
    ixs.push(ix::payout_claim(
        &ctx.program_id,
        &me,
        addr,
        &PoolTokens::of(&p),
        &dest,
    ));
    let sent = ctx.send("Claim", &ixs, true, &[]).await?;
    let amount = sent
        .events
        .iter()
        .find_map(|e| match e {
            DataPoolEvent::PayoutClaimed(c) => Some(c.amount),
            _ => None,
        })
        .unwrap_or(owed);
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
            format_amount(amount.into(), d),
            p.name
        ),
        vec![("To", dest.to_string())],
    )))
}
