//! `offer_vote`: an eligible contributor approves or rejects an open offer, once, while its
//! outcome is undecided. Once the votes decide an offer early, the tally is frozen: voters can
//! add weight after the snapshot, so later votes could otherwise flip a decision the buyer and
//! the contributors have already acted on.
//!
//! A vote is one bit in the offer's vote bitmap (see [`Offer`]), indexed by the voter's arrival
//! index: it creates no account and costs no rent. The weight of each vote is in its
//! [`VoteCast`] event, and the tally on the offer is their sum.

use anchor_lang::prelude::*;

use crate::error::{CheckedMath, DataPoolError};
use crate::events::VoteCast;
use crate::math::{self, Tally};
use crate::state::view::{self, View};
use crate::state::{Contributor, Offer, OfferState};

/// Accounts of `offer_vote`. The offer and the contributor record are read and written in place
/// ([`crate::state::view`]): a vote touches a handful of their fields and one bit.
#[derive(Accounts)]
pub struct OfferVote<'info> {
    /// The contributor's wallet.
    pub voter: Signer<'info>,
    /// The pool (only its address is needed).
    /// CHECK: must be the offer's pool (checked in the handler: `PoolMismatch`).
    pub pool: UncheckedAccount<'info>,
    /// The offer, with its vote bitmap; owner, discriminator and length are checked by
    /// `View::load::<Offer>` in the handler.
    /// CHECK: as documented above.
    #[account(mut)]
    pub offer: UncheckedAccount<'info>,
    /// The voter's contributor record (checked in the handler, so a wallet that never contributed
    /// gets `NotEligibleToVote`). It must be a `Contributor` owned by this program whose pool
    /// and wallet are the pool and the signer.
    /// CHECK: as documented above.
    pub contributor: UncheckedAccount<'info>,
}

/// The voter's arrival index and weight: its contributor record must be of this pool and wallet
/// and have joined before the offer was made.
#[cfg_attr(target_arch = "bpf", optimize(speed))]
fn voter_record(
    info: &AccountInfo,
    pool: &Pubkey,
    voter: &Pubkey,
    snapshot_count: u64,
) -> Result<(u64, u64)> {
    use view::contributor as at;
    let c = View::load::<Contributor>(info, at::END, "contributor")
        .map_err(|_| DataPoolError::NotEligibleToVote)?;
    let (index, weight) = (c.u64(at::INDEX), c.u64(at::WEIGHT));
    require!(
        c.key_is(at::POOL, pool) && c.key_is(at::WALLET, voter) && index < snapshot_count,
        DataPoolError::NotEligibleToVote
    );
    Ok((index, weight))
}

/// Marks the voter's bit and adds its current weight to the tally.
#[cfg_attr(target_arch = "bpf", optimize(speed))]
pub fn handler(ctx: Context<OfferVote>, approve: bool) -> Result<()> {
    use view::offer as at;
    crate::cu_mark!();
    let a = &*ctx.accounts;
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
    let (index, weight) = voter_record(
        &a.contributor,
        &pool,
        &voter,
        offer.u64(at::SNAPSHOT_CONTRIBUTOR_COUNT),
    )?;
    // An open offer's bitmap covers every index below the snapshot (it was created so).
    let voted = offer
        .bit(Offer::BITMAP_AT, index)
        .ok_or(DataPoolError::InvariantViolated)?;
    require!(!voted, DataPoolError::AlreadyVoted);
    require!(weight > 0, DataPoolError::NotEligibleToVote);
    offer.set_bit(Offer::BITMAP_AT, index);
    crate::cu_mark!();

    let (yes_weight, no_weight) = if approve {
        (tally.yes.add_or_overflow(u128::from(weight))?, tally.no)
    } else {
        (tally.yes, tally.no.add_or_overflow(u128::from(weight))?)
    };
    offer.set_u128(at::YES_WEIGHT, yes_weight);
    offer.set_u128(at::NO_WEIGHT, no_weight);
    let voters = offer.u64(at::VOTER_COUNT).add_or_overflow(1)?;
    offer.set_u64(at::VOTER_COUNT, voters);
    drop(offer);
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
