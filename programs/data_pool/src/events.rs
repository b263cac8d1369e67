//! Events: one per state change, carrying the accounts and amounts needed to replay a pool.

use anchor_lang::prelude::*;

use crate::state::{DeliveryReceipt, PoolParams};

/// A pool was created.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolCreated {
    /// The pool.
    pub pool: Pubkey,
    /// The pool authority (curator).
    pub authority: Pubkey,
    /// The pool name.
    pub name: String,
    /// The payout mint.
    pub mint: Pubkey,
    /// The payout mint's token program.
    pub token_program: Pubkey,
    /// The reward vault.
    pub vault: Pubkey,
    /// The fee vault.
    pub fee_vault: Pubkey,
    /// Its parameters.
    pub params: PoolParams,
}

/// A pool's parameters changed (they apply to offers created afterwards).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolUpdated {
    /// The pool.
    pub pool: Pubkey,
    /// Its parameters.
    pub params: PoolParams,
}

/// A pool was paused or unpaused.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolPauseChanged {
    /// The pool.
    pub pool: Pubkey,
    /// Whether the pool is now paused.
    pub paused: bool,
}

/// A new authority was proposed (default key: proposal withdrawn).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityProposed {
    /// The pool.
    pub pool: Pubkey,
    /// The pool authority (curator).
    pub authority: Pubkey,
    /// The proposed authority (default key: withdrawn).
    pub proposed: Pubkey,
}

/// The proposed authority accepted.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityChanged {
    /// The pool.
    pub pool: Pubkey,
    /// The authority before the change.
    pub previous: Pubkey,
    /// The pool authority (curator).
    pub authority: Pubkey,
}

/// An attestor was registered (or re-activated).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestorAdded {
    /// The pool.
    pub pool: Pubkey,
    /// The attestor's signing key.
    pub attestor: Pubkey,
}

/// An attestor was deactivated.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestorRemoved {
    /// The pool.
    pub pool: Pubkey,
    /// The attestor's signing key.
    pub attestor: Pubkey,
}

/// A custodian was registered or re-activated.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodianAdded {
    /// The pool.
    pub pool: Pubkey,
    /// The custodian's signing key.
    pub custodian: Pubkey,
}

/// A custodian was deactivated.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodianRemoved {
    /// The pool.
    pub pool: Pubkey,
    /// The custodian's signing key.
    pub custodian: Pubkey,
}

/// A contribution entered the pool, or replaced the same person's earlier one
/// (`previous_score` > 0).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionSubmitted {
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// The contributor record (PDA of the identity commitment).
    pub contribution: Pubkey,
    /// The contributor's identity commitment.
    pub identity: [u8; 32],
    /// Canonical hash of the data.
    pub data_hash: [u8; 32],
    /// The contribution's score (the record's weight).
    pub score: u64,
    /// The score of the contribution this one replaced, 0 when the record is new.
    pub previous_score: u64,
    /// The attestor's signing key.
    pub attestor: Pubkey,
    /// The record's arrival index in the pool (its bit in offers' vote bitmaps).
    pub contributor_index: u64,
    /// Who paid the record's rent (gets it back when the contributor leaves).
    pub payer: Pubkey,
    /// The pool's total weight afterwards.
    pub pool_weight: u64,
    /// The pool's set-history hash afterwards.
    pub set_hash: [u8; 32],
}

/// A contribution left the weights (its contributor left, or it was invalidated).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionRemoved {
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// The contributor record.
    pub contribution: Pubkey,
    /// The contributor's identity commitment.
    pub identity: [u8; 32],
    /// The contribution's score.
    pub score: u64,
    /// True for invalidation (authority or attestor), false when its contributor left.
    pub invalidated: bool,
    /// Who signed the removal.
    pub by: Pubkey,
    /// The pool's total weight afterwards.
    pub pool_weight: u64,
    /// The pool's set-history hash afterwards.
    pub set_hash: [u8; 32],
}

/// An offer was made and its price escrowed.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferCreated {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The offer's index in the pool.
    pub index: u64,
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer price, base units.
    pub price: u64,
    /// sha256 of the terms document.
    pub terms_hash: [u8; 32],
    /// End of voting (unix time, exclusive).
    pub voting_ends_at: i64,
    /// Pool weight when the offer was made.
    pub snapshot_total_weight: u64,
    /// Contributors in the pool when the offer was made.
    pub snapshot_contributor_count: u64,
}

/// A vote was cast.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteCast {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The voter's wallet.
    pub voter: Pubkey,
    /// Approve (true) or reject.
    pub approve: bool,
    /// Weight of the vote.
    pub weight: u64,
    /// Approving weight so far.
    pub yes_weight: u128,
    /// Rejecting weight so far.
    pub no_weight: u128,
}

/// The vote approved an offer: its price waits in escrow for a custodian's delivery until
/// `delivery_deadline`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferApproved {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer price, base units (still in escrow).
    pub price: u64,
    /// The delivery must be recorded before this time.
    pub delivery_deadline: i64,
    /// Approving weight.
    pub yes_weight: u128,
    /// Rejecting weight.
    pub no_weight: u128,
}

/// An approved offer was delivered and settled: the fee to the fee vault, the rest credited to
/// contributors, the receipt on record.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferAccepted {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer price, base units.
    pub price: u64,
    /// Fee paid into the fee vault.
    pub fee: u64,
    /// Amount credited to contributors.
    pub net: u64,
    /// The pool's total weight afterwards.
    pub pool_weight: u64,
    /// Reward accumulator before (Q64.64).
    pub acc_before: u128,
    /// Reward accumulator after (Q64.64).
    pub acc_after: u128,
    /// Approving weight.
    pub yes_weight: u128,
    /// Rejecting weight.
    pub no_weight: u128,
    /// The custodian key that delivered.
    pub custodian: Pubkey,
    /// What was delivered.
    pub receipt: DeliveryReceipt,
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
    /// It passed, but no custodian delivered it before the delivery deadline.
    Undelivered,
}

/// An offer was rejected; `refunded` says whether the price went back at once.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRejected {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer price, base units.
    pub price: u64,
    /// Why it was rejected.
    pub reason: RejectReason,
    /// Whether the price went back to the refund account now (else it waits for `offer_refund`).
    pub refunded: bool,
    /// Approving weight so far.
    pub yes_weight: u128,
    /// Rejecting weight so far.
    pub no_weight: u128,
}

/// The buyer cancelled an undecided offer and got the price back.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferCancelled {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer price, base units.
    pub price: u64,
}

/// An offer that ended without a sale was closed; its rent went back to whoever paid it.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferClosed {
    /// The pool.
    pub pool: Pubkey,
    /// The offer (its record is gone).
    pub offer: Pubkey,
    /// Index among the pool's offers.
    pub index: u64,
    /// How it ended: rejected, cancelled or undelivered.
    pub state: crate::state::OfferState,
    /// Who received the rent.
    pub payer: Pubkey,
    /// Rent returned, lamports.
    pub lamports: u64,
}

/// A pending refund was withdrawn.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferRefunded {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The buyer.
    pub buyer: Pubkey,
    /// The token account paid.
    pub destination: Pubkey,
    /// Amount paid, base units.
    pub amount: u64,
}

/// An offer's voting ended (settled or cancelled) and its vote bitmap was released: the
/// account shrank to its fields and the freed rent went back to the offer's rent payer.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteBitmapReleased {
    /// The pool.
    pub pool: Pubkey,
    /// The offer.
    pub offer: Pubkey,
    /// The offer's rent payer, who got the lamports.
    pub payer: Pubkey,
    /// Bytes released.
    pub bytes: u64,
    /// Lamports paid back.
    pub lamports: u64,
}

/// A contributor claimed a payout.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutClaimed {
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// The contributor record that was owed it.
    pub record: Pubkey,
    /// The token account paid.
    pub destination: Pubkey,
    /// Amount paid, base units.
    pub amount: u64,
    /// The pool's claims so far.
    pub pool_claimed_total: u128,
}

/// The authority withdrew fees from the fee vault.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeesWithdrawn {
    /// The pool.
    pub pool: Pubkey,
    /// The token account paid.
    pub destination: Pubkey,
    /// Amount paid, base units.
    pub amount: u64,
    /// The pool's fee withdrawals so far.
    pub total_withdrawn: u128,
}

/// A contributor left: its record closed and its rent went back to whoever paid it.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributorClosed {
    /// The pool.
    pub pool: Pubkey,
    /// The closed record.
    pub record: Pubkey,
    /// The contributor's wallet.
    pub wallet: Pubkey,
    /// The record's arrival index.
    pub index: u64,
    /// Who got the rent: the record's payer, or the incinerator when an invalidated record was
    /// reaped (its deposit forfeited).
    pub payer: Pubkey,
    /// Lamports returned (the rent, and any sent to the record since).
    pub lamports: u64,
    /// What the record was still owed (Q64.64), left in the vault: below one base unit when its
    /// contributor left; whatever it never claimed when reaped after the claim window.
    pub dust_q64: u128,
    /// Closed by `contributor_reap` after the claim window (not by its contributor).
    pub reaped: bool,
}

/// The authority wound the pool down: no new contributions or offers; the claim window runs.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolWoundDown {
    /// The pool.
    pub pool: Pubkey,
    /// When.
    pub at: i64,
    /// When the claim window ends.
    pub claims_end: i64,
}

/// The authority closed a wound-down pool after its claim window.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolClosed {
    /// The pool.
    pub pool: Pubkey,
    /// Base units left in the reward vault (unclaimed payouts and rounding dust), swept.
    pub swept_rewards: u64,
    /// Base units left in the fee vault, swept.
    pub swept_fees: u64,
    /// Where the sweep went.
    pub destination: Pubkey,
    /// Attestor and custodian records closed with it.
    pub records_closed: u32,
    /// Who got the pool's and the vaults' rent back.
    pub payer: Pubkey,
    /// Lamports returned to `payer` (the pool and its vaults).
    pub lamports: u64,
}
