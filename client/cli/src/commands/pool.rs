//! `pool …`: create, show, list, update, pause, hand over, withdraw fees.

use std::fmt;

use anchor_lang::prelude::Pubkey;
use data_pool::state::Pool;
use data_pool_client::chain::Chain;
use data_pool_client::instructions::{self as ix, PoolCreateArgs, PoolTokens, PoolUpdateArgs};
use data_pool_client::pda::{find_fee_vault_pda, find_vault_pda};
use data_pool_client::query;
use data_pool_client::token;
use data_pool_client::units::{format_amount, format_duration, Money};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{bps, fields, Listing, Printed, Transaction};
use crate::resolve::{Amount, ParamsChange};

/// A pool as `pool show` and `pool list` print it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolView {
    /// The pool's address.
    pub address: String,
    /// Name.
    pub name: String,
    /// Who created it.
    pub creator: String,
    /// The curator.
    pub authority: String,
    /// The proposed curator, if a handover is pending.
    pub pending_authority: Option<String>,
    /// Paused pools take no contributions or offers.
    pub paused: bool,
    /// Payout mint.
    pub mint: String,
    /// Its decimals.
    pub mint_decimals: u8,
    /// Its token program.
    pub token_program: String,
    /// Reward vault.
    pub vault: String,
    /// Reward vault balance (`null`: not read).
    pub vault_balance: Option<u64>,
    /// Fee vault.
    pub fee_vault: String,
    /// Fee vault balance (`null`: not read).
    pub fee_vault_balance: Option<u64>,
    /// Offers not yet settled.
    pub open_offer_count: u64,
    /// Curator fee, basis points.
    pub fee_bps: u16,
    /// Quorum, basis points.
    pub quorum_bps: u16,
    /// Approval threshold, basis points.
    pub approval_bps: u16,
    /// Voting period, seconds.
    pub voting_period: i64,
    /// Lowest offer price, base units.
    pub min_offer_price: u64,
    /// Lowest offer price, in the mint's units.
    pub min_offer_price_ui: String,
    /// Highest score per contribution.
    pub max_score: u64,
    /// Time a custodian has to deliver an approved sale, seconds.
    pub delivery_period: i64,
    /// Active custodians.
    pub active_custodian_count: u32,
    /// The pool's set-history hash (hex): with the active count and total weight, the
    /// commitment a delivery must match.
    pub set_hash: String,
    /// Sum of active weights.
    pub total_weight: u64,
    /// Contributor records ever created (one per contribution).
    pub contributor_count: u64,
    /// Records closed by contributors who left.
    pub closed_contributor_count: u64,
    /// Active contributions.
    pub active_contribution_count: u64,
    /// Offers ever.
    pub offer_count: u64,
    /// Offers accepted.
    pub accepted_offer_count: u64,
    /// Offers that ended unsold and were closed.
    pub closed_offer_count: u64,
    /// Active attestors.
    pub active_attestor_count: u32,
    /// Credited to contributors, base units (a string: u128).
    pub total_distributed: String,
    /// Claimed by contributors, base units.
    pub total_claimed: String,
    /// Fees paid, base units.
    pub total_fees: String,
    /// Credited to contributors, in the mint's units.
    pub total_distributed_ui: String,
    /// Claimed, in the mint's units.
    pub total_claimed_ui: String,
    /// Fees paid, in the mint's units.
    pub total_fees_ui: String,
    /// Fees withdrawn, base units.
    pub total_fees_withdrawn: String,
    /// Fees withdrawn, in the mint's units.
    pub total_fees_withdrawn_ui: String,
}

impl PoolView {
    /// The view of `p` at `addr`, with its vault balances if they were read.
    pub fn new(addr: &Pubkey, p: &Pool, vault: Option<u64>, fee_vault: Option<u64>) -> Self {
        let d = p.mint_decimals;
        PoolView {
            address: addr.to_string(),
            name: p.name.clone(),
            creator: p.creator.to_string(),
            authority: p.authority.to_string(),
            pending_authority: (p.pending_authority != Pubkey::default())
                .then(|| p.pending_authority.to_string()),
            paused: p.paused,
            mint: p.mint.to_string(),
            mint_decimals: d,
            token_program: p.token_program.to_string(),
            vault: p.vault.to_string(),
            vault_balance: vault,
            fee_vault: p.fee_vault.to_string(),
            fee_vault_balance: fee_vault,
            open_offer_count: p.open_offer_count,
            fee_bps: p.params.fee_bps,
            quorum_bps: p.params.quorum_bps,
            approval_bps: p.params.approval_bps,
            voting_period: p.params.voting_period,
            min_offer_price: p.params.min_offer_price,
            min_offer_price_ui: format_amount(p.params.min_offer_price.into(), d),
            max_score: p.params.max_score,
            delivery_period: p.params.delivery_period,
            active_custodian_count: p.active_custodian_count,
            set_hash: hex::encode(p.set_hash),
            total_weight: p.total_weight,
            contributor_count: p.contributor_count,
            closed_contributor_count: p.closed_contributor_count,
            active_contribution_count: p.active_contribution_count,
            offer_count: p.offer_count,
            accepted_offer_count: p.accepted_offer_count,
            closed_offer_count: p.closed_offer_count,
            active_attestor_count: p.active_attestor_count,
            total_distributed: p.total_distributed.to_string(),
            total_claimed: p.total_claimed.to_string(),
            total_fees: p.total_fees.to_string(),
            total_distributed_ui: format_amount(p.total_distributed, d),
            total_claimed_ui: format_amount(p.total_claimed, d),
            total_fees_ui: format_amount(p.total_fees, d),
            total_fees_withdrawn: p.total_fees_withdrawn.to_string(),
            total_fees_withdrawn_ui: format_amount(p.total_fees_withdrawn, d),
        }
    }

    fn status(&self) -> &'static str {
        if self.paused {
            "paused"
        } else {
            "active"
        }
    }
}

impl fmt::Display for PoolView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.mint_decimals;
        let money = Money::of(&self.mint.parse().unwrap_or_default(), d);
        let unit = money.label();
        let holding = |addr: &str, balance: Option<u64>| match balance {
            Some(b) => format!("{addr} holding {}", money.show(b)),
            None => addr.to_string(),
        };
        let mut rows = vec![
            ("Pool", format!("{} ({})", self.address, self.name)),
            ("Status", self.status().into()),
            ("Curator", self.authority.clone()),
        ];
        if let Some(p) = &self.pending_authority {
            rows.push(("Proposed curator", p.clone()));
        }
        rows.extend([
            ("Payout mint", format!("{} ({d} decimals)", self.mint)),
            ("Vault", holding(&self.vault, self.vault_balance)),
            (
                "Fee vault",
                holding(&self.fee_vault, self.fee_vault_balance),
            ),
            ("Fee", bps(self.fee_bps)),
            ("Quorum", bps(self.quorum_bps)),
            ("Approval", bps(self.approval_bps)),
            ("Voting period", format_duration(self.voting_period)),
            (
                "Minimum price",
                format!("{} {unit}", self.min_offer_price_ui),
            ),
            ("Max score", self.max_score.to_string()),
            ("Delivery period", format_duration(self.delivery_period)),
            ("Custodians", self.active_custodian_count.to_string()),
            ("Contributors", self.contributor_count.to_string()),
            (
                "Contributions",
                format!(
                    "{} active of {} ({} left)",
                    self.active_contribution_count,
                    self.contributor_count,
                    self.closed_contributor_count
                ),
            ),
            ("Total weight", self.total_weight.to_string()),
            ("Attestors", self.active_attestor_count.to_string()),
            (
                "Offers",
                format!(
                    "{} ({} accepted, {} open, {} closed)",
                    self.offer_count,
                    self.accepted_offer_count,
                    self.open_offer_count,
                    self.closed_offer_count
                ),
            ),
            (
                "Distributed",
                format!("{} {unit}", self.total_distributed_ui),
            ),
            ("Claimed", format!("{} {unit}", self.total_claimed_ui)),
            (
                "Fees",
                format!(
                    "{} {unit} paid, {} withdrawn",
                    self.total_fees_ui, self.total_fees_withdrawn_ui
                ),
            ),
        ]);
        write!(f, "{}", fields(&rows))
    }
}

/// `pool show`.
pub async fn show<C: Chain>(ctx: &Ctx<'_, C>, addr: &Pubkey) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let amount = |a| async move {
        query::token_account(ctx.chain, &a)
            .await
            .ok()
            .map(|t| t.amount)
    };
    let view = PoolView::new(addr, &p, amount(p.vault).await, amount(p.fee_vault).await);
    Ok(Printed::of(&view))
}

/// `pool list`.
pub async fn list<C: Chain>(
    ctx: &Ctx<'_, C>,
    authority: Option<Pubkey>,
) -> Result<Printed, CliError> {
    let mut pools = query::pools(ctx.chain, &ctx.program_id).await?;
    pools.retain(|(_, p)| authority.is_none_or(|a| p.authority == a));
    pools.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(&b.0)));
    let views = pools
        .iter()
        .map(|(k, p)| PoolView::new(k, p, None, None))
        .collect();
    Ok(Printed::of(&Listing::new(
        views,
        &[
            "ADDRESS",
            "NAME",
            "CONTRIBUTORS",
            "WEIGHT",
            "OFFERS",
            "STATUS",
        ],
        |v: &PoolView| {
            vec![
                v.address.clone(),
                v.name.clone(),
                v.contributor_count.to_string(),
                v.total_weight.to_string(),
                v.offer_count.to_string(),
                v.status().into(),
            ]
        },
        format!("no pools on {}", ctx.chain.label()),
    )))
}

/// What `pool create` made.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    /// The pool.
    pub pool: String,
    /// Its name.
    pub name: String,
    /// Its reward vault.
    pub vault: String,
    /// Its fee vault.
    pub fee_vault: String,
    /// The curator.
    pub authority: String,
}

/// `pool create`.
pub async fn create<C: Chain>(
    ctx: &Ctx<'_, C>,
    name: &str,
    mint: &Pubkey,
    params: &ParamsChange,
    claim_window: i64,
) -> Result<Printed, CliError> {
    let (token_program, decimals) = query::mint(ctx.chain, mint).await?;
    let me = ctx.signer()?.pubkey();
    let args = PoolCreateArgs {
        name: name.to_string(),
        params: params.over(None, decimals)?,
        claim_window,
    };
    let i = ix::pool_create(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        mint,
        &token_program,
        args,
    );
    let pool = i.accounts[2].pubkey;
    if ctx.chain.get_account(&pool).await?.is_some() {
        return Err(
            CliError::failed(format!("you already have a pool named {name:?}: {pool}"))
                .with_hint("pick another name, or see it with `datapool pool show`"),
        );
    }
    let sent = ctx.send("Create pool", &[i], true, &[]).await?;
    let vault = find_vault_pda(&ctx.program_id, &pool).0;
    let fee_vault = find_fee_vault_pda(&ctx.program_id, &pool).0;
    let details = Created {
        pool: pool.to_string(),
        name: name.to_string(),
        vault: vault.to_string(),
        fee_vault: fee_vault.to_string(),
        authority: me.to_string(),
    };
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        details,
        format!("Created pool {name:?}"),
        vec![
            ("Pool", pool.to_string()),
            ("Vault", vault.to_string()),
            ("Fee vault", fee_vault.to_string()),
        ],
    )))
}

/// The pool a command acted on.
#[derive(Debug, Serialize)]
pub struct PoolRef {
    /// The pool.
    pub pool: String,
}

/// `pool update`.
pub async fn update<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    change: &ParamsChange,
) -> Result<Printed, CliError> {
    let pl = lookup::pool(ctx, addr).await?;
    let params = change.over(Some(&pl.params), pl.mint_decimals)?;
    if params == pl.params {
        return Err(CliError::failed(format!(
            "pool {addr} already has these parameters: nothing to update"
        )));
    }
    let args = PoolUpdateArgs { params };
    let i = ix::pool_update(&ctx.program_id, &ctx.signer()?.pubkey(), addr, args);
    let sent = ctx.send("Update pool", &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        PoolRef {
            pool: addr.to_string(),
        },
        format!(
            "Updated pool {addr} ({}); open offers keep their rules",
            pl.name
        ),
        vec![],
    )))
}

/// A pool paused or unpaused.
#[derive(Debug, Serialize)]
pub struct Paused {
    /// The pool.
    pub pool: String,
    /// Whether it is paused now.
    pub paused: bool,
}

/// `pool pause` / `pool unpause`.
pub async fn pause<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    pause: bool,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let me = ctx.signer()?.pubkey();
    let i = if pause {
        ix::pool_pause(&ctx.program_id, &me, addr)
    } else {
        ix::pool_unpause(&ctx.program_id, &me, addr)
    };
    let verb = if pause { "Paused" } else { "Unpaused" };
    let sent = ctx.send(verb, &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Paused {
            pool: addr.to_string(),
            paused: pause,
        },
        format!("{verb} pool {addr} ({})", p.name),
        vec![],
    )))
}

/// A curator proposed.
#[derive(Debug, Serialize)]
pub struct Proposed {
    /// The pool.
    pub pool: String,
    /// The proposed curator.
    pub proposed: String,
}

/// `pool authority propose`.
pub async fn propose<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    new: &Pubkey,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    ctx.confirm(&Review {
        title: format!("Propose a new curator for pool {} ({addr})", p.name),
        rows: vec![
            ("current".into(), p.authority.to_string()),
            ("proposed".into(), new.to_string()),
        ],
    })?;
    let i = ix::authority_propose(&ctx.program_id, &ctx.signer()?.pubkey(), addr, new);
    let sent = ctx.send("Propose curator", &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Proposed {
            pool: addr.to_string(),
            proposed: new.to_string(),
        },
        format!("Proposed {new} as curator of {addr}"),
        vec![(
            "Next",
            format!("the proposed curator runs `datapool pool authority accept {addr}`"),
        )],
    )))
}

/// A curator role accepted.
#[derive(Debug, Serialize)]
pub struct Accepted {
    /// The pool.
    pub pool: String,
    /// The new curator.
    pub authority: String,
}

/// `pool authority accept`.
pub async fn accept<C: Chain>(ctx: &Ctx<'_, C>, addr: &Pubkey) -> Result<Printed, CliError> {
    lookup::pool(ctx, addr).await?;
    let me = ctx.signer()?.pubkey();
    let i = ix::authority_accept(&ctx.program_id, &me, addr);
    let sent = ctx.send("Accept curator role", &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Accepted {
            pool: addr.to_string(),
            authority: me.to_string(),
        },
        format!("{me} is now the curator of {addr}"),
        vec![],
    )))
}

/// Fees withdrawn.
#[derive(Debug, Serialize)]
pub struct FeesWithdrawn {
    /// The pool.
    pub pool: String,
    /// Base units withdrawn.
    pub amount: u64,
    /// The token account paid.
    pub to: String,
}

/// `pool withdraw-fees`.
pub async fn withdraw_fees<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    amount: Option<&Amount>,
    to: Option<&Pubkey>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let me = ctx.signer()?.pubkey();
    if p.authority != me {
        return Err(CliError::failed(format!(
            "only the curator {} can withdraw fees, not {me}",
            p.authority
        ))
        .with_hint("sign with the curator's keypair (-k)"));
    }
    let d = p.mint_decimals;
    let money = Money::of(&p.mint, d);
    let amount = amount.map(|a| a.base_units(d)).transpose()?;
    let mut ixs = vec![];
    let dest = match to {
        Some(t) => {
            lookup::token_account(ctx, t, &p, None, "destination").await?;
            *t
        }
        None => {
            ixs.push(token::create_associated_idempotent(
                &ctx.payer()?.pubkey(),
                &me,
                &p.mint,
                &p.token_program,
            ));
            token::associated_address(&me, &p.mint, &p.token_program)
        }
    };
    let available = u64::try_from(p.total_fees - p.total_fees_withdrawn).unwrap_or(u64::MAX);
    let want = amount.unwrap_or(available);
    if available == 0 {
        return Err(CliError::failed(format!(
            "pool {addr} has no fees to withdraw (paid {}, all withdrawn)",
            money.show(p.total_fees)
        )));
    }
    if want == 0 || want > available {
        return Err(CliError::failed(format!(
            "the fee vault has {} to withdraw, not {}",
            money.show(available),
            money.show(want)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Withdraw fees of pool {} ({addr})", p.name),
        rows: vec![
            ("amount".into(), money.show(want)),
            ("to".into(), dest.to_string()),
        ],
    })?;
    ixs.push(ix::fees_withdraw(
        &ctx.program_id,
        &me,
        addr,
        &PoolTokens::of(&p),
        &dest,
        amount,
    ));
    let sent = ctx.send("Withdraw fees", &ixs, true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        FeesWithdrawn {
            pool: addr.to_string(),
            amount: want,
            to: dest.to_string(),
        },
        format!("Withdrew {} of fees to {dest}", money.show(want)),
        vec![],
    )))
}
