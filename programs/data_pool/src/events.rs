//! Events: one per state change, carrying the accounts and amounts needed to replay a pool.

use anchor_lang::prelude::*;

/// A pool was created.
#[event]
pub struct PoolCreated {
    pub pool: Pubkey,
    pub authority: Pubkey,
    pub name: String,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub quorum_bps: u16,
    pub approval_bps: u16,
    pub voting_period: i64,
    pub min_offer_price: u64,
    pub max_score: u64,
}

/// A pool's parameters changed (they apply to offers created afterwards).
#[event]
pub struct PoolUpdated {
    pub pool: Pubkey,
    pub treasury: Pubkey,
    pub fee_bps: u16,
    pub quorum_bps: u16,
    pub approval_bps: u16,
    pub voting_period: i64,
    pub min_offer_price: u64,
    pub max_score: u64,
}

/// A pool was paused or unpaused.
#[event]
pub struct PoolPauseChanged {
    pub pool: Pubkey,
    pub paused: bool,
}

/// A new authority was proposed (default key: proposal withdrawn).
#[event]
pub struct AuthorityProposed {
    pub pool: Pubkey,
    pub authority: Pubkey,
    pub proposed: Pubkey,
}

/// The proposed authority accepted.
#[event]
pub struct AuthorityChanged {
    pub pool: Pubkey,
    pub previous: Pubkey,
    pub authority: Pubkey,
}

/// An attestor was registered (or re-activated).
#[event]
pub struct AttestorAdded {
    pub pool: Pubkey,
    pub attestor: Pubkey,
}

/// An attestor was deactivated.
#[event]
pub struct AttestorRemoved {
    pub pool: Pubkey,
    pub attestor: Pubkey,
}

/// A contribution entered the pool.
#[event]
pub struct ContributionSubmitted {
    pub pool: Pubkey,
    pub contributor: Pubkey,
    pub contribution: Pubkey,
    pub data_hash: [u8; 32],
    pub score: u64,
    pub attestor: Pubkey,
    pub contributor_index: u64,
    pub new_contributor: bool,
    pub contributor_weight: u64,
    pub pool_weight: u64,
}

/// A contribution left the weights (revoked by its contributor or invalidated).
#[event]
pub struct ContributionRemoved {
    pub pool: Pubkey,
    pub contributor: Pubkey,
    pub contribution: Pubkey,
    pub score: u64,
    /// True for invalidation (authority or attestor), false for revocation.
    pub invalidated: bool,
    pub by: Pubkey,
    pub contributor_weight: u64,
    pub pool_weight: u64,
}

/// An offer was made and its price escrowed.
#[event]
pub struct OfferCreated {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub index: u64,
    pub buyer: Pubkey,
    pub price: u64,
    pub terms_hash: [u8; 32],
    pub voting_ends_at: i64,
    pub snapshot_total_weight: u64,
    pub snapshot_contributor_count: u64,
}

/// A vote was cast.
#[event]
pub struct VoteCast {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub voter: Pubkey,
    pub approve: bool,
    pub weight: u64,
    pub yes_weight: u128,
    pub no_weight: u128,
}

/// An offer was accepted and settled.
#[event]
pub struct OfferAccepted {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub buyer: Pubkey,
    pub price: u64,
    pub fee: u64,
    pub net: u64,
    pub pool_weight: u64,
    pub acc_before: u128,
    pub acc_after: u128,
    pub yes_weight: u128,
    pub no_weight: u128,
}

/// Why an offer was rejected.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug)]
pub enum RejectReason {
    /// The vote did not pass.
    Vote,
    /// It passed, but the pool had no weight left to pay.
    EmptyPool,
    /// It passed, but crediting it would leave the accumulator's range.
    AccumulatorFull,
}

/// An offer was rejected; `refunded` says whether the price went back at once.
#[event]
pub struct OfferRejected {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub buyer: Pubkey,
    pub price: u64,
    pub reason: RejectReason,
    pub refunded: bool,
    pub yes_weight: u128,
    pub no_weight: u128,
}

/// The buyer cancelled an undecided offer and got the price back.
#[event]
pub struct OfferCancelled {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub buyer: Pubkey,
    pub price: u64,
}

/// A pending refund was withdrawn.
#[event]
pub struct OfferRefunded {
    pub pool: Pubkey,
    pub offer: Pubkey,
    pub buyer: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
}

/// A vote record was closed after its offer ended.
#[event]
pub struct VoteClosed {
    pub offer: Pubkey,
    pub voter: Pubkey,
    pub weight: u64,
}

/// A contributor claimed a payout.
#[event]
pub struct PayoutClaimed {
    pub pool: Pubkey,
    pub contributor: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub claimed_total: u128,
    pub pool_claimed_total: u128,
}
