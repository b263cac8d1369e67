//! `contribution_invalidate`: the authority, or the attestor that signed it while that attestor
//! is active on the pool, strikes out a fraudulent contribution. Its record stays (so the data
//! cannot come back) with no weight; what it earned before stays claimable.
//!
//! Refused while any offer of the pool is open: a sale pays pro rata to weight at settlement, so
//! an invalidation between an offer's creation and its settlement would hand a contributor's
//! share of that sale to everybody else (the curator's own wallets included). To strike out fraud
//! the authority pauses the pool (no new offers), lets the open offers settle (each within its
//! voting period), invalidates and unpauses. See `docs/PROTOCOL.md`.

use anchor_lang::prelude::*;

use super::contributor_leave::remove_weight;
use crate::constants::{SEED_ATTESTOR, SEED_CONTRIBUTOR};
use crate::error::DataPoolError;
use crate::state::{Attestor, ContributionStatus, Contributor, Pool};

/// Accounts of `contribution_invalidate`.
#[derive(Accounts)]
#[instruction(identity: [u8; 32])]
pub struct ContributionInvalidate<'info> {
    /// The pool authority, or the contribution's attestor (checked in the handler).
    pub invalidator: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The contributor record of `identity`.
    #[account(
        mut,
        seeds = [SEED_CONTRIBUTOR, pool.key().as_ref(), identity.as_ref()],
        bump = contributor.bump,
        has_one = pool @ DataPoolError::PoolMismatch,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// The record of the attestor that signed the contribution: an attestor may invalidate only
    /// while it is active on this pool.
    #[account(
        seeds = [SEED_ATTESTOR, pool.key().as_ref(), contributor.attestor.as_ref()],
        bump = attestor.bump,
    )]
    pub attestor: Box<Account<'info, Attestor>>,
}

/// Invalidates the contribution.
pub fn handler(ctx: Context<ContributionInvalidate>, identity: [u8; 32]) -> Result<()> {
    let a = &mut *ctx.accounts;
    let by = a.invalidator.key();
    if by != a.pool.authority {
        require_keys_eq!(by, a.contributor.attestor, DataPoolError::NotInvalidator);
        require!(a.attestor.active, DataPoolError::AttestorInactive);
    }
    require!(a.pool.open_offer_count == 0, DataPoolError::OffersOpen);
    remove_weight(&mut a.pool, &mut a.contributor, &identity, true, by)?;
    a.contributor.status = ContributionStatus::Invalidated;
    a.pool.invariant()
}
