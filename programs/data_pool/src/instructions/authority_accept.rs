//! `authority_accept`: the proposed authority takes over.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::events::AuthorityChanged;
use crate::state::Pool;

/// Accounts of `authority_accept`.
#[derive(Accounts)]
pub struct AuthorityAccept<'info> {
    /// The proposed curator.
    pub new_authority: Signer<'info>,
    /// The pool.
    #[account(
        mut,
        constraint = pool.pending_authority == new_authority.key()
            && pool.pending_authority != Pubkey::default() @ DataPoolError::NotPendingAuthority,
    )]
    pub pool: Box<Account<'info, Pool>>,
}

/// Makes the signer the authority and clears the proposal.
pub fn handler(ctx: Context<AuthorityAccept>) -> Result<()> {
    let pool = &mut ctx.accounts.pool;
    let previous = pool.authority;
    pool.authority = pool.pending_authority;
    pool.pending_authority = Pubkey::default();
    emit!(AuthorityChanged {
        pool: pool.key(),
        previous,
        authority: pool.authority,
    });
    Ok(())
}
