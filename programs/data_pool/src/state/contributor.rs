//! A contributor's weight and reward position in one pool.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::math;

/// A contributor of a pool. PDA `["contributor", pool, wallet]`.
///
/// Rewards: `entitlement = floor((owed_q64 + weight × (pool.acc − acc_checkpoint)) / 2^64)`.
/// `acc_checkpoint` plays the role of the classic reward debt (`weight × checkpoint` is the debt)
/// and `owed_q64` keeps fractions of a base unit, so rounding never pays out more than was
/// distributed and loses less than one base unit per contributor.
#[account]
#[derive(InitSpace, Debug)]
pub struct Contributor {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub wallet: Pubkey,
    /// Order of arrival in the pool (0-based).
    pub index: u64,
    /// Σ score of the contributor's active contributions.
    pub weight: u64,
    /// Contributions ever submitted.
    pub contribution_count: u32,
    /// Contributions currently active.
    pub active_contribution_count: u32,
    /// Pool accumulator at the last settlement (Q64.64).
    pub acc_checkpoint: u128,
    /// Settled, unclaimed rewards in base units, Q64.64.
    pub owed_q64: u128,
    /// Σ payouts claimed, in base units.
    pub claimed: u128,
    /// When the contributor joined.
    pub joined_at: i64,
    /// Room for future fields.
    pub reserved: [u8; 16],
}

impl Contributor {
    /// Moves everything earned since the last checkpoint into `owed_q64`. Call before any change
    /// of `weight`.
    pub fn settle(&mut self, acc: u128) -> Result<()> {
        self.owed_q64 = math::settle(self.owed_q64, self.weight, self.acc_checkpoint, acc)
            .ok_or(DataPoolError::MathOverflow)?;
        self.acc_checkpoint = acc;
        Ok(())
    }

    /// Whole base units claimable now.
    pub fn entitlement(&self, acc: u128) -> Option<u64> {
        math::entitlement(self.owed_q64, self.weight, self.acc_checkpoint, acc)
    }
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Contributor::INIT_SPACE == 162);
