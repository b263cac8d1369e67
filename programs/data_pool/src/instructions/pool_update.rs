//! `pool_update`: the curator changes parameters; they apply to offers created afterwards.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::PoolUpdated;
use crate::state::{Pool, PoolParams};

/// The pool's parameters as they should be from now on (all six; read the pool for the ones
/// to keep).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PoolUpdateArgs {
    /// The new parameters.
    pub params: PoolParams,
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

/// Replaces the parameters after validating them; the same parameters again are refused.
pub fn handler(ctx: Context<PoolUpdate>, args: PoolUpdateArgs) -> Result<()> {
    let p = &mut ctx.accounts.pool;
    require!(args.params != p.params, DataPoolError::NothingToUpdate);
    args.params.validate()?;
    p.params = args.params;
    p.invariant()?;
    emit!(PoolUpdated {
        pool: p.key(),
        params: p.params,
    });
    Ok(())
}
