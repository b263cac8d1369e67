//! A buyer's offer for the pool's data, with its tally.

use anchor_lang::prelude::*;

use crate::constants::{MAX_TERMS_URI_LEN, SEED_OFFER};
use crate::events::VoteBitmapReleased;
use crate::math::{self, Outcome, Tally};

/// Lifecycle of an offer.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum OfferState {
    /// Voting, price in escrow.
    Open,
    /// Sold and delivered: the fee to the fee vault, the rest to contributors, the delivery
    /// receipt on record. The buyer's on-chain license.
    Accepted,
    /// The pool said no (or could not take the sale); the price goes back to the buyer.
    Rejected,
    /// Withdrawn by the buyer before the outcome was decided.
    Cancelled,
    /// Approved by the vote; the price waits in escrow for `offer_deliver` until
    /// `delivery_deadline`.
    AwaitingDelivery,
    /// Approved but not delivered in time; the price goes back to the buyer.
    Undelivered,
}

/// What a custodian delivered, as `offer_deliver` records it: the manifest that describes the
/// delivered files, and the commitment of the contribution set the delivery was built from,
/// which must equal the pool's when it is recorded.
#[derive(
    AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq, Default,
)]
pub struct DeliveryReceipt {
    /// sha256 of the delivery manifest (a JSON document listing the encrypted files).
    pub manifest_hash: [u8; 32],
    /// Total bytes delivered (the manifest and its files, as stored).
    pub size: u64,
    /// Active contributions in the delivered set.
    pub contribution_count: u64,
    /// Σ score of the delivered set.
    pub total_weight: u64,
    /// Set-history hash of the delivered set (see [`crate::commitment`]).
    pub set_hash: [u8; 32],
}

/// An offer. PDA `["offer", pool, index (u64 LE)]`; its escrow is `["escrow", offer]`.
///
/// While it is open, the account carries its **vote bitmap** after the fields (at
/// [`Offer::BITMAP_AT`]): bit `i` (byte `i / 8`, bit `i % 8`, least significant first) is set
/// once the contribution record of arrival index `i` has voted. It is sized at the snapshot
/// (`ceil(snapshot_contributor_count / 8)` bytes) and released when voting ends, its rent back
/// to the offer's payer.
#[account]
#[derive(InitSpace, Debug)]
pub struct Offer {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the escrow PDA.
    pub escrow_bump: u8,
    /// Current state.
    pub state: OfferState,
    /// True while a terminal (rejected or cancelled) offer still holds the price in escrow
    /// because the refund account could not receive it; `offer_refund` clears it.
    pub refund_pending: bool,
    /// The pool.
    pub pool: Pubkey,
    /// Index among the pool's offers.
    pub index: u64,
    /// The buyer.
    pub buyer: Pubkey,
    /// Token account that receives a refund at finalize.
    pub refund_account: Pubkey,
    /// Price in base units of the payout mint (held in escrow while open).
    pub price: u64,
    /// sha256 of the terms document.
    pub terms_hash: [u8; 32],
    /// When it was created.
    pub created_at: i64,
    /// Votes are accepted while `now < voting_ends_at`.
    pub voting_ends_at: i64,
    /// Pool weight at creation.
    pub snapshot_total_weight: u64,
    /// Pool contributor count at creation: contributors with a lower index may vote.
    pub snapshot_contributor_count: u64,
    /// Pool fee at creation, bps.
    pub fee_bps: u16,
    /// Pool quorum at creation, bps.
    pub quorum_bps: u16,
    /// Pool approval threshold at creation, bps.
    pub approval_bps: u16,
    /// Σ weight of approving votes.
    pub yes_weight: u128,
    /// Σ weight of rejecting votes.
    pub no_weight: u128,
    /// Votes cast.
    pub voter_count: u64,
    /// Room for future fields (held the closed-vote-record counts while votes were records).
    pub reserved: [u8; 24],
    /// When the vote's outcome was settled by `offer_finalize`, or the offer cancelled (0 while
    /// open).
    pub decided_at: i64,
    /// Fee paid to the treasury (accepted offers).
    pub fee_paid: u64,
    /// Net amount credited to contributors (accepted offers).
    pub net_distributed: u64,
    /// Pool delivery period at creation, seconds.
    pub delivery_period: i64,
    /// An approved offer must be delivered before this time (0 until approved).
    pub delivery_deadline: i64,
    /// When it was delivered (0 until then).
    pub delivered_at: i64,
    /// The custodian key that delivered it (default until then).
    pub custodian: Pubkey,
    /// The delivery receipt (zero until delivered).
    pub receipt: DeliveryReceipt,
    /// The account that paid the rent of the offer and its escrow: both deposits go back to it
    /// when they close (the escrow when the offer settles, the offer through `offer_close`).
    pub payer: Pubkey,
    /// Where the terms can be read. Last, so every field before it sits at a fixed offset
    /// (see [`crate::state::view`]).
    #[max_len(MAX_TERMS_URI_LEN)]
    pub terms_uri: String,
}

impl Offer {
    /// The tally as the decision rule sees it.
    pub fn tally(&self) -> Tally {
        Tally {
            yes: self.yes_weight,
            no: self.no_weight,
            snapshot_total: self.snapshot_total_weight,
            quorum_bps: self.quorum_bps,
            approval_bps: self.approval_bps,
        }
    }

    /// The outcome at time `now`.
    pub fn outcome(&self, now: i64) -> Option<Outcome> {
        math::decide(&self.tally(), now >= self.voting_ends_at)
    }

    /// Whether the offer has reached a final state.
    pub fn is_terminal(&self) -> bool {
        !matches!(self.state, OfferState::Open | OfferState::AwaitingDelivery)
    }

    /// Offset of the vote bitmap: right after the fields, the terms URI at its maximum length.
    pub const BITMAP_AT: usize = 8 + Offer::INIT_SPACE;

    /// Bytes of a vote bitmap for `snapshot_contributor_count` voters.
    pub fn bitmap_len(snapshot_contributor_count: u64) -> usize {
        usize::try_from(snapshot_contributor_count.div_ceil(8)).unwrap_or(usize::MAX)
    }

    /// Account size of an open offer made at `snapshot_contributor_count` contributors.
    pub fn space(snapshot_contributor_count: u64) -> usize {
        Self::BITMAP_AT.saturating_add(Self::bitmap_len(snapshot_contributor_count))
    }

    /// Ends the vote bitmap of an offer whose voting is over: shrinks the account to its fields
    /// and pays every lamport above their rent to `payer` (the offer's rent payer), with a
    /// [`VoteBitmapReleased`] event. Does nothing to an offer without a bitmap.
    pub fn release_vote_bitmap<'info>(
        offer: &AccountInfo<'info>,
        pool: Pubkey,
        payer: &AccountInfo<'info>,
    ) -> Result<()> {
        let bytes = offer.data_len().saturating_sub(Self::BITMAP_AT);
        if bytes == 0 {
            return Ok(());
        }
        offer.resize(Self::BITMAP_AT)?;
        let keep = Rent::get()?.minimum_balance(Self::BITMAP_AT);
        let lamports = offer.lamports().saturating_sub(keep);
        offer.sub_lamports(lamports)?;
        payer.add_lamports(lamports)?;
        emit!(VoteBitmapReleased {
            pool,
            offer: offer.key(),
            payer: payer.key(),
            bytes: bytes as u64,
            lamports,
        });
        Ok(())
    }

    /// Whether a refund may be pending: the offer ended without a sale.
    pub fn is_refundable(&self) -> bool {
        matches!(
            self.state,
            OfferState::Rejected | OfferState::Cancelled | OfferState::Undelivered
        )
    }

    /// Signer seeds of the offer PDA (it owns the escrow).
    pub fn signer_seeds<'a>(&'a self, index_le: &'a [u8; 8]) -> [&'a [u8]; 4] {
        [
            SEED_OFFER,
            self.pool.as_ref(),
            index_le,
            std::slice::from_ref(&self.bump),
        ]
    }
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Offer::INIT_SPACE == 655);
