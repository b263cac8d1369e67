//! `contributor_leave`: a contributor takes its data out of the pool (right to be forgotten) and
//! closes its record; the rent goes back to whoever paid it. Everything owed must have been
//! claimed first (`payout_claim`, which can precede it in the same transaction), so leaving
//! never forfeits a base unit. The same person may enter again later, as a new record.
//!
//! An invalidated record cannot leave: it stays, so its data cannot come back, and its rent is
//! forfeited (see `SECURITY.md`). Its owed payout can still be claimed.

use anchor_lang::prelude::*;

use crate::commitment::{next_set_hash, SetChange};
use crate::constants::SEED_CONTRIBUTOR;
use crate::error::{CheckedMath, DataPoolError};
use crate::events::{ContributionRemoved, ContributorClosed};
use crate::math;
use crate::state::{Contributor, Pool};

/// Accounts of `contributor_leave`.
#[derive(Accounts)]
#[instruction(identity: [u8; 32])]
pub struct ContributorLeave<'info> {
    /// The contributor's wallet.
    pub wallet: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The contributor record of `identity`, closed to its rent payer.
    #[account(
        mut,
        seeds = [SEED_CONTRIBUTOR, pool.key().as_ref(), identity.as_ref()],
        bump = contributor.bump,
        has_one = pool @ DataPoolError::PoolMismatch,
        has_one = wallet @ DataPoolError::ContributionMismatch,
        has_one = payer @ DataPoolError::NotRentPayer,
        close = payer,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// Whoever paid the record's rent: the only account its deposit can go to.
    /// CHECK: pinned to `contributor.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
}

/// Takes an active contribution's score out of the pool's weight after settling its record, and
/// emits the removal (shared with `contribution_invalidate`).
pub fn remove_weight(
    pool: &mut Account<Pool>,
    record: &mut Account<Contributor>,
    identity: &[u8; 32],
    invalidated: bool,
    by: Pubkey,
) -> Result<()> {
    require!(record.is_active(), DataPoolError::ContributionInactive);
    record.settle(pool.acc_reward_per_weight)?;
    let score = record.weight;
    record.weight = 0;
    pool.total_weight = pool.total_weight.sub_or_overflow(score)?;
    pool.active_contribution_count = pool.active_contribution_count.sub_or_overflow(1)?;
    pool.set_hash = next_set_hash(&pool.set_hash, &SetChange::Remove { identity, score });
    emit!(ContributionRemoved {
        pool: pool.key(),
        contributor: record.wallet,
        contribution: record.key(),
        identity: *identity,
        score,
        invalidated,
        by,
        pool_weight: pool.total_weight,
        set_hash: pool.set_hash,
    });
    Ok(())
}

/// Removes the contribution's weight and closes the record (Anchor moves the rent and wipes the
/// account when the instruction succeeds).
pub fn handler(ctx: Context<ContributorLeave>, identity: [u8; 32]) -> Result<()> {
    let a = &mut *ctx.accounts;
    let by = a.wallet.key();
    remove_weight(&mut a.pool, &mut a.contributor, &identity, false, by)?;
    let owed = a.contributor.owed_q64;
    require!(
        math::whole_units(owed) == Some(0),
        DataPoolError::PayoutOutstanding
    );
    let pool = &mut a.pool;
    pool.closed_contributor_count = pool.closed_contributor_count.add_or_overflow(1)?;
    pool.invariant()?;
    emit!(ContributorClosed {
        pool: pool.key(),
        record: a.contributor.key(),
        wallet: by,
        index: a.contributor.index,
        payer: a.payer.key(),
        lamports: a.contributor.to_account_info().lamports(),
        dust_q64: owed,
        reaped: false,
    });
    Ok(())
}
