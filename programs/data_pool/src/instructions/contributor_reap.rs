//! `contributor_reap`: once a wound-down pool's claim window is over, anyone closes a record its
//! contributor left behind, so the pool can close. The rent goes back to whoever paid it; what the
//! record never claimed is forfeited and stays in the vault for `pool_close` to sweep. An
//! invalidated record's rent is forfeited: it goes to the incinerator, so nobody profits from an
//! invalidation.

use anchor_lang::prelude::*;

use super::contributor_leave::remove_weight;
use crate::constants::{INCINERATOR, SEED_CONTRIBUTOR};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::ContributorClosed;
use crate::math;
use crate::state::{Contributor, Pool};

/// Accounts of `contributor_reap`.
#[derive(Accounts)]
#[instruction(identity: [u8; 32])]
pub struct ContributorReap<'info> {
    /// Anyone (pays only the fee).
    pub closer: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The record of `identity`.
    #[account(
        mut,
        seeds = [SEED_CONTRIBUTOR, pool.key().as_ref(), identity.as_ref()],
        bump = contributor.bump,
        has_one = pool @ DataPoolError::PoolMismatch,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// Where the rent goes: the record's payer, or the incinerator for an invalidated record
    /// (`NotRentPayer` otherwise).
    /// CHECK: compared with the record's payer or the incinerator in the handler.
    #[account(mut)]
    pub rent_to: UncheckedAccount<'info>,
}

/// Closes the record after the claim window, forfeiting what it never claimed.
pub fn handler(ctx: Context<ContributorReap>, identity: [u8; 32]) -> Result<()> {
    let a = &mut *ctx.accounts;
    a.pool.require_claims_over(Clock::get()?.unix_timestamp)?;
    let active = a.contributor.is_active();
    let rent_to = if active {
        a.contributor.payer
    } else {
        INCINERATOR
    };
    require_keys_eq!(a.rent_to.key(), rent_to, DataPoolError::NotRentPayer);
    if active {
        let by = a.closer.key();
        remove_weight(&mut a.pool, &mut a.contributor, &identity, false, by)?;
    } else {
        a.contributor.settle(a.pool.acc_reward_per_weight)?;
    }
    let owed = a.contributor.owed_q64;
    let forfeited = math::whole_units(owed).ok_or(DataPoolError::MathOverflow)?;
    let pool = &mut a.pool;
    pool.total_forfeited = pool
        .total_forfeited
        .add_or_overflow(u128::from(forfeited))?;
    pool.closed_contributor_count = pool.closed_contributor_count.add_or_overflow(1)?;
    pool.invariant()?;
    let record = a.contributor.to_account_info();
    let lamports = record.lamports();
    emit!(ContributorClosed {
        pool: pool.key(),
        record: record.key(),
        wallet: a.contributor.wallet,
        index: a.contributor.index,
        payer: rent_to,
        lamports,
        dust_q64: owed,
        reaped: true,
    });
    a.contributor.close(a.rent_to.to_account_info())
}
