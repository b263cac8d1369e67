//! `offer_finalize`: anyone settles an offer whose vote is decided, or whose delivery is overdue.
//! Approved: the price stays in escrow and the offer awaits a custodian's `offer_deliver` until
//! its delivery deadline. Rejected, or approved but undelivered past the deadline: the price back
//! to the buyer, or kept for `offer_refund` when the refund account cannot receive it. The only
//! account it pays tokens to is checked first, so nobody outside the program can make a
//! settlement revert.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::SEED_ESCROW;
use crate::error::{CheckedMath, DataPoolError};
use crate::events::{OfferApproved, OfferRejected, RejectReason};
use crate::math::{self, Outcome};
use crate::state::{Offer, OfferState, Pool};
use crate::token;

/// Accounts of `offer_finalize`.
#[derive(Accounts)]
pub struct OfferFinalize<'info> {
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The offer.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        has_one = payer @ DataPoolError::NotRentPayer,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The offer's escrow (gone once the offer is settled, hence unchecked: the handler checks
    /// the offer's state before touching it).
    /// CHECK: address pinned by seeds and the stored bump; read with `token::amount_of`.
    #[account(mut, seeds = [SEED_ESCROW, offer.key().as_ref()], bump = offer.escrow_bump)]
    pub escrow: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The offer's refund account (may no longer be able to receive: then the refund waits).
    /// CHECK: address pinned to the offer; inspected with `token::can_receive` before use.
    #[account(mut, address = offer.refund_account @ DataPoolError::WrongRefundAccount)]
    pub refund_account: UncheckedAccount<'info>,
    /// Whoever paid the offer's rent (`offer.payer`): gets the escrow's rent back.
    /// CHECK: pinned to `offer.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Settles the offer: approves or rejects an open offer whose outcome is decided, or refunds an
/// approved one whose delivery deadline has passed.
pub fn handler(ctx: Context<OfferFinalize>) -> Result<()> {
    crate::cu_mark!();
    let a = &mut *ctx.accounts;
    let now = Clock::get()?.unix_timestamp;
    match a.offer.state {
        OfferState::Open => {
            decide(a, now)?;
            // Voting is over. (After the refund's token CPIs: lamports moved by hand before a
            // CPI would unbalance it.)
            Offer::release_vote_bitmap(&a.offer.to_account_info(), a.pool.key(), &a.payer)?;
        }
        OfferState::AwaitingDelivery => {
            require!(
                now >= a.offer.delivery_deadline,
                DataPoolError::DeliveryPending
            );
            unsold(a, RejectReason::Undelivered, OfferState::Undelivered)?;
        }
        _ => return err!(DataPoolError::OfferNotOpen),
    }
    crate::cu_mark!();
    Ok(())
}

/// Applies the decided outcome of an open offer.
fn decide(a: &mut OfferFinalize, now: i64) -> Result<()> {
    let outcome = a
        .offer
        .outcome(now)
        .ok_or(DataPoolError::OutcomeNotDecided)?;
    let fee = math::bps_of(a.offer.price, a.offer.fee_bps).ok_or(DataPoolError::MathOverflow)?;
    let net = a.offer.price.sub_or_overflow(fee)?;
    let fits = math::acc_increment(net, a.pool.total_weight)
        .and_then(|inc| a.pool.acc_reward_per_weight.checked_add(inc))
        .is_some();
    a.offer.decided_at = now;
    let reason = match outcome {
        Outcome::Rejected => RejectReason::Vote,
        Outcome::Accepted if a.pool.total_weight == 0 => RejectReason::EmptyPool,
        Outcome::Accepted if !fits => RejectReason::AccumulatorFull,
        Outcome::Accepted => {
            let offer = &mut a.offer;
            offer.state = OfferState::AwaitingDelivery;
            offer.delivery_deadline = now.add_or_overflow(offer.delivery_period)?;
            emit!(OfferApproved {
                pool: a.pool.key(),
                offer: offer.key(),
                buyer: offer.buyer,
                price: offer.price,
                delivery_deadline: offer.delivery_deadline,
                yes_weight: offer.yes_weight,
                no_weight: offer.no_weight,
            });
            return Ok(());
        }
    };
    unsold(a, reason, OfferState::Rejected)
}

/// Ends the offer without a sale: the price goes back to the refund account now, or waits for
/// `offer_refund` when that account cannot receive it.
fn unsold(a: &mut OfferFinalize, reason: RejectReason, state: OfferState) -> Result<()> {
    let mut refunded = false;
    if token::can_receive(
        &a.refund_account,
        a.token_program.key,
        &a.pool.mint,
        &a.offer.buyer,
    ) {
        let amount = token::amount_of(&a.escrow)?;
        let index_le = a.offer.index.to_le_bytes();
        let offer_seeds = a.offer.signer_seeds(&index_le);
        let signer: &[&[&[u8]]] = &[&offer_seeds];
        let program = a.token_program.to_account_info();
        let offer_info = a.offer.to_account_info();
        token::transfer(
            &program,
            &a.escrow,
            &a.mint.to_account_info(),
            &a.refund_account,
            &offer_info,
            amount,
            a.pool.mint_decimals,
            signer,
        )?;
        token::close(&program, &a.escrow, &a.payer, &offer_info, signer)?;
        refunded = true;
    }
    a.pool.open_offer_count = a.pool.open_offer_count.sub_or_overflow(1)?;
    let offer = &mut a.offer;
    offer.state = state;
    offer.refund_pending = !refunded;
    emit!(OfferRejected {
        pool: a.pool.key(),
        offer: offer.key(),
        buyer: offer.buyer,
        price: offer.price,
        reason,
        refunded,
        yes_weight: offer.yes_weight,
        no_weight: offer.no_weight,
    });
    Ok(())
}
