//! `offer_create`: a buyer offers a price for the pool's data and pays it into escrow.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::{MAX_CREATED_ACCOUNT_LEN, MAX_TERMS_URI_LEN, SEED_ESCROW, SEED_OFFER};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferCreated;
use crate::math;
use crate::pda;
use crate::state::view::{self, View};
use crate::state::{Offer, OfferState, Pool};
use crate::token;

/// What the buyer offers.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct OfferCreateArgs {
    /// The offer's index: the pool's offer count now (it fixes the offer's address; an offer
    /// made by someone else first makes it stale: `StaleOfferIndex`).
    pub index: u64,
    /// Price in base units of the payout mint.
    pub price: u64,
    /// sha256 of the terms document.
    pub terms_hash: [u8; 32],
    /// Where the terms can be read (≤ 200 bytes).
    pub terms_uri: String,
}

/// Accounts of `offer_create`. The pool is read and written in place, and the offer and its
/// escrow are created by the handler ([`crate::state::view`], [`crate::pda`]); every check
/// `Account<T>`, `InterfaceAccount<T>` and `init` made is made there, with the same errors.
#[derive(Accounts)]
#[instruction(args: OfferCreateArgs)]
pub struct OfferCreate<'info> {
    /// Pays rent and fees.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The buyer; signs the payment.
    pub buyer: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The new offer, at the pool's next offer index, with a vote bitmap sized at the snapshot
    /// (a snapshot larger than the largest account a program can create is refused).
    /// CHECK: address pinned by the seeds; created by the handler.
    #[account(mut, seeds = [SEED_OFFER, pool.key().as_ref(), &args.index.to_le_bytes()], bump)]
    pub offer: UncheckedAccount<'info>,
    /// The escrow, a token account owned by the offer.
    /// CHECK: address pinned by the seeds; created by the handler.
    #[account(mut, seeds = [SEED_ESCROW, offer.key().as_ref()], bump)]
    pub escrow: UncheckedAccount<'info>,
    /// The payout mint.
    /// CHECK: must be the pool's mint (`WrongMint`); checked by `token::check_payout_mint`.
    pub mint: UncheckedAccount<'info>,
    /// The buyer's token account paying the price (of the payout mint).
    /// CHECK: read by `token::read_account`; the token program checks the transfer.
    #[account(mut)]
    pub buyer_token: UncheckedAccount<'info>,
    /// Where a refund goes: a token account of the mint owned by the buyer.
    /// CHECK: read by `token::read_account`.
    pub refund_account: UncheckedAccount<'info>,
    /// The pool's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Checks the offer, escrows the price and snapshots the pool.
pub fn handler(ctx: Context<OfferCreate>, args: OfferCreateArgs) -> Result<()> {
    use view::{offer as o_at, pool as p_at};
    crate::cu_mark!();
    let a = &ctx.accounts;
    let pool_key = a.pool.key();
    let mut pool = View::load::<Pool>(&a.pool, p_at::HEAD_END, "pool")?;
    Pool::require_unpaused(pool.u8(p_at::PAUSED) != 0)?;
    let index = pool.u64(p_at::OFFER_COUNT);
    require!(args.index == index, DataPoolError::StaleOfferIndex);
    require!(
        args.price >= pool.u64(p_at::MIN_OFFER_PRICE),
        DataPoolError::PriceTooLow
    );
    require!(
        args.terms_uri.len() <= MAX_TERMS_URI_LEN,
        DataPoolError::TermsUriTooLong
    );
    let total_weight = pool.u64(p_at::TOTAL_WEIGHT);
    require!(total_weight > 0, DataPoolError::EmptyPool);
    let contributor_count = pool.u64(p_at::CONTRIBUTOR_COUNT);
    let space = Offer::space(contributor_count);
    require!(
        space as u64 <= MAX_CREATED_ACCOUNT_LEN,
        DataPoolError::TooManyVoters
    );
    require!(
        pool.u32(p_at::ACTIVE_CUSTODIAN_COUNT) > 0,
        DataPoolError::NoCustodian
    );
    view::require_pool_tokens(&pool, a.mint.key, a.token_program.key)?;
    // New money enters the pool here: the mint must still be the one the pool accepted (a mint
    // cannot change extensions in place, but one closed and recreated at its address could).
    token::check_payout_mint(&a.mint)?;
    let decimals = pool.u8(p_at::MINT_DECIMALS);
    require!(
        token::mint_decimals(&a.mint)? == decimals,
        DataPoolError::MintChanged
    );
    let paying = token::read_account(&a.buyer_token, "buyer_token")?;
    require!(
        pool.key_is(p_at::MINT, &paying.mint),
        DataPoolError::WrongMint
    );
    let refund = token::read_account(&a.refund_account, "refund_account")?;
    require!(
        pool.key_is(p_at::MINT, &refund.mint),
        DataPoolError::WrongMint
    );
    require!(
        refund.owner == a.buyer.key(),
        DataPoolError::WrongTokenAccountOwner
    );
    // Refuse up front a sale the accumulator could not credit at today's weight.
    let fee_bps = pool.u16(p_at::FEE_BPS);
    let fee = math::bps_of(args.price, fee_bps).ok_or(DataPoolError::MathOverflow)?;
    let net = args.price.sub_or_overflow(fee)?;
    math::acc_increment(net, total_weight)
        .and_then(|inc| pool.u128(p_at::ACC_REWARD_PER_WEIGHT).checked_add(inc))
        .ok_or(DataPoolError::AccumulatorCapacityExceeded)?;
    let offer_count = index.add_or_overflow(1)?;
    let open = pool.u64(p_at::OPEN_OFFER_COUNT).add_or_overflow(1)?;
    // The part of `Pool::invariant` this instruction could break.
    require!(open <= offer_count, DataPoolError::InvariantViolated);
    pool.set_u64(p_at::OFFER_COUNT, offer_count);
    pool.set_u64(p_at::OPEN_OFFER_COUNT, open);
    let now = Clock::get()?.unix_timestamp;
    let voting_ends_at = now.add_or_overflow(pool.i64(p_at::VOTING_PERIOD))?;
    let terms = (
        pool.u16(p_at::QUORUM_BPS),
        pool.u16(p_at::APPROVAL_BPS),
        pool.i64(p_at::DELIVERY_PERIOD),
    );
    drop(pool);
    crate::cu_mark!();

    // The offer, then its escrow (owned by the offer), then the price into it.
    let index_le = index.to_le_bytes();
    let offer_bump = [ctx.bumps.offer];
    let offer_seeds: [&[u8]; 4] = [SEED_OFFER, pool_key.as_ref(), &index_le, &offer_bump];
    let system = a.system_program.to_account_info();
    pda::create(&a.payer, &a.offer, &system, space, &crate::ID, &offer_seeds)?;
    let offer_key = a.offer.key();
    let escrow_bump = [ctx.bumps.escrow];
    let escrow_seeds: [&[u8]; 3] = [SEED_ESCROW, offer_key.as_ref(), &escrow_bump];
    let token_program = a.token_program.to_account_info();
    pda::create(
        &a.payer,
        &a.escrow,
        &system,
        token::account_len(&a.mint)?,
        a.token_program.key,
        &escrow_seeds,
    )?;
    token::initialize_account(&token_program, &a.escrow, &a.mint, &a.offer)?;
    token::transfer(
        &token_program,
        &a.buyer_token,
        &a.mint,
        &a.escrow,
        &a.buyer,
        args.price,
        decimals,
        &[],
    )?;
    crate::cu_mark!();

    let mut offer = View::fresh(&a.offer)?;
    offer.set_head::<Offer>();
    offer.set_u8(o_at::BUMP, ctx.bumps.offer);
    offer.set_u8(o_at::ESCROW_BUMP, ctx.bumps.escrow);
    offer.set_u8(o_at::STATE, OfferState::Open as u8);
    offer.set_key(o_at::POOL, &pool_key);
    offer.set_u64(o_at::INDEX, index);
    offer.set_key(o_at::BUYER, a.buyer.key);
    offer.set_key(o_at::REFUND_ACCOUNT, a.refund_account.key);
    offer.set_u64(o_at::PRICE, args.price);
    offer.set_hash(o_at::TERMS_HASH, &args.terms_hash);
    offer.set_i64(o_at::CREATED_AT, now);
    offer.set_i64(o_at::VOTING_ENDS_AT, voting_ends_at);
    offer.set_u64(o_at::SNAPSHOT_TOTAL_WEIGHT, total_weight);
    offer.set_u64(o_at::SNAPSHOT_CONTRIBUTOR_COUNT, contributor_count);
    offer.set_u16(o_at::FEE_BPS, fee_bps);
    offer.set_u16(o_at::QUORUM_BPS, terms.0);
    offer.set_u16(o_at::APPROVAL_BPS, terms.1);
    offer.set_i64(o_at::DELIVERY_PERIOD, terms.2);
    offer.set_key(o_at::PAYER, a.payer.key);
    offer.set_str(o_at::TERMS_URI, &args.terms_uri)?;
    drop(offer);
    emit!(OfferCreated {
        pool: pool_key,
        offer: offer_key,
        index,
        buyer: a.buyer.key(),
        price: args.price,
        terms_hash: args.terms_hash,
        voting_ends_at,
        snapshot_total_weight: total_weight,
        snapshot_contributor_count: contributor_count,
    });
    crate::cu_mark!();
    Ok(())
}
