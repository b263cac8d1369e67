//! A registered proof-of-contribution validator.

use anchor_lang::prelude::*;

/// An attestor registered on a pool. PDA `["attestor", pool, key]`. Removal only deactivates it (the record closes with the pool),
/// so every contribution's attestor stays on record.
#[account]
#[derive(InitSpace, Debug)]
pub struct Attestor {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Whether its attestations are accepted now.
    pub active: bool,
    /// The pool.
    pub pool: Pubkey,
    /// The attestor's ed25519 signing key.
    pub key: Pubkey,
    /// Contributions it attested that entered the pool.
    pub attested_count: u64,
    /// When it was (last) added.
    pub added_at: i64,
    /// When it was last removed (0 if never).
    pub removed_at: i64,
    /// Who paid the record's rent: `pool_close` returns it there.
    pub payer: Pubkey,
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Attestor::INIT_SPACE == 123);
