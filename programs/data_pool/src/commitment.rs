//! The pool's commitment to its set of active contributions: count, total weight and a
//! set-history hash, all updated in O(1) whenever a contribution enters or leaves. A delivery
//! names the commitment of the set it was built from, and the program pays only when it equals
//! the pool's at that moment, so the delivered set is the paid set.
//!
//! The set-history hash is a SHA-256 chain over every change of the set, in order:
//! `h' = sha256(SET_HASH_DOMAIN ‖ h ‖ op ‖ data_hash ‖ score (u64 LE))`, from 32 zero bytes. Two
//! different histories give the same hash only through a SHA-256 collision, and the set is a
//! function of its history, so whoever holds the history (the events, or a delivery's manifest)
//! recomputes the hash and the set together. Unlike an additive or XOR set hash (which an
//! attacker choosing many data hashes breaks with Wagner's generalised birthday attack, or
//! linear algebra), it needs no large state and costs one `sol_sha256` per change.

use solana_sha256_hasher::hashv;

use crate::constants::SET_HASH_DOMAIN;

/// A change of the pool's active set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum SetOp {
    /// A contribution entered (`contribution_submit`).
    Add = 1,
    /// A contribution left (`contributor_leave` or `contribution_invalidate`).
    Remove = 2,
}

/// The set-history hash after `op` of the contribution `data_hash` with `score`.
pub fn next_set_hash(prev: &[u8; 32], op: SetOp, data_hash: &[u8; 32], score: u64) -> [u8; 32] {
    hashv(&[
        SET_HASH_DOMAIN,
        prev,
        &[op as u8],
        data_hash,
        &score.to_le_bytes(),
    ])
    .to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_every_field_change_the_hash() {
        let z = [0u8; 32];
        let (a, b) = ([1u8; 32], [2u8; 32]);
        let ab = next_set_hash(&next_set_hash(&z, SetOp::Add, &a, 5), SetOp::Add, &b, 7);
        let ba = next_set_hash(&next_set_hash(&z, SetOp::Add, &b, 7), SetOp::Add, &a, 5);
        assert_ne!(ab, ba);
        assert_ne!(
            next_set_hash(&z, SetOp::Add, &a, 5),
            next_set_hash(&z, SetOp::Remove, &a, 5)
        );
        assert_ne!(
            next_set_hash(&z, SetOp::Add, &a, 5),
            next_set_hash(&z, SetOp::Add, &a, 6)
        );
        assert_ne!(next_set_hash(&z, SetOp::Add, &a, 5), z);
    }
}
