//! `pool_unpause`: accept contributions and offers again.

use anchor_lang::prelude::*;

use super::pool_pause::{set_paused, PoolPause};

/// Unpauses the pool (same accounts as `pool_pause`).
pub fn handler(ctx: Context<PoolPause>) -> Result<()> {
    let key = ctx.accounts.pool.key();
    set_paused(&mut ctx.accounts.pool, key, false)
}
