//! `pool_unpause`: accept contributions and offers again.

use anchor_lang::prelude::*;

use super::pool_pause::{set_paused, PoolPause};

/// Unpauses the pool (same accounts as `pool_pause`); a wound-down pool stays paused.
pub fn handler(ctx: Context<PoolPause>) -> Result<()> {
    require!(
        ctx.accounts.pool.wound_down_at == 0,
        crate::error::DataPoolError::PoolWoundDown
    );
    let key = ctx.accounts.pool.key();
    set_paused(&mut ctx.accounts.pool, key, false)
}
