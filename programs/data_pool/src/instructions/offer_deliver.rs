//! `offer_deliver`: a registered custodian records the delivery of an approved offer and the sale
//! settles in the same step: the fee to the pool's fee vault, the rest to the reward vault,
//! credited pro rata to weight. The receipt must name the pool's contribution set as it is now
//! (count, weight and set-history hash), so the contributions paid are exactly the ones
//! delivered.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::{SEED_CUSTODIAN, SEED_ESCROW, SEED_OFFER};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferAccepted;
use crate::math;
use crate::state::view::{self, View};
use crate::state::{Custodian, DeliveryReceipt, Offer, OfferState, Pool};
use crate::token;

/// Accounts of `offer_deliver`. The custodian record, the pool and the offer are read and written
/// in place ([`crate::state::view`]); every check `Account<T>` and its constraints made is made
/// in the handler, with the same errors.
#[derive(Accounts)]
pub struct OfferDeliver<'info> {
    /// The custodian's signing key.
    pub custodian_key: Signer<'info>,
    /// The custodian's record on this pool (active).
    /// CHECK: address pinned by the seeds and its stored bump; checked by `View::load::<Custodian>`.
    #[account(
        mut,
        seeds = [SEED_CUSTODIAN, pool.key().as_ref(), custodian_key.key().as_ref()],
        bump = View::stored_bump::<Custodian>(
            &custodian, view::custodian::END, view::custodian::BUMP, "custodian",
        )?,
    )]
    pub custodian: UncheckedAccount<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The offer, of this pool (`PoolMismatch`).
    /// CHECK: checked by `View::load::<Offer>` in the handler.
    #[account(mut)]
    pub offer: UncheckedAccount<'info>,
    /// The offer's escrow (gone once the offer is settled: the handler checks the offer's state
    /// before touching it).
    /// CHECK: address pinned by the seeds and the offer's stored escrow bump.
    #[account(
        mut,
        seeds = [SEED_ESCROW, offer.key().as_ref()],
        bump = View::stored_bump::<Offer>(
            &offer, view::offer::HEAD_END, view::offer::ESCROW_BUMP, "offer",
        )?,
    )]
    pub escrow: UncheckedAccount<'info>,
    /// The payout mint.
    /// CHECK: must be the pool's mint (`WrongMint`); `transfer_checked` checks it.
    pub mint: UncheckedAccount<'info>,
    /// The pool's reward vault.
    /// CHECK: must be the pool's vault (`PoolMismatch`); the token program checks the transfer.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// The pool's fee vault.
    /// CHECK: must be the pool's fee vault (`InvalidFeeVault`); the token program checks it.
    #[account(mut)]
    pub fee_vault: UncheckedAccount<'info>,
    /// Whoever paid the offer's rent (the offer's `payer`, else `NotRentPayer`): gets the
    /// escrow's rent back.
    /// CHECK: compared with the offer's payer; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The pool's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// Records the delivery and settles the sale.
pub fn handler(ctx: Context<OfferDeliver>, receipt: DeliveryReceipt) -> Result<()> {
    use view::{custodian as c_at, offer as o_at, pool as p_at};
    crate::cu_mark!();
    let a = &ctx.accounts;
    let pool_key = a.pool.key();
    let mut custodian = View::load::<Custodian>(&a.custodian, c_at::END, "custodian")?;
    require!(
        custodian.u8(c_at::ACTIVE) != 0,
        DataPoolError::CustodianInactive
    );
    let (mut pool, mut offer) = View::load_pair::<Pool, Offer>(
        (&a.pool, p_at::HEAD_END, "pool"),
        (&a.offer, o_at::HEAD_END, "offer"),
    )?;
    require!(
        offer.key_is(o_at::POOL, &pool_key),
        DataPoolError::PoolMismatch
    );
    require!(
        offer.key_is(o_at::PAYER, a.payer.key),
        DataPoolError::NotRentPayer
    );
    view::require_pool_tokens(&pool, a.mint.key, a.token_program.key)?;
    require!(
        pool.key_is(p_at::VAULT, a.vault.key),
        DataPoolError::PoolMismatch
    );
    require!(
        pool.key_is(p_at::FEE_VAULT, a.fee_vault.key),
        DataPoolError::InvalidFeeVault
    );
    require!(
        offer.u8(o_at::STATE) == OfferState::AwaitingDelivery as u8,
        DataPoolError::NotAwaitingDelivery
    );
    let now = Clock::get()?.unix_timestamp;
    require!(
        now < offer.i64(o_at::DELIVERY_DEADLINE),
        DataPoolError::DeliveryDeadlinePassed
    );
    let total_weight = pool.u64(p_at::TOTAL_WEIGHT);
    require!(
        receipt.contribution_count == pool.u64(p_at::ACTIVE_CONTRIBUTION_COUNT)
            && receipt.total_weight == total_weight
            && receipt.set_hash == pool.hash(p_at::SET_HASH),
        DataPoolError::DeliverySetMismatch
    );
    require!(total_weight > 0, DataPoolError::EmptyPool);

    let amount = token::amount_of(&a.escrow)?;
    let price = offer.u64(o_at::PRICE);
    let fee = math::bps_of(price, offer.u16(o_at::FEE_BPS)).ok_or(DataPoolError::MathOverflow)?;
    let net = amount.sub_or_overflow(fee)?;
    let acc_before = pool.u128(p_at::ACC_REWARD_PER_WEIGHT);
    let acc_after = math::acc_increment(net, total_weight)
        .and_then(|inc| acc_before.checked_add(inc))
        .ok_or(DataPoolError::AccumulatorCapacityExceeded)?;

    // The books first (every account is written before the transfers, which borrow none).
    let distributed = pool
        .u128(p_at::TOTAL_DISTRIBUTED)
        .add_or_overflow(u128::from(net))?;
    let fees = pool
        .u128(p_at::TOTAL_FEES)
        .add_or_overflow(u128::from(fee))?;
    let accepted = pool.u64(p_at::ACCEPTED_OFFER_COUNT).add_or_overflow(1)?;
    let open = pool.u64(p_at::OPEN_OFFER_COUNT).sub_or_overflow(1)?;
    // The parts of `Pool::invariant` this instruction could break.
    let offer_count = pool.u64(p_at::OFFER_COUNT);
    require!(
        accepted
            .checked_add(pool.u64(p_at::CLOSED_OFFER_COUNT))
            .is_some_and(|ended| ended <= offer_count),
        DataPoolError::InvariantViolated
    );
    pool.set_u128(p_at::ACC_REWARD_PER_WEIGHT, acc_after);
    pool.set_u128(p_at::TOTAL_DISTRIBUTED, distributed);
    pool.set_u128(p_at::TOTAL_FEES, fees);
    pool.set_u64(p_at::ACCEPTED_OFFER_COUNT, accepted);
    pool.set_u64(p_at::OPEN_OFFER_COUNT, open);
    let decimals = pool.u8(p_at::MINT_DECIMALS);
    drop(pool);
    let delivered = custodian.u64(c_at::DELIVERED_COUNT).add_or_overflow(1)?;
    custodian.set_u64(c_at::DELIVERED_COUNT, delivered);
    drop(custodian);
    offer.set_u8(o_at::STATE, OfferState::Accepted as u8);
    offer.set_u64(o_at::FEE_PAID, fee);
    offer.set_u64(o_at::NET_DISTRIBUTED, net);
    offer.set_i64(o_at::DELIVERED_AT, now);
    offer.set_key(o_at::CUSTODIAN, a.custodian_key.key);
    offer.set_hash(o_at::RECEIPT, &receipt.manifest_hash);
    offer.set_u64(o_at::RECEIPT + 32, receipt.size);
    offer.set_u64(o_at::RECEIPT + 40, receipt.contribution_count);
    offer.set_u64(o_at::RECEIPT + 48, receipt.total_weight);
    offer.set_hash(o_at::RECEIPT + 56, &receipt.set_hash);
    let index_le = offer.u64(o_at::INDEX).to_le_bytes();
    let bump = [offer.u8(o_at::BUMP)];
    let event = OfferAccepted {
        pool: pool_key,
        offer: a.offer.key(),
        buyer: offer.key(o_at::BUYER),
        price,
        fee,
        net,
        pool_weight: total_weight,
        acc_before,
        acc_after,
        yes_weight: offer.u128(o_at::YES_WEIGHT),
        no_weight: offer.u128(o_at::NO_WEIGHT),
        custodian: a.custodian_key.key(),
        receipt,
    };
    drop(offer);
    crate::cu_mark!();

    let offer_seeds: [&[u8]; 4] = [SEED_OFFER, pool_key.as_ref(), &index_le, &bump];
    let signer: &[&[&[u8]]] = &[&offer_seeds];
    let program = a.token_program.to_account_info();
    token::transfer(
        &program,
        &a.escrow,
        &a.mint,
        &a.fee_vault,
        &a.offer,
        fee,
        decimals,
        signer,
    )?;
    token::transfer(
        &program, &a.escrow, &a.mint, &a.vault, &a.offer, net, decimals, signer,
    )?;
    token::close(&program, &a.escrow, &a.payer, &a.offer, signer)?;
    emit!(event);
    crate::cu_mark!();
    Ok(())
}
