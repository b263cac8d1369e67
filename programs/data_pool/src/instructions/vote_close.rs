//! `vote_close`: after an offer ends, anyone closes a vote record; the rent goes to the voter.

use anchor_lang::prelude::*;

use crate::error::{CheckedMath, DataPoolError};
use crate::events::VoteClosed;
use crate::state::{Offer, Vote};

/// Accounts of `vote_close`.
#[derive(Accounts)]
pub struct VoteClose<'info> {
    /// The offer (terminal).
    #[account(mut)]
    pub offer: Box<Account<'info, Offer>>,
    /// The vote record.
    #[account(mut, has_one = offer @ DataPoolError::VoteMismatch, close = voter)]
    pub vote: Box<Account<'info, Vote>>,
    /// The voter, who receives the rent.
    /// CHECK: address pinned to the vote's voter; only receives lamports.
    #[account(mut, address = vote.voter @ DataPoolError::VoteMismatch)]
    pub voter: UncheckedAccount<'info>,
}

/// Closes the vote and keeps count on the offer, so tallies stay checkable.
pub fn handler(ctx: Context<VoteClose>) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(a.offer.voting_over(), DataPoolError::OfferNotTerminal);
    let offer = &mut a.offer;
    offer.closed_vote_count = offer.closed_vote_count.add_or_overflow(1)?;
    offer.closed_vote_weight = offer
        .closed_vote_weight
        .add_or_overflow(u128::from(a.vote.weight))?;
    emit!(VoteClosed {
        offer: offer.key(),
        voter: a.vote.voter,
        weight: a.vote.weight,
    });
    Ok(())
}
