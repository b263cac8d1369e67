//! `payout_claim`: a contributor takes everything owed to a token account it owns.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{CheckedMath, DataPoolError};
use crate::events::PayoutClaimed;
use crate::math;
use crate::state::{Contributor, Pool};
use crate::token;

/// Accounts of `payout_claim`.
#[derive(Accounts)]
pub struct PayoutClaim<'info> {
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
    /// The pool's reward vault.
    /// CHECK: address pinned to the pool's vault; the token program checks the transfer.
    #[account(mut, address = pool.vault @ DataPoolError::PoolMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// A token account of the payout mint owned by the contributor.
    #[account(
        mut,
        constraint = destination.mint == pool.mint @ DataPoolError::WrongMint,
        constraint = destination.owner == wallet.key() @ DataPoolError::WrongTokenAccountOwner,
    )]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Settles the contributor and pays the whole base units owed.
pub fn handler(ctx: Context<PayoutClaim>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let acc = a.pool.acc_reward_per_weight;
    a.contributor.settle(acc)?;
    let amount = u64::try_from(a.contributor.owed_q64 >> crate::constants::ACC_FRACTION_BITS)
        .map_err(|_| DataPoolError::MathOverflow)?;
    require!(amount > 0, DataPoolError::NothingToClaim);

    let pool = &a.pool;
    let seeds = pool.signer_seeds();
    token::transfer(
        &a.token_program.to_account_info(),
        &a.vault,
        &a.mint.to_account_info(),
        &a.destination.to_account_info(),
        &pool.to_account_info(),
        amount,
        pool.mint_decimals,
        &[&seeds],
    )?;

    let c = &mut a.contributor;
    c.owed_q64 = c.owed_q64.sub_or_overflow(math::to_q64(amount))?;
    c.claimed = c.claimed.add_or_overflow(u128::from(amount))?;
    let pool = &mut a.pool;
    pool.total_claimed = pool.total_claimed.add_or_overflow(u128::from(amount))?;
    pool.invariant()?;
    emit!(PayoutClaimed {
        pool: pool.key(),
        contributor: c.wallet,
        destination: a.destination.key(),
        amount,
        claimed_total: c.claimed,
        pool_claimed_total: pool.total_claimed,
    });
    Ok(())
}
