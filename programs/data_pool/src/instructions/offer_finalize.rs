//! `offer_finalize`: anyone settles a decided offer. Accepted: fee to the pool's fee vault, the
//! rest to the reward vault, credited pro rata to weight. Rejected: the price back to the buyer,
//! or kept for `offer_refund` when the refund account cannot receive it. Every account it pays
//! tokens to is either the program's own or checked first, so nobody outside the program can
//! make a settlement revert.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::SEED_ESCROW;
use crate::error::{CheckedMath, DataPoolError};
use crate::events::{OfferAccepted, OfferRejected, RejectReason};
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
    #[account(mut, has_one = pool @ DataPoolError::PoolMismatch)]
    pub offer: Box<Account<'info, Offer>>,
    /// The offer's escrow (gone once the offer is settled, hence unchecked: the handler checks
    /// the offer's state before touching it).
    /// CHECK: address pinned by seeds and the stored bump; read with `token::amount_of`.
    #[account(mut, seeds = [SEED_ESCROW, offer.key().as_ref()], bump = offer.escrow_bump)]
    pub escrow: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The pool's reward vault.
    /// CHECK: address pinned to the pool's vault; the token program checks the transfer.
    #[account(mut, address = pool.vault @ DataPoolError::PoolMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The pool's fee vault: address pinned to the pool's fee vault (a token account the
    /// pool owns); the token program checks the transfer.
    /// CHECK: as documented above.
    #[account(mut, address = pool.fee_vault @ DataPoolError::InvalidFeeVault)]
    pub fee_vault: UncheckedAccount<'info>,
    /// The offer's refund account (may no longer be able to receive: then the refund waits).
    /// CHECK: address pinned to the offer; inspected with `token::can_receive` before use.
    #[account(mut, address = offer.refund_account @ DataPoolError::WrongRefundAccount)]
    pub refund_account: UncheckedAccount<'info>,
    /// The buyer, who gets the escrow's rent back.
    /// CHECK: address pinned to the offer's buyer; only receives lamports.
    #[account(mut, address = offer.buyer @ DataPoolError::NotBuyer)]
    pub buyer: UncheckedAccount<'info>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Decides and settles the offer.
pub fn handler(ctx: Context<OfferFinalize>) -> Result<()> {
    crate::cu_mark!();
    let a = &mut *ctx.accounts;
    require!(
        a.offer.state == OfferState::Open,
        DataPoolError::OfferNotOpen
    );
    let now = Clock::get()?.unix_timestamp;
    let outcome = a
        .offer
        .outcome(now)
        .ok_or(DataPoolError::OutcomeNotDecided)?;

    let amount = token::amount_of(&a.escrow)?;
    let fee = math::bps_of(a.offer.price, a.offer.fee_bps).ok_or(DataPoolError::MathOverflow)?;
    let reason = match outcome {
        Outcome::Rejected => Some(RejectReason::Vote),
        Outcome::Accepted if a.pool.total_weight == 0 => Some(RejectReason::EmptyPool),
        Outcome::Accepted => None,
    };
    let net = amount.sub_or_overflow(fee)?;
    let acc_before = a.pool.acc_reward_per_weight;
    let acc_after =
        math::acc_increment(net, a.pool.total_weight).and_then(|inc| acc_before.checked_add(inc));
    let reason = match (reason, acc_after) {
        (None, None) => Some(RejectReason::AccumulatorFull),
        (r, _) => r,
    };

    let index_le = a.offer.index.to_le_bytes();
    let offer_seeds = a.offer.signer_seeds(&index_le);
    let signer: &[&[&[u8]]] = &[&offer_seeds];
    let program = a.token_program.to_account_info();
    let escrow = a.escrow.to_account_info();
    let mint = a.mint.to_account_info();
    let offer_info = a.offer.to_account_info();
    let decimals = a.pool.mint_decimals;

    let mut refunded = false;
    if reason.is_none() {
        token::transfer(
            &program,
            &escrow,
            &mint,
            &a.fee_vault,
            &offer_info,
            fee,
            decimals,
            signer,
        )?;
        token::transfer(
            &program,
            &escrow,
            &mint,
            &a.vault,
            &offer_info,
            net,
            decimals,
            signer,
        )?;
        token::close(&program, &escrow, &a.buyer, &offer_info, signer)?;
    } else if token::can_receive(&a.refund_account, program.key, &a.pool.mint, &a.offer.buyer) {
        token::transfer(
            &program,
            &escrow,
            &mint,
            &a.refund_account,
            &offer_info,
            amount,
            decimals,
            signer,
        )?;
        token::close(&program, &escrow, &a.buyer, &offer_info, signer)?;
        refunded = true;
    }

    let pool_key = a.pool.key();
    let offer_key = a.offer.key();
    let offer = &mut a.offer;
    offer.decided_at = now;
    a.pool.open_offer_count = a.pool.open_offer_count.sub_or_overflow(1)?;
    match reason {
        None => {
            let pool = &mut a.pool;
            let acc_after = acc_after.ok_or(DataPoolError::MathOverflow)?;
            pool.acc_reward_per_weight = acc_after;
            pool.total_distributed = pool.total_distributed.add_or_overflow(u128::from(net))?;
            pool.total_fees = pool.total_fees.add_or_overflow(u128::from(fee))?;
            pool.accepted_offer_count = pool.accepted_offer_count.add_or_overflow(1)?;
            offer.state = OfferState::Accepted;
            offer.fee_paid = fee;
            offer.net_distributed = net;
            pool.invariant()?;
            emit!(OfferAccepted {
                pool: pool_key,
                offer: offer_key,
                buyer: offer.buyer,
                price: offer.price,
                fee,
                net,
                pool_weight: pool.total_weight,
                acc_before,
                acc_after,
                yes_weight: offer.yes_weight,
                no_weight: offer.no_weight,
            });
        }
        Some(reason) => {
            offer.state = OfferState::Rejected;
            offer.refund_pending = !refunded;
            emit!(OfferRejected {
                pool: pool_key,
                offer: offer_key,
                buyer: offer.buyer,
                price: offer.price,
                reason,
                refunded,
                yes_weight: offer.yes_weight,
                no_weight: offer.no_weight,
            });
        }
    }
    crate::cu_mark!();
    Ok(())
}
