//! One contributor's vote on one offer.

use anchor_lang::prelude::*;

/// A vote. PDA `["vote", offer, voter]`: one per contributor per offer. Final once cast.
#[account]
#[derive(InitSpace, Debug)]
pub struct Vote {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Approve (true) or reject (false).
    pub approve: bool,
    /// The offer.
    pub offer: Pubkey,
    /// The voter's wallet (receives the rent back on close).
    pub voter: Pubkey,
    /// The voter's weight when the vote was cast.
    pub weight: u64,
    /// When it was cast.
    pub cast_at: i64,
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Vote::INIT_SPACE == 83);
