//! `attestor_add`: the curator registers (or re-activates) an attestor.

use anchor_lang::prelude::*;

use crate::constants::SEED_ATTESTOR;
use crate::events::AttestorAdded;
use crate::registry::{self, Add, Role};

/// Accounts of `attestor_add`. The pool and the record are read and written in place, and the
/// record is created on first use ([`crate::registry`]).
#[derive(Accounts)]
#[instruction(key: Pubkey)]
pub struct AttestorAdd<'info> {
    /// Pays the rent of a new record.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The curator: the pool's authority (`Unauthorized`).
    pub authority: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The attestor record of `key` on this pool.
    /// CHECK: address pinned by the seeds; created or checked by `registry::add`.
    #[account(mut, seeds = [SEED_ATTESTOR, pool.key().as_ref(), key.as_ref()], bump)]
    pub attestor: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Activates the attestor `key` on the pool.
pub fn handler(ctx: Context<AttestorAdd>, key: Pubkey) -> Result<()> {
    let a = &ctx.accounts;
    let accounts = Add {
        payer: &a.payer,
        authority: a.authority.key,
        pool: &a.pool,
        record: &a.attestor,
        system: &a.system_program,
    };
    registry::add(Role::Attestor, accounts, &key, ctx.bumps.attestor)?;
    emit!(AttestorAdded {
        pool: a.pool.key(),
        attestor: key,
    });
    Ok(())
}
