//! One attested contribution of data.

use anchor_lang::prelude::*;

/// Lifecycle of a contribution.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ContributionStatus {
    /// Counts toward the contributor's weight.
    Active,
    /// Withdrawn by its contributor (right to be forgotten).
    Revoked,
    /// Struck out by the authority or its attestor (fraud).
    Invalidated,
}

/// A contribution. PDA `["contribution", pool, data hash]`: the same data enters a pool once.
/// Revoked and invalidated records stay, so the data cannot be resubmitted.
#[account]
#[derive(InitSpace, Debug)]
pub struct Contribution {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Current status.
    pub status: ContributionStatus,
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub contributor: Pubkey,
    /// Canonical hash of the contributed data.
    pub data_hash: [u8; 32],
    /// Score the attestor gave it (its weight while active).
    pub score: u64,
    /// Key of the attestor that signed it.
    pub attestor: Pubkey,
    /// When it was submitted.
    pub submitted_at: i64,
    /// When it was revoked or invalidated (0 while active).
    pub ended_at: i64,
}

impl Contribution {
    /// Whether it counts toward weights.
    pub fn is_active(&self) -> bool {
        self.status == ContributionStatus::Active
    }
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Contribution::INIT_SPACE == 155);
