//! `custodian_add`: the curator registers (or re-activates) a custodian, a key allowed to
//! deliver the pool's sales.

use anchor_lang::prelude::*;

use crate::constants::{LAYOUT_VERSION, SEED_CUSTODIAN};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::CustodianAdded;
use crate::state::{Custodian, Pool};

/// Accounts of `custodian_add`.
#[derive(Accounts)]
#[instruction(key: Pubkey)]
pub struct CustodianAdd<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    /// The custodian record.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Custodian::INIT_SPACE,
        seeds = [SEED_CUSTODIAN, pool.key().as_ref(), key.as_ref()],
        bump,
    )]
    pub custodian: Box<Account<'info, Custodian>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Activates the custodian `key` on the pool.
pub fn handler(ctx: Context<CustodianAdd>, key: Pubkey) -> Result<()> {
    let a = &mut *ctx.accounts;
    let c = &mut a.custodian;
    require!(!c.active, DataPoolError::CustodianAlreadyActive);
    if c.version == 0 {
        c.version = LAYOUT_VERSION;
        c.bump = ctx.bumps.custodian;
        c.pool = a.pool.key();
        c.key = key;
        c.payer = a.payer.key();
        a.pool.custodian_records = a.pool.custodian_records.add_or_overflow(1)?;
    }
    c.active = true;
    c.added_at = Clock::get()?.unix_timestamp;
    a.pool.active_custodian_count = a.pool.active_custodian_count.add_or_overflow(1)?;
    emit!(CustodianAdded {
        pool: a.pool.key(),
        custodian: key,
    });
    Ok(())
}
