//! `attestor_add`: the curator registers (or re-activates) an attestor.

use anchor_lang::prelude::*;

use crate::constants::{LAYOUT_VERSION, SEED_ATTESTOR};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::AttestorAdded;
use crate::state::{Attestor, Pool};

/// Accounts of `attestor_add`.
#[derive(Accounts)]
#[instruction(key: Pubkey)]
pub struct AttestorAdd<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    /// The attestor record.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Attestor::INIT_SPACE,
        seeds = [SEED_ATTESTOR, pool.key().as_ref(), key.as_ref()],
        bump,
    )]
    pub attestor: Box<Account<'info, Attestor>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Activates the attestor `key` on the pool.
pub fn handler(ctx: Context<AttestorAdd>, key: Pubkey) -> Result<()> {
    let a = &mut *ctx.accounts;
    let att = &mut a.attestor;
    require!(!att.active, DataPoolError::AttestorAlreadyActive);
    if att.version == 0 {
        att.version = LAYOUT_VERSION;
        att.bump = ctx.bumps.attestor;
        att.pool = a.pool.key();
        att.key = key;
        att.payer = a.payer.key();
        a.pool.attestor_records = a.pool.attestor_records.add_or_overflow(1)?;
    }
    att.active = true;
    att.added_at = Clock::get()?.unix_timestamp;
    a.pool.active_attestor_count = a.pool.active_attestor_count.add_or_overflow(1)?;
    emit!(AttestorAdded {
        pool: a.pool.key(),
        attestor: key,
    });
    Ok(())
}
