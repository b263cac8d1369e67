//! `offer_create`: a buyer offers a price for the pool's data and pays it into escrow.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::{
    LAYOUT_VERSION, MAX_CREATED_ACCOUNT_LEN, MAX_TERMS_URI_LEN, SEED_ESCROW, SEED_OFFER,
};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::OfferCreated;
use crate::math;
use crate::state::{DeliveryReceipt, Offer, OfferState, Pool};
use crate::token;

/// What the buyer offers.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct OfferCreateArgs {
    /// Price in base units of the payout mint.
    pub price: u64,
    /// sha256 of the terms document.
    pub terms_hash: [u8; 32],
    /// Where the terms can be read (≤ 200 bytes).
    pub terms_uri: String,
}

/// Accounts of `offer_create`.
#[derive(Accounts)]
pub struct OfferCreate<'info> {
    /// Pays rent and fees.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The buyer; signs the payment.
    pub buyer: Signer<'info>,
    /// The pool.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The new offer, at the pool's next offer index, with a vote bitmap sized at the snapshot
    /// (capped at the largest account a program can create; a larger snapshot is refused in
    /// the handler).
    #[account(
        init,
        payer = payer,
        space = Offer::space(pool.contributor_count).min(MAX_CREATED_ACCOUNT_LEN as usize),
        seeds = [SEED_OFFER, pool.key().as_ref(), &pool.offer_count.to_le_bytes()],
        bump,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// The escrow, owned by the offer.
    #[account(
        init,
        payer = payer,
        seeds = [SEED_ESCROW, offer.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = offer,
        token::token_program = token_program,
    )]
    pub escrow: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The buyer's token account paying the price.
    #[account(mut, constraint = buyer_token.mint == pool.mint @ DataPoolError::WrongMint)]
    pub buyer_token: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Where a refund goes: a token account of the mint owned by the buyer.
    #[account(
        constraint = refund_account.mint == pool.mint @ DataPoolError::WrongMint,
        constraint = refund_account.owner == buyer.key() @ DataPoolError::WrongTokenAccountOwner,
    )]
    pub refund_account: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Checks the offer, escrows the price and snapshots the pool.
pub fn handler(ctx: Context<OfferCreate>, args: OfferCreateArgs) -> Result<()> {
    crate::cu_mark!();
    let a = &mut *ctx.accounts;
    let pool = &mut a.pool;
    pool.require_active()?;
    require!(
        args.price >= pool.params.min_offer_price,
        DataPoolError::PriceTooLow
    );
    require!(
        args.terms_uri.len() <= MAX_TERMS_URI_LEN,
        DataPoolError::TermsUriTooLong
    );
    require!(pool.total_weight > 0, DataPoolError::EmptyPool);
    require!(
        Offer::space(pool.contributor_count) as u64 <= MAX_CREATED_ACCOUNT_LEN,
        DataPoolError::TooManyVoters
    );
    require!(pool.active_custodian_count > 0, DataPoolError::NoCustodian);
    // New money enters the pool here: the mint must still be the one the pool accepted (a mint
    // cannot change extensions in place, but one closed and recreated at its address could).
    token::check_payout_mint(&a.mint.to_account_info())?;
    require!(
        a.mint.decimals == pool.mint_decimals,
        DataPoolError::MintChanged
    );
    // Refuse up front a sale the accumulator could not credit at today's weight.
    let fee = math::bps_of(args.price, pool.params.fee_bps).ok_or(DataPoolError::MathOverflow)?;
    let net = args.price.sub_or_overflow(fee)?;
    math::acc_increment(net, pool.total_weight)
        .and_then(|inc| pool.acc_reward_per_weight.checked_add(inc))
        .ok_or(DataPoolError::AccumulatorCapacityExceeded)?;

    token::transfer(
        &a.token_program.to_account_info(),
        &a.buyer_token.to_account_info(),
        &a.mint.to_account_info(),
        &a.escrow.to_account_info(),
        &a.buyer.to_account_info(),
        args.price,
        pool.mint_decimals,
        &[],
    )?;

    let now = Clock::get()?.unix_timestamp;
    let voting_ends_at = now.add_or_overflow(pool.params.voting_period)?;
    let index = pool.offer_count;
    a.offer.set_inner(Offer {
        version: LAYOUT_VERSION,
        bump: ctx.bumps.offer,
        escrow_bump: ctx.bumps.escrow,
        state: OfferState::Open,
        refund_pending: false,
        pool: pool.key(),
        index,
        buyer: a.buyer.key(),
        refund_account: a.refund_account.key(),
        price: args.price,
        terms_hash: args.terms_hash,
        terms_uri: args.terms_uri,
        created_at: now,
        voting_ends_at,
        snapshot_total_weight: pool.total_weight,
        snapshot_contributor_count: pool.contributor_count,
        fee_bps: pool.params.fee_bps,
        quorum_bps: pool.params.quorum_bps,
        approval_bps: pool.params.approval_bps,
        yes_weight: 0,
        no_weight: 0,
        voter_count: 0,
        reserved: [0; 24],
        decided_at: 0,
        fee_paid: 0,
        net_distributed: 0,
        delivery_period: pool.params.delivery_period,
        delivery_deadline: 0,
        delivered_at: 0,
        custodian: Pubkey::default(),
        receipt: DeliveryReceipt::default(),
        payer: a.payer.key(),
    });
    pool.offer_count = index.add_or_overflow(1)?;
    pool.open_offer_count = pool.open_offer_count.add_or_overflow(1)?;
    pool.invariant()?;
    emit!(OfferCreated {
        pool: pool.key(),
        offer: a.offer.key(),
        index,
        buyer: a.buyer.key(),
        price: args.price,
        terms_hash: args.terms_hash,
        voting_ends_at,
        snapshot_total_weight: pool.total_weight,
        snapshot_contributor_count: pool.contributor_count,
    });
    crate::cu_mark!();
    Ok(())
}
