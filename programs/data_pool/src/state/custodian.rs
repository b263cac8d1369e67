//! A registered custodian: the pool's data service, which builds and delivers what was sold.

use anchor_lang::prelude::*;

/// A custodian registered on a pool. PDA `["custodian", pool, key]`. Removal only deactivates it (the record closes with the pool),
/// so every delivery's custodian stays on record.
#[account]
#[derive(InitSpace, Debug)]
pub struct Custodian {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Whether it may deliver now.
    pub active: bool,
    /// The pool.
    pub pool: Pubkey,
    /// The custodian's signing key.
    pub key: Pubkey,
    /// Deliveries it made.
    pub delivered_count: u64,
    /// When it was (last) added.
    pub added_at: i64,
    /// When it was last removed (0 if never).
    pub removed_at: i64,
    /// Who paid the record's rent: `pool_close` returns it there.
    pub payer: Pubkey,
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Custodian::INIT_SPACE == 123);
