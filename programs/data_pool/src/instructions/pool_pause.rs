//! `pool_pause`: stop new contributions and offers. Votes, finalize, refunds and claims go on.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::PoolPauseChanged;
use crate::state::Pool;

/// Accounts of `pool_pause` and `pool_unpause`.
#[derive(Accounts)]
pub struct PoolPause<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

/// Sets the pool's paused flag to `paused`, refusing a no-op.
pub fn set_paused(pool: &mut Pool, key: Pubkey, paused: bool) -> Result<()> {
    if paused {
        require!(!pool.paused, DataPoolError::PoolAlreadyPaused);
    } else {
        require!(pool.paused, DataPoolError::PoolNotPaused);
    }
    pool.paused = paused;
    emit!(PoolPauseChanged { pool: key, paused });
    Ok(())
}

/// Pauses the pool.
pub fn handler(ctx: Context<PoolPause>) -> Result<()> {
    let key = ctx.accounts.pool.key();
    set_paused(&mut ctx.accounts.pool, key, true)
}
