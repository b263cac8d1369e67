//! `attestor_remove`: the curator deactivates an attestor; its record stays for audit.

use anchor_lang::prelude::*;

use crate::events::AttestorRemoved;
use crate::registry::{self, Role};

/// Accounts of `attestor_remove`. The pool and the record are read and written in place
/// ([`crate::registry`]).
#[derive(Accounts)]
pub struct AttestorRemove<'info> {
    /// The curator: the pool's authority (`Unauthorized`).
    pub authority: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The attestor record, of this pool (`PoolMismatch`).
    /// CHECK: checked by `registry::remove`.
    #[account(mut)]
    pub attestor: UncheckedAccount<'info>,
}

/// Deactivates the attestor.
pub fn handler(ctx: Context<AttestorRemove>) -> Result<()> {
    let a = &ctx.accounts;
    let key = registry::remove(Role::Attestor, a.authority.key, &a.pool, &a.attestor)?;
    emit!(AttestorRemoved {
        pool: a.pool.key(),
        attestor: key,
    });
    Ok(())
}
