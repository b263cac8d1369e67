//! `authority_propose`: first step of an authority transfer.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::AuthorityProposed;
use crate::state::Pool;

/// Accounts of `authority_propose`.
#[derive(Accounts)]
pub struct AuthorityPropose<'info> {
    /// The current curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
}

/// Records `new_authority` as pending; `Pubkey::default()` withdraws a proposal.
pub fn handler(ctx: Context<AuthorityPropose>, new_authority: Pubkey) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    pool.pending_authority = new_authority;
    emit!(AuthorityProposed {
        pool: pool.key(),
        authority: pool.authority,
        proposed: new_authority,
    });
    Ok(())
}
