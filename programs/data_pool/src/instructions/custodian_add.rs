//! `custodian_add`: the curator registers (or re-activates) a custodian, a key allowed to deliver the pool's sales.

use anchor_lang::prelude::*;

use crate::constants::SEED_CUSTODIAN;
use crate::events::CustodianAdded;
use crate::registry::{self, Add, Role};

/// Accounts of `custodian_add`. The pool and the record are read and written in place, and the
/// record is created on first use ([`crate::registry`]).
#[derive(Accounts)]
#[instruction(key: Pubkey)]
pub struct CustodianAdd<'info> {
    /// Pays the rent of a new record.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The curator: the pool's authority (`Unauthorized`).
    pub authority: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The custodian record of `key` on this pool.
    /// CHECK: address pinned by the seeds; created or checked by `registry::add`.
    #[account(mut, seeds = [SEED_CUSTODIAN, pool.key().as_ref(), key.as_ref()], bump)]
    pub custodian: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Activates the custodian `key` on the pool.
pub fn handler(ctx: Context<CustodianAdd>, key: Pubkey) -> Result<()> {
    let a = &ctx.accounts;
    let accounts = Add {
        payer: &a.payer,
        authority: a.authority.key,
        pool: &a.pool,
        record: &a.custodian,
        system: &a.system_program,
    };
    registry::add(Role::Custodian, accounts, &key, ctx.bumps.custodian)?;
    emit!(CustodianAdded {
        pool: a.pool.key(),
        custodian: key,
    });
    Ok(())
}
