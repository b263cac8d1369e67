//! `offer_vote`: an eligible contributor approves or rejects an open offer, once.

use anchor_lang::prelude::*;

use crate::constants::{LAYOUT_VERSION, SEED_VOTE};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::VoteCast;
use crate::state::{Contributor, Offer, OfferState, Vote};

/// Accounts of `offer_vote`.
#[derive(Accounts)]
pub struct OfferVote<'info> {
    /// Pays the vote record's rent (may be a relayer).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The contributor's wallet.
    pub voter: Signer<'info>,
    /// The pool (only its address is needed: it is not deserialized).
    /// CHECK: pinned to the offer's pool.
    #[account(address = offer.pool @ DataPoolError::PoolMismatch)]
    pub pool: UncheckedAccount<'info>,
    /// The offer.
    #[account(mut)]
    pub offer: Box<Account<'info, Offer>>,
    /// The voter's contributor record (checked in the handler, so a wallet that never
    /// contributed gets `NotEligibleToVote`).
    /// CHECK: deserialized as a `Contributor` owned by this program, then its pool and wallet
    /// are compared with the pool and the signer.
    pub contributor: UncheckedAccount<'info>,
    /// The vote record: one per contributor per offer.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Vote::INIT_SPACE,
        seeds = [SEED_VOTE, offer.key().as_ref(), voter.key().as_ref()],
        bump,
    )]
    pub vote: Box<Account<'info, Vote>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Records the vote with the contributor's current weight and adds it to the tally.
pub fn handler(ctx: Context<OfferVote>, approve: bool) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(a.vote.version == 0, DataPoolError::AlreadyVoted);
    require!(
        a.offer.state == OfferState::Open,
        DataPoolError::OfferNotOpen
    );
    let now = Clock::get()?.unix_timestamp;
    require!(now < a.offer.voting_ends_at, DataPoolError::VotingClosed);

    let info = a.contributor.to_account_info();
    require!(
        info.owner == ctx.program_id,
        DataPoolError::NotEligibleToVote
    );
    let contributor = {
        let data = info.try_borrow_data()?;
        Contributor::try_deserialize(&mut &data[..])
            .map_err(|_| DataPoolError::NotEligibleToVote)?
    };
    require!(
        contributor.pool == a.pool.key() && contributor.wallet == a.voter.key(),
        DataPoolError::NotEligibleToVote
    );
    require!(
        contributor.index < a.offer.snapshot_contributor_count && contributor.weight > 0,
        DataPoolError::NotEligibleToVote
    );

    let weight = contributor.weight;
    let offer = &mut a.offer;
    if approve {
        offer.yes_weight = offer.yes_weight.add_or_overflow(u128::from(weight))?;
    } else {
        offer.no_weight = offer.no_weight.add_or_overflow(u128::from(weight))?;
    }
    offer.voter_count = offer.voter_count.add_or_overflow(1)?;
    a.vote.set_inner(Vote {
        version: LAYOUT_VERSION,
        bump: ctx.bumps.vote,
        approve,
        offer: offer.key(),
        voter: a.voter.key(),
        weight,
        cast_at: now,
    });
    emit!(VoteCast {
        pool: a.pool.key(),
        offer: offer.key(),
        voter: a.voter.key(),
        approve,
        weight,
        yes_weight: offer.yes_weight,
        no_weight: offer.no_weight,
    });
    Ok(())
}
