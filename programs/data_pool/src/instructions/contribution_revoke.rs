//! `contribution_revoke`: the contributor withdraws a contribution (right to be forgotten).

use anchor_lang::prelude::*;

use crate::commitment::{next_set_hash, SetOp};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::ContributionRemoved;
use crate::state::{Contribution, ContributionStatus, Contributor, Pool};

/// Accounts of `contribution_revoke`.
#[derive(Accounts)]
pub struct ContributionRevoke<'info> {
    /// The contributor's wallet.
    pub wallet: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The contributor record.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        has_one = wallet @ DataPoolError::ContributionMismatch,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// The contribution.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        constraint = contribution.contributor == wallet.key() @ DataPoolError::ContributionMismatch,
    )]
    pub contribution: Box<Account<'info, Contribution>>,
}

/// Takes an active contribution's score out of its contributor's and the pool's weight, after
/// settling the contributor's rewards, and flags the record (it stays, so the data cannot be
/// resubmitted).
pub fn remove_contribution(
    pool: &mut Account<Pool>,
    contributor: &mut Contributor,
    contribution: &mut Account<Contribution>,
    invalidated: bool,
    by: Pubkey,
) -> Result<()> {
    require!(
        contribution.is_active(),
        DataPoolError::ContributionInactive
    );
    contributor.settle(pool.acc_reward_per_weight)?;
    let score = contribution.score;
    contributor.weight = contributor.weight.sub_or_overflow(score)?;
    contributor.active_contribution_count =
        contributor.active_contribution_count.sub_or_overflow(1)?;
    pool.total_weight = pool.total_weight.sub_or_overflow(score)?;
    pool.active_contribution_count = pool.active_contribution_count.sub_or_overflow(1)?;
    pool.set_hash = next_set_hash(
        &pool.set_hash,
        SetOp::Remove,
        &contribution.data_hash,
        score,
    );
    contribution.status = if invalidated {
        ContributionStatus::Invalidated
    } else {
        ContributionStatus::Revoked
    };
    contribution.ended_at = Clock::get()?.unix_timestamp;
    pool.invariant()?;
    emit!(ContributionRemoved {
        pool: pool.key(),
        contributor: contributor.wallet,
        contribution: contribution.key(),
        data_hash: contribution.data_hash,
        score,
        invalidated,
        by,
        contributor_weight: contributor.weight,
        pool_weight: pool.total_weight,
        set_hash: pool.set_hash,
    });
    Ok(())
}

/// Revokes the contribution.
pub fn handler(ctx: Context<ContributionRevoke>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let by = a.wallet.key();
    remove_contribution(
        &mut a.pool,
        &mut a.contributor,
        &mut a.contribution,
        false,
        by,
    )
}
