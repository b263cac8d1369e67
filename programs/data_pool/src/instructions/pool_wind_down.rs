//! `pool_wind_down`: the curator ends a pool's life. It takes no new contributions or offers from
//! then on (it stays paused for good), and its claim window starts: contributors claim and leave
//! as before; once the window is over, records left behind can be closed by anyone
//! (`contributor_reap`) and the curator can close the pool (`pool_close`).

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::PoolWoundDown;
use crate::state::Pool;

/// Accounts of `pool_wind_down`.
#[derive(Accounts)]
pub struct PoolWindDown<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

/// Winds the pool down; refused while an offer is open or awaiting delivery (`OffersOpen`).
pub fn handler(ctx: Context<PoolWindDown>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    require!(pool.wound_down_at == 0, DataPoolError::PoolWoundDown);
    require!(pool.open_offer_count == 0, DataPoolError::OffersOpen);
    // 0 means "live": a clock at the epoch (test validators) still records a wind-down.
    let now = Clock::get()?.unix_timestamp.max(1);
    pool.wound_down_at = now;
    pool.paused = true;
    emit!(PoolWoundDown {
        pool: pool.key(),
        at: now,
        claims_end: now.saturating_add(pool.claim_window),
    });
    Ok(())
}
