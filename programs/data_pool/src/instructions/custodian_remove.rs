//! `custodian_remove`: the curator deactivates a custodian; its record stays for audit.

use anchor_lang::prelude::*;

use crate::events::CustodianRemoved;
use crate::registry::{self, Role};

/// Accounts of `custodian_remove`. The pool and the record are read and written in place
/// ([`crate::registry`]).
#[derive(Accounts)]
pub struct CustodianRemove<'info> {
    /// The curator: the pool's authority (`Unauthorized`).
    pub authority: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The custodian record, of this pool (`PoolMismatch`).
    /// CHECK: checked by `registry::remove`.
    #[account(mut)]
    pub custodian: UncheckedAccount<'info>,
}

/// Deactivates the custodian.
pub fn handler(ctx: Context<CustodianRemove>) -> Result<()> {
    let a = &ctx.accounts;
    let key = registry::remove(Role::Custodian, a.authority.key, &a.pool, &a.custodian)?;
    emit!(CustodianRemoved {
        pool: a.pool.key(),
        custodian: key,
    });
    Ok(())
}
