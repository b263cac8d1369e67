//! `offer_cancel`: the buyer withdraws an offer whose outcome is not decided yet, with a full
//! refund.

use anchor_lang::prelude::*;

use super::offer_refund::OfferRefund;
use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferCancelled;
use crate::state::{Offer, OfferState};

/// Cancels the offer (same accounts as `offer_refund`). Refused once the votes decide it, so a
/// buyer cannot run from an accepted sale.
pub fn handler(ctx: Context<OfferRefund>) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(
        a.offer.state == OfferState::Open,
        DataPoolError::OfferNotOpen
    );
    let now = Clock::get()?.unix_timestamp;
    require!(
        a.offer.outcome(now).is_none(),
        DataPoolError::OfferAlreadyDecided
    );
    a.empty_escrow()?;
    Offer::release_vote_bitmap(&a.offer.to_account_info(), a.pool.key(), &a.payer)?;
    a.offer.state = OfferState::Cancelled;
    a.offer.decided_at = now;
    a.pool.open_offer_count = a.pool.open_offer_count.sub_or_overflow(1)?;
    emit!(OfferCancelled {
        pool: a.pool.key(),
        offer: a.offer.key(),
        buyer: a.buyer.key(),
        price: a.offer.price,
    });
    Ok(())
}
