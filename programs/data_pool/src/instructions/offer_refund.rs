//! `offer_refund`: the buyer withdraws a rejected, cancelled or undelivered offer's escrow when it could not
//! be refunded automatically.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::constants::SEED_ESCROW;
use crate::error::DataPoolError;
use crate::events::OfferRefunded;
use crate::state::{Offer, Pool};
use crate::token;

/// Accounts of `offer_refund` (and `offer_cancel`).
#[derive(Accounts)]
pub struct OfferRefund<'info> {
    /// The buyer.
    pub buyer: Signer<'info>,
    /// The pool (writable: a cancel settles an open offer).
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// The offer.
    #[account(
        mut,
        has_one = pool @ DataPoolError::PoolMismatch,
        has_one = buyer @ DataPoolError::NotBuyer,
        has_one = payer @ DataPoolError::NotRentPayer,
    )]
    pub offer: Box<Account<'info, Offer>>,
    /// Whoever paid the offer's rent (`offer.payer`): gets the escrow's rent back.
    /// CHECK: pinned to `offer.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The offer's escrow (gone once the offer is settled, hence unchecked: the handler checks
    /// the offer's state before touching it).
    /// CHECK: address pinned by seeds and the stored bump; read with `token::amount_of`.
    #[account(mut, seeds = [SEED_ESCROW, offer.key().as_ref()], bump = offer.escrow_bump)]
    pub escrow: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Any token account of the payout mint that the buyer owns.
    #[account(
        mut,
        constraint = destination.mint == pool.mint @ DataPoolError::WrongMint,
        constraint = destination.owner == buyer.key() @ DataPoolError::WrongTokenAccountOwner,
    )]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> OfferRefund<'info> {
    /// Moves the whole escrow to `destination` and closes it; returns the amount.
    pub fn empty_escrow(&self) -> Result<u64> {
        let amount = token::amount_of(&self.escrow)?;
        let index_le = self.offer.index.to_le_bytes();
        let seeds = self.offer.signer_seeds(&index_le);
        let signer: &[&[&[u8]]] = &[&seeds];
        let program = self.token_program.to_account_info();
        let escrow = self.escrow.to_account_info();
        let offer = self.offer.to_account_info();
        token::transfer(
            &program,
            &escrow,
            &self.mint.to_account_info(),
            &self.destination.to_account_info(),
            &offer,
            amount,
            self.pool.mint_decimals,
            signer,
        )?;
        token::close(
            &program,
            &escrow,
            &self.payer.to_account_info(),
            &offer,
            signer,
        )?;
        Ok(amount)
    }
}

/// Pays out the pending refund.
pub fn handler(ctx: Context<OfferRefund>) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(
        a.offer.is_refundable() && a.offer.refund_pending,
        DataPoolError::NothingToRefund
    );
    let amount = a.empty_escrow()?;
    a.offer.refund_pending = false;
    emit!(OfferRefunded {
        pool: a.pool.key(),
        offer: a.offer.key(),
        buyer: a.buyer.key(),
        destination: a.destination.key(),
        amount,
    });
    Ok(())
}
