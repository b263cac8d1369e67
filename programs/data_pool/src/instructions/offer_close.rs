//! `offer_close`: anyone closes the record of an offer that ended without a sale (rejected,
//! cancelled or undelivered) once its price is back with the buyer; the rent goes back to
//! whoever paid it. An accepted offer is the buyer's license and
//! never closes.

use anchor_lang::prelude::*;

use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferClosed;
use crate::state::{Offer, Pool};

/// Accounts of `offer_close`.
#[derive(Accounts)]
pub struct OfferClose<'info> {
    /// The pool (counts closed offers, so its records still account for every offer index).
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The offer, closed to its rent payer.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        has_one = payer @ DataPoolError::NotRentPayer,
        close = payer,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// Whoever paid the offer's rent: the only account its deposit can go to.
    /// CHECK: pinned to `offer.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
}

/// Checks the offer may close and counts it on the pool (Anchor moves the rent and wipes the
/// account when the instruction succeeds).
pub fn handler(ctx: Context<OfferClose>) -> Result<()> {
    let a = &mut *ctx.accounts;
    let offer = &a.offer;
    require!(
        offer.is_refundable() && !offer.refund_pending,
        DataPoolError::OfferNotClosable
    );
    let pool = &mut a.pool;
    pool.closed_offer_count = pool.closed_offer_count.add_or_overflow(1)?;
    pool.invariant()?;
    emit!(OfferClosed {
        pool: pool.key(),
        offer: offer.key(),
        index: offer.index,
        state: offer.state,
        payer: a.payer.key(),
        lamports: offer.to_account_info().lamports(),
    });
    Ok(())
}
