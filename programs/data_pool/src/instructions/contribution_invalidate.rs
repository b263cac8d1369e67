//! `contribution_invalidate`: the authority, or the attestor that signed it, strikes out a
//! fraudulent contribution.

use anchor_lang::prelude::*;

use super::contribution_revoke::remove_contribution;
use crate::error::DataPoolError;
use crate::state::{Contribution, Contributor, Pool};

/// Accounts of `contribution_invalidate`.
#[derive(Accounts)]
pub struct ContributionInvalidate<'info> {
    /// The pool authority or the contribution's attestor.
    #[account(
        constraint = invalidator.key() == pool.authority
            || invalidator.key() == contribution.attestor @ DataPoolError::NotInvalidator,
    )]
    pub invalidator: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The contributor record of the contribution's wallet.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        constraint = contributor.wallet == contribution.contributor @ DataPoolError::ContributionMismatch,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// The contribution.
    #[account(mut, has_one = pool @ DataPoolError::PoolMismatch)]
    pub contribution: Box<Account<'info, Contribution>>,
}

/// Invalidates the contribution.
pub fn handler(ctx: Context<ContributionInvalidate>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let by = a.invalidator.key();
    remove_contribution(
        &mut a.pool,
        &mut a.contributor,
        &mut a.contribution,
        true,
        by,
    )
}
