//! The pool's commitment to its set of active contributions: count, total weight and a
//! set-history hash, all updated in O(1) whenever a contribution enters or leaves. A delivery
//! names the commitment of the set it was built from, and the program pays only when it equals
//! the pool's at that moment, so the delivered set is the paid set.
//!
//! The set-history hash is a SHA-256 chain over every change of the set, in order:
//! `h' = sha256(SET_HASH_DOMAIN ‖ h ‖ change)`, from 32 zero bytes, where a change is one of
//! - `1 ‖ identity ‖ data_hash ‖ score`: a person's contribution entered;
//! - `2 ‖ identity ‖ score`: it left (its contributor left, or it was invalidated);
//! - `3 ‖ identity ‖ data_hash ‖ score ‖ previous score`: the same person replaced it.
//!
//! Integers are u64 little-endian. A contribution is named by its contributor's identity
//! commitment (one active contribution per identity), so a removal needs no data hash. Two
//! different histories give the same hash only through a SHA-256 collision, and the set is a
//! function of its history, so whoever holds the history (the events, or a delivery's manifest)
//! recomputes the hash and the set together. Unlike an additive or XOR set hash (which an
//! attacker choosing many data hashes breaks with Wagner's generalised birthday attack, or
//! linear algebra), it needs no large state and costs one `sol_sha256` per change.

use solana_sha256_hasher::hashv;

use crate::constants::SET_HASH_DOMAIN;

/// A change of the pool's active set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetChange<'a> {
    /// A person's contribution entered (`contribution_submit`).
    Add {
        /// The contributor's identity commitment.
        identity: &'a [u8; 32],
        /// Canonical hash of the data.
        data_hash: &'a [u8; 32],
        /// Its score.
        score: u64,
    },
    /// A contribution left (`contributor_leave`, `contributor_reap` or `contribution_invalidate`).
    Remove {
        /// The contributor's identity commitment.
        identity: &'a [u8; 32],
        /// Its score.
        score: u64,
    },
    /// The same person replaced their contribution (`contribution_submit` again).
    Replace {
        /// The contributor's identity commitment.
        identity: &'a [u8; 32],
        /// Canonical hash of the new data.
        data_hash: &'a [u8; 32],
        /// The new score.
        score: u64,
        /// The score of the contribution it replaced.
        previous_score: u64,
    },
}

/// The set-history hash after `change`.
pub fn next_set_hash(prev: &[u8; 32], change: &SetChange) -> [u8; 32] {
    match *change {
        SetChange::Add {
            identity,
            data_hash,
            score,
        } => hashv(&[
            SET_HASH_DOMAIN,
            prev,
            &[1],
            identity,
            data_hash,
            &score.to_le_bytes(),
        ]),
        SetChange::Remove { identity, score } => {
            hashv(&[SET_HASH_DOMAIN, prev, &[2], identity, &score.to_le_bytes()])
        }
        SetChange::Replace {
            identity,
            data_hash,
            score,
            previous_score,
        } => hashv(&[
            SET_HASH_DOMAIN,
            prev,
            &[3],
            identity,
            data_hash,
            &score.to_le_bytes(),
            &previous_score.to_le_bytes(),
        ]),
    }
    .to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add<'a>(identity: &'a [u8; 32], data_hash: &'a [u8; 32], score: u64) -> SetChange<'a> {
        SetChange::Add {
            identity,
            data_hash,
            score,
        }
    }

    #[test]
    fn order_and_every_field_change_the_hash() {
        let z = [0u8; 32];
        let (a, b, d) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let ab = next_set_hash(&next_set_hash(&z, &add(&a, &d, 5)), &add(&b, &d, 7));
        let ba = next_set_hash(&next_set_hash(&z, &add(&b, &d, 7)), &add(&a, &d, 5));
        assert_ne!(ab, ba);
        let hashes = [
            next_set_hash(&z, &add(&a, &d, 5)),
            next_set_hash(&z, &add(&a, &d, 6)),
            next_set_hash(&z, &add(&a, &b, 5)),
            next_set_hash(&z, &add(&b, &d, 5)),
            next_set_hash(
                &z,
                &SetChange::Remove {
                    identity: &a,
                    score: 5,
                },
            ),
            next_set_hash(
                &z,
                &SetChange::Replace {
                    identity: &a,
                    data_hash: &d,
                    score: 5,
                    previous_score: 4,
                },
            ),
            next_set_hash(
                &z,
                &SetChange::Replace {
                    identity: &a,
                    data_hash: &d,
                    score: 4,
                    previous_score: 5,
                },
            ),
            z,
        ];
        for (i, x) in hashes.iter().enumerate() {
            for y in &hashes[i + 1..] {
                assert_ne!(x, y);
            }
        }
    }
}
