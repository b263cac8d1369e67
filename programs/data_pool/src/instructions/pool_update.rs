//! `pool_update`: the curator changes parameters; they apply to offers created afterwards.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::PoolUpdated;
use crate::state::Pool;

/// The parameters to change; `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolUpdateArgs {
    /// New fee, bps.
    pub fee_bps: Option<u16>,
    /// New quorum, bps.
    pub quorum_bps: Option<u16>,
    /// New approval threshold, bps.
    pub approval_bps: Option<u16>,
    /// New voting period, seconds.
    pub voting_period: Option<i64>,
    /// New minimum offer price.
    pub min_offer_price: Option<u64>,
    /// New maximum score per contribution.
    pub max_score: Option<u64>,
}

/// Accounts of `pool_update`.
#[derive(Accounts)]
pub struct PoolUpdate<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

/// Applies the changes after validating the resulting parameters.
pub fn handler(ctx: Context<PoolUpdate>, args: PoolUpdateArgs) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(
        args != PoolUpdateArgs::default(),
        DataPoolError::NothingToUpdate
    );
    let p = &mut a.pool;
    p.fee_bps = args.fee_bps.unwrap_or(p.fee_bps);
    p.quorum_bps = args.quorum_bps.unwrap_or(p.quorum_bps);
    p.approval_bps = args.approval_bps.unwrap_or(p.approval_bps);
    p.voting_period = args.voting_period.unwrap_or(p.voting_period);
    p.min_offer_price = args.min_offer_price.unwrap_or(p.min_offer_price);
    p.max_score = args.max_score.unwrap_or(p.max_score);
    p.invariant()?;
    emit!(PoolUpdated {
        pool: p.key(),
        fee_bps: p.fee_bps,
        quorum_bps: p.quorum_bps,
        approval_bps: p.approval_bps,
        voting_period: p.voting_period,
        min_offer_price: p.min_offer_price,
        max_score: p.max_score,
    });
    Ok(())
}
