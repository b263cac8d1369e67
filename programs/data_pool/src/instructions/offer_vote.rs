//! `offer_vote`: an eligible contributor approves or rejects an open offer, once, while its
//! outcome is undecided. Once the votes decide an offer early, the tally is frozen: voters can
//! add weight after the snapshot, so later votes could otherwise flip a decision the buyer and
//! the contributors have already acted on.

use anchor_lang::prelude::*;

use crate::constants::{LAYOUT_VERSION, SEED_VOTE};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::VoteCast;
use crate::math::{self, Tally};
use crate::state::view::{self, View};
use crate::state::{Contributor, Offer, OfferState, Vote};

/// Accounts of `offer_vote`. The offer and the contributor record are read and written in place
/// ([`crate::state::view`]): a vote touches seven of their fields, and loading and storing them
/// whole with Borsh cost more than everything else the vote does.
#[derive(Accounts)]
pub struct OfferVote<'info> {
    /// Pays the vote record's rent (may be a relayer).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The contributor's wallet.
    pub voter: Signer<'info>,
    /// The pool (only its address is needed).
    /// CHECK: must be the offer's pool (checked in the handler: `PoolMismatch`).
    pub pool: UncheckedAccount<'info>,
    /// The offer; owner, discriminator and length are checked by `View::load::<Offer>` in the
    /// handler. (Anchor makes the vote record first, so another account here than the offer the
    /// vote record was derived from fails `ConstraintSeeds` before that.)
    /// CHECK: as documented above.
    #[account(mut)]
    pub offer: UncheckedAccount<'info>,
    /// The voter's contributor record (checked in the handler, so a wallet that never contributed
    /// gets `NotEligibleToVote`). It must be a `Contributor` owned by this program whose pool
    /// and wallet are the pool and the signer.
    /// CHECK: as documented above.
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

/// The weight the voter may vote with: its contributor record must be of this pool and wallet,
/// have joined before the offer was made and weigh something.
fn eligible_weight(
    info: &AccountInfo,
    pool: &Pubkey,
    voter: &Pubkey,
    snapshot_count: u64,
) -> Result<u64> {
    use view::contributor as at;
    let c = View::load::<Contributor>(info, at::END, "contributor")
        .map_err(|_| DataPoolError::NotEligibleToVote)?;
    let weight = c.u64(at::WEIGHT);
    require!(
        c.key_is(at::POOL, pool)
            && c.key_is(at::WALLET, voter)
            && c.u64(at::INDEX) < snapshot_count
            && weight > 0,
        DataPoolError::NotEligibleToVote
    );
    Ok(weight)
}

/// Records the vote with the contributor's current weight and adds it to the tally.
pub fn handler(ctx: Context<OfferVote>, approve: bool) -> Result<()> {
    use view::offer as at;
    crate::cu_mark!();
    let a = &mut *ctx.accounts;
    require!(a.vote.version == 0, DataPoolError::AlreadyVoted);
    let mut offer = View::load::<Offer>(&a.offer, at::HEAD_END, "offer")?;
    let pool = a.pool.key();
    require!(offer.key_is(at::POOL, &pool), DataPoolError::PoolMismatch);
    require!(
        offer.u8(at::STATE) == OfferState::Open as u8,
        DataPoolError::OfferNotOpen
    );
    let now = Clock::get()?.unix_timestamp;
    require!(
        now < offer.i64(at::VOTING_ENDS_AT),
        DataPoolError::VotingClosed
    );
    let tally = Tally {
        yes: offer.u128(at::YES_WEIGHT),
        no: offer.u128(at::NO_WEIGHT),
        snapshot_total: offer.u64(at::SNAPSHOT_TOTAL_WEIGHT),
        quorum_bps: offer.u16(at::QUORUM_BPS),
        approval_bps: offer.u16(at::APPROVAL_BPS),
    };
    require!(
        math::decide(&tally, false).is_none(),
        DataPoolError::OfferAlreadyDecided
    );
    let voter = a.voter.key();
    let weight = eligible_weight(
        &a.contributor,
        &pool,
        &voter,
        offer.u64(at::SNAPSHOT_CONTRIBUTOR_COUNT),
    )?;
    crate::cu_mark!();

    let side = if approve {
        at::YES_WEIGHT
    } else {
        at::NO_WEIGHT
    };
    let tallied = if approve { tally.yes } else { tally.no }.add_or_overflow(u128::from(weight))?;
    offer.set_u128(side, tallied);
    let voters = offer.u64(at::VOTER_COUNT).add_or_overflow(1)?;
    offer.set_u64(at::VOTER_COUNT, voters);
    let (yes_weight, no_weight) = (offer.u128(at::YES_WEIGHT), offer.u128(at::NO_WEIGHT));
    drop(offer);
    a.vote.set_inner(Vote {
        version: LAYOUT_VERSION,
        bump: ctx.bumps.vote,
        approve,
        offer: a.offer.key(),
        voter,
        weight,
        cast_at: now,
    });
    crate::cu_mark!();
    emit!(VoteCast {
        pool,
        offer: a.offer.key(),
        voter,
        approve,
        weight,
        yes_weight,
        no_weight,
    });
    crate::cu_mark!();
    Ok(())
}
