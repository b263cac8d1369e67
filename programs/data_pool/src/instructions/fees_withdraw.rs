//! `fees_withdraw`: the curator takes sale fees out of the pool's fee vault.
//!
//! Fees are paid into a token account the pool owns, so no account outside the program can
//! block a sale's settlement; the curator moves them on from there, to any token account of the
//! payout mint, whenever it likes (also while the pool is paused: money can always leave).

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{CheckedMath, DataPoolError};
use crate::events::FeesWithdrawn;
use crate::state::Pool;
use crate::token;

/// Accounts of `fees_withdraw`.
#[derive(Accounts)]
pub struct FeesWithdraw<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = authority @ DataPoolError::Unauthorized)]
    pub pool: Box<Account<'info, Pool>>,
    /// The pool's fee vault.
    /// CHECK: address pinned to the pool's fee vault; the token program checks the transfer.
    #[account(mut, address = pool.fee_vault @ DataPoolError::PoolMismatch)]
    pub fee_vault: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Any token account of the payout mint.
    #[account(mut, constraint = destination.mint == pool.mint @ DataPoolError::WrongMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Withdraws `amount` of the fees not yet withdrawn (`None`: all of them).
pub fn handler(ctx: Context<FeesWithdraw>, amount: Option<u64>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let available = a
        .pool
        .total_fees
        .sub_or_overflow(a.pool.total_fees_withdrawn)?;
    let available = u64::try_from(available).map_err(|_| DataPoolError::MathOverflow)?;
    let amount = amount.unwrap_or(available);
    require!(
        amount > 0 && amount <= available,
        DataPoolError::NothingToWithdraw
    );
    let pool = &a.pool;
    let seeds = pool.signer_seeds();
    token::transfer(
        &a.token_program.to_account_info(),
        &a.fee_vault,
        &a.mint.to_account_info(),
        &a.destination.to_account_info(),
        &pool.to_account_info(),
        amount,
        pool.mint_decimals,
        &[&seeds],
    )?;
    let pool = &mut a.pool;
    pool.total_fees_withdrawn = pool
        .total_fees_withdrawn
        .add_or_overflow(u128::from(amount))?;
    pool.invariant()?;
    emit!(FeesWithdrawn {
        pool: pool.key(),
        destination: a.destination.key(),
        amount,
        total_withdrawn: pool.total_fees_withdrawn,
    });
    Ok(())
}
