//! `attestor_remove`: the curator deactivates an attestor; its record stays for audit.

use anchor_lang::prelude::*;

use crate::error::{CheckedMath, DataPoolError};
use crate::events::AttestorRemoved;
use crate::state::{Attestor, Pool};

/// Accounts of `attestor_remove`.
#[derive(Accounts)]
pub struct AttestorRemove<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    /// The attestor record.
    #[account(mut, has_one = pool @ DataPoolError::PoolMismatch)]
    pub attestor: Box<Account<'info, Attestor>>,
}

/// Deactivates the attestor.
pub fn handler(ctx: Context<AttestorRemove>) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(a.attestor.active, DataPoolError::AttestorInactive);
    a.attestor.active = false;
    a.attestor.removed_at = Clock::get()?.unix_timestamp;
    a.pool.active_attestor_count = a.pool.active_attestor_count.sub_or_overflow(1)?;
    emit!(AttestorRemoved {
        pool: a.pool.key(),
        attestor: a.attestor.key,
    });
    Ok(())
}
