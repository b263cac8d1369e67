//! `offer_deliver`: a registered custodian records the delivery of an approved offer and the sale
//! settles in the same step: the fee to the pool's fee vault, the rest to the reward vault,
//! credited pro rata to weight. The receipt must name the pool's contribution set as it is now
//! (count, weight and set-history hash), so the contributions paid are exactly the ones
//! delivered.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};

use crate::constants::{SEED_CUSTODIAN, SEED_ESCROW};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferAccepted;
use crate::math;
use crate::state::{Custodian, DeliveryReceipt, Offer, OfferState, Pool};
use crate::token;

/// Accounts of `offer_deliver`.
#[derive(Accounts)]
pub struct OfferDeliver<'info> {
    /// The custodian's signing key.
    pub custodian_key: Signer<'info>,
    /// The custodian's record on this pool (active).
    #[account(
        mut,
        seeds = [SEED_CUSTODIAN, pool.key().as_ref(), custodian_key.key().as_ref()],
        bump = custodian.bump,
        constraint = custodian.active @ DataPoolError::CustodianInactive,
    )]
    pub custodian: Box<Account<'info, Custodian>>,
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
    /// The pool's reward vault.
    /// CHECK: address pinned to the pool's vault; the token program checks the transfer.
    #[account(mut, address = pool.vault @ DataPoolError::PoolMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The pool's fee vault.
    /// CHECK: address pinned to the pool's fee vault; the token program checks the transfer.
    #[account(mut, address = pool.fee_vault @ DataPoolError::InvalidFeeVault)]
    pub fee_vault: UncheckedAccount<'info>,
    /// Whoever paid the offer's rent (`offer.payer`): gets the escrow's rent back.
    /// CHECK: pinned to `offer.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Records the delivery and settles the sale.
pub fn handler(ctx: Context<OfferDeliver>, receipt: DeliveryReceipt) -> Result<()> {
    crate::cu_mark!();
    let a = &mut *ctx.accounts;
    require!(
        a.offer.state == OfferState::AwaitingDelivery,
        DataPoolError::NotAwaitingDelivery
    );
    let now = Clock::get()?.unix_timestamp;
    require!(
        now < a.offer.delivery_deadline,
        DataPoolError::DeliveryDeadlinePassed
    );
    require!(
        receipt.contribution_count == a.pool.active_contribution_count
            && receipt.total_weight == a.pool.total_weight
            && receipt.set_hash == a.pool.set_hash,
        DataPoolError::DeliverySetMismatch
    );
    require!(a.pool.total_weight > 0, DataPoolError::EmptyPool);

    let amount = token::amount_of(&a.escrow)?;
    let fee = math::bps_of(a.offer.price, a.offer.fee_bps).ok_or(DataPoolError::MathOverflow)?;
    let net = amount.sub_or_overflow(fee)?;
    let acc_before = a.pool.acc_reward_per_weight;
    let acc_after = math::acc_increment(net, a.pool.total_weight)
        .and_then(|inc| acc_before.checked_add(inc))
        .ok_or(DataPoolError::AccumulatorCapacityExceeded)?;

    let index_le = a.offer.index.to_le_bytes();
    let offer_seeds = a.offer.signer_seeds(&index_le);
    let signer: &[&[&[u8]]] = &[&offer_seeds];
    let program = a.token_program.to_account_info();
    let mint = a.mint.to_account_info();
    let offer_info = a.offer.to_account_info();
    let decimals = a.pool.mint_decimals;
    token::transfer(
        &program,
        &a.escrow,
        &mint,
        &a.fee_vault,
        &offer_info,
        fee,
        decimals,
        signer,
    )?;
    token::transfer(
        &program,
        &a.escrow,
        &mint,
        &a.vault,
        &offer_info,
        net,
        decimals,
        signer,
    )?;
    token::close(&program, &a.escrow, &a.payer, &offer_info, signer)?;

    let pool = &mut a.pool;
    pool.acc_reward_per_weight = acc_after;
    pool.total_distributed = pool.total_distributed.add_or_overflow(u128::from(net))?;
    pool.total_fees = pool.total_fees.add_or_overflow(u128::from(fee))?;
    pool.accepted_offer_count = pool.accepted_offer_count.add_or_overflow(1)?;
    pool.open_offer_count = pool.open_offer_count.sub_or_overflow(1)?;
    pool.invariant()?;
    a.custodian.delivered_count = a.custodian.delivered_count.add_or_overflow(1)?;
    let offer = &mut a.offer;
    offer.state = OfferState::Accepted;
    offer.fee_paid = fee;
    offer.net_distributed = net;
    offer.delivered_at = now;
    offer.custodian = a.custodian.key;
    offer.receipt = receipt;
    emit!(OfferAccepted {
        pool: pool.key(),
        offer: offer.key(),
        buyer: offer.buyer,
        price: offer.price,
        fee,
        net,
        pool_weight: pool.total_weight,
        acc_before,
        acc_after,
        yes_weight: offer.yes_weight,
        no_weight: offer.no_weight,
        custodian: a.custodian.key,
        receipt,
    });
    crate::cu_mark!();
    Ok(())
}
