//! A contributor's record in a pool: one attested contribution, its weight and its reward
//! position, in one account.

use anchor_lang::prelude::*;

use crate::error::DataPoolError;
use crate::math;

/// Lifecycle of a contributor record. A contributor who leaves closes the record, so there is no
/// "revoked" state: the person may come back later as a new record.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, PartialEq, Eq, Debug, InitSpace)]
pub enum ContributionStatus {
    /// Counts toward the pool's weight.
    Active,
    /// Struck out as fraudulent by the authority or its attestor: the record stays (its person
    /// cannot come back) and its rent is forfeited.
    Invalidated,
}

/// A contributor's record: PDA `["contributor", pool, identity commitment]`, so a person holds
/// weight in a pool at most once at a time; resubmitting replaces the record's contribution. A
/// wallet that holds several people's contributions has one record each.
///
/// Rewards: `entitlement = floor((owed_q64 + weight × (pool.acc − acc_checkpoint)) / 2^64)`.
/// `acc_checkpoint` plays the role of the classic reward debt (`weight × checkpoint` is the debt)
/// and `owed_q64` keeps fractions of a base unit, so rounding never pays out more than was
/// distributed and loses less than one base unit per record.
///
/// The identity is the address's seed; it and the data hash are in the record's events (and in the
/// pool's set-history hash). What it was claimed, when
/// it joined and when it ended are in events too, so the record stays at 187 bytes (2,192,400
/// lamports of rent, returned to `payer` when the contributor leaves).
#[account]
#[derive(InitSpace, Debug)]
pub struct Contributor {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Current status.
    pub status: ContributionStatus,
    /// The pool.
    pub pool: Pubkey,
    /// The contributor's wallet.
    pub wallet: Pubkey,
    /// Who paid the record's rent (the wallet, or a relayer): the deposit goes back there.
    pub payer: Pubkey,
    /// Key of the attestor that signed the contribution.
    pub attestor: Pubkey,
    /// Order of arrival in the pool (0-based): the record's bit in each offer's vote bitmap.
    pub index: u64,
    /// The attested score while active, 0 once invalidated.
    pub weight: u64,
    /// Pool accumulator at the last settlement (Q64.64).
    pub acc_checkpoint: u128,
    /// Settled, unclaimed rewards in base units, Q64.64.
    pub owed_q64: u128,
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

    /// Whether it counts toward weights.
    pub fn is_active(&self) -> bool {
        self.status == ContributionStatus::Active
    }
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Contributor::INIT_SPACE == 179);
