//! `custodian_remove`: the curator deactivates a custodian; its record stays for audit.

use anchor_lang::prelude::*;

use crate::error::{CheckedMath, DataPoolError};
use crate::events::CustodianRemoved;
use crate::state::{Custodian, Pool};

/// Accounts of `custodian_remove`.
#[derive(Accounts)]
pub struct CustodianRemove<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    /// The custodian record.
    #[account(mut, has_one = pool @ DataPoolError::PoolMismatch)]
    pub custodian: Box<Account<'info, Custodian>>,
}

/// Deactivates the custodian.
pub fn handler(ctx: Context<CustodianRemove>) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(a.custodian.active, DataPoolError::CustodianInactive);
    a.custodian.active = false;
    a.custodian.removed_at = Clock::get()?.unix_timestamp;
    a.pool.active_custodian_count = a.pool.active_custodian_count.sub_or_overflow(1)?;
    emit!(CustodianRemoved {
        pool: a.pool.key(),
        custodian: a.custodian.key,
    });
    Ok(())
}
