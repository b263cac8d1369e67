//! Deliveries: the pool's set log (every contribution that entered or left, in order), the
//! commitment it ends in, and the manifest a custodian delivers and records on chain with
//! `offer_deliver`. A buyer verifies a manifest against the on-chain receipt with nothing but the
//! manifest: its hash is the receipt's, and replaying its log gives the receipt's commitment and
//! the delivered set.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use data_pool::commitment::{next_set_hash, SetOp};
use data_pool::state::DeliveryReceipt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::DataPoolEvent;
use crate::history::HistoryEvent;

/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// What can be wrong with a set log or a manifest.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DeliveryError {
    /// A step of the log does not produce the hash it claims.
    #[error("set log step {step} does not hash to the set hash it records: the log was altered")]
    BrokenLog {
        /// Index of the step.
        step: usize,
    },
    /// A step removes a contribution that is not in the set, or adds one twice.
    #[error("set log step {step} {what}")]
    InconsistentLog {
        /// Index of the step.
        step: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The manifest's hash is not the one recorded on chain.
    #[error("the manifest's sha256 {actual} is not the delivery receipt's {expected}")]
    ManifestHash {
        /// Recorded on chain.
        expected: String,
        /// Computed.
        actual: String,
    },
    /// The manifest's set is not the one recorded on chain.
    #[error(
        "the manifest's contribution set ({actual}) is not the delivery receipt's ({expected})"
    )]
    Commitment {
        /// Recorded on chain.
        expected: String,
        /// Replayed from the manifest.
        actual: String,
    },
    /// The manifest lists other contributions than its log leaves active.
    #[error("the manifest lists {listed} contributions but its log leaves {active} active, or other ones")]
    ListedSet {
        /// Listed.
        listed: usize,
        /// Active after the log.
        active: usize,
    },
    /// The manifest is not valid JSON of the expected shape.
    #[error("the manifest is not a delivery manifest: {0}")]
    Malformed(String),
}

/// One change of the pool's active set, with the set-history hash after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetChange {
    /// True when the contribution entered, false when it left.
    pub added: bool,
    /// Its data hash.
    #[serde(with = "hex32")]
    pub data_hash: [u8; 32],
    /// Its score.
    pub score: u64,
    /// The pool's set-history hash afterwards.
    #[serde(with = "hex32")]
    pub set_hash: [u8; 32],
}

/// The commitment of a contribution set: what `offer_deliver` compares with the pool's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Commitment {
    /// Active contributions.
    pub contribution_count: u64,
    /// Σ score of the active contributions.
    pub total_weight: u64,
    /// The set-history hash.
    #[serde(with = "hex32")]
    pub set_hash: [u8; 32],
}

impl Commitment {
    /// The commitment a pool holds now.
    pub fn of_pool(pool: &data_pool::state::Pool) -> Self {
        Commitment {
            contribution_count: pool.active_contribution_count,
            total_weight: pool.total_weight,
            set_hash: pool.set_hash,
        }
    }

    /// The receipt of a delivery of this set whose manifest has sha256 `manifest_hash` and whose
    /// manifest and files take `size` bytes.
    pub fn receipt(&self, manifest_hash: [u8; 32], size: u64) -> DeliveryReceipt {
        DeliveryReceipt {
            manifest_hash,
            size,
            contribution_count: self.contribution_count,
            total_weight: self.total_weight,
            set_hash: self.set_hash,
        }
    }

    /// The commitment a receipt records.
    pub fn of_receipt(r: &DeliveryReceipt) -> Self {
        Commitment {
            contribution_count: r.contribution_count,
            total_weight: r.total_weight,
            set_hash: r.set_hash,
        }
    }
}

impl std::fmt::Display for Commitment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} contributions, weight {}, set hash {}",
            self.contribution_count,
            self.total_weight,
            hex::encode(self.set_hash)
        )
    }
}

/// The set log of a pool from its history, in chain order.
pub fn set_log(history: &[HistoryEvent]) -> Vec<SetChange> {
    history
        .iter()
        .filter_map(|h| match &h.event {
            DataPoolEvent::ContributionSubmitted(e) => Some(SetChange {
                added: true,
                data_hash: e.data_hash,
                score: e.score,
                set_hash: e.set_hash,
            }),
            DataPoolEvent::ContributionRemoved(e) => Some(SetChange {
                added: false,
                data_hash: e.data_hash,
                score: e.score,
                set_hash: e.set_hash,
            }),
            _ => None,
        })
        .collect()
}

/// Replays a set log from the empty set: checks every step's hash and consistency, and returns
/// the active contributions (data hash → score) and the commitment at the end.
pub fn replay(log: &[SetChange]) -> Result<(BTreeMap<[u8; 32], u64>, Commitment), DeliveryError> {
    replay_each(log, |_| {})
}

/// [`replay`], calling `after` with the commitment after each step, in order.
pub fn replay_each(
    log: &[SetChange],
    mut after: impl FnMut(&Commitment),
) -> Result<(BTreeMap<[u8; 32], u64>, Commitment), DeliveryError> {
    let mut set = BTreeMap::new();
    let mut c = Commitment::default();
    for (step, ch) in log.iter().enumerate() {
        let op = if ch.added { SetOp::Add } else { SetOp::Remove };
        let next = next_set_hash(&c.set_hash, op, &ch.data_hash, ch.score);
        if next != ch.set_hash {
            return Err(DeliveryError::BrokenLog { step });
        }
        let bad = |what| DeliveryError::InconsistentLog { step, what };
        if ch.added {
            if set.insert(ch.data_hash, ch.score).is_some() {
                return Err(bad("adds a contribution already in the set"));
            }
            c.contribution_count += 1;
            c.total_weight = c
                .total_weight
                .checked_add(ch.score)
                .ok_or(bad("overflows the weight"))?;
        } else {
            if set.remove(&ch.data_hash) != Some(ch.score) {
                return Err(bad("removes a contribution not in the set"));
            }
            c.contribution_count -= 1;
            c.total_weight -= ch.score;
        }
        c.set_hash = next;
        after(&c);
    }
    Ok((set, c))
}

/// One contribution of a delivered set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    /// Its data hash.
    #[serde(with = "hex32")]
    pub data_hash: [u8; 32],
    /// Its score (its weight in the payout).
    pub score: u64,
}

/// One file of a delivery, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveredFile {
    /// Its name in the delivery.
    pub name: String,
    /// sha256 of the stored (sealed) bytes.
    #[serde(with = "hex32")]
    pub sha256: [u8; 32],
    /// Stored bytes.
    pub size: u64,
    /// sha256 of the file once opened.
    #[serde(with = "hex32")]
    pub plain_sha256: [u8; 32],
}

/// What a custodian delivers for an offer: the set it was built from (the whole log, so anyone
/// recomputes the commitment), the contributions in it and the files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// The program.
    #[serde(with = "b58")]
    pub program: Pubkey,
    /// The pool.
    #[serde(with = "b58")]
    pub pool: Pubkey,
    /// The offer delivered.
    #[serde(with = "b58")]
    pub offer: Pubkey,
    /// The buyer (the only key the files are encrypted to).
    #[serde(with = "b58")]
    pub buyer: Pubkey,
    /// The slice sold (as the offer's terms name it).
    pub slice: String,
    /// The commitment of the delivered set.
    pub commitment: Commitment,
    /// The pool's set log up to the delivered set.
    pub log: Vec<SetChange>,
    /// The delivered contributions, by data hash.
    pub contributions: Vec<Delivered>,
    /// The delivered files.
    pub files: Vec<DeliveredFile>,
}

impl Manifest {
    /// A manifest for `offer` over the set that `log` leaves; `files` are added by the caller.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        program: Pubkey,
        pool: Pubkey,
        offer: Pubkey,
        buyer: Pubkey,
        slice: &str,
        log: Vec<SetChange>,
    ) -> Result<Self, DeliveryError> {
        let (set, commitment) = replay(&log)?;
        Ok(Manifest {
            version: MANIFEST_VERSION,
            program,
            pool,
            offer,
            buyer,
            slice: slice.to_string(),
            commitment,
            log,
            contributions: set
                .into_iter()
                .map(|(data_hash, score)| Delivered { data_hash, score })
                .collect(),
            files: vec![],
        })
    }

    /// The manifest's bytes, as stored and hashed.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Parses stored manifest bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DeliveryError> {
        serde_json::from_slice(bytes).map_err(|e| DeliveryError::Malformed(e.to_string()))
    }

    /// The receipt `offer_deliver` records for this manifest, whose stored bytes are `bytes`.
    pub fn receipt(&self, bytes: &[u8]) -> DeliveryReceipt {
        let files: u64 = self.files.iter().map(|f| f.size).sum();
        self.commitment.receipt(
            Sha256::digest(bytes).into(),
            files.saturating_add(bytes.len() as u64),
        )
    }

    /// Checks stored manifest bytes against an on-chain receipt: the hash, the commitment
    /// replayed from the log, and the listed contributions. Returns the manifest.
    pub fn verify(bytes: &[u8], receipt: &DeliveryReceipt) -> Result<Self, DeliveryError> {
        let actual: [u8; 32] = Sha256::digest(bytes).into();
        if actual != receipt.manifest_hash {
            return Err(DeliveryError::ManifestHash {
                expected: hex::encode(receipt.manifest_hash),
                actual: hex::encode(actual),
            });
        }
        let m = Self::from_bytes(bytes)?;
        let (set, replayed) = replay(&m.log)?;
        let expected = Commitment::of_receipt(receipt);
        if replayed != expected || m.commitment != expected {
            return Err(DeliveryError::Commitment {
                expected: expected.to_string(),
                actual: replayed.to_string(),
            });
        }
        let listed: BTreeMap<[u8; 32], u64> = m
            .contributions
            .iter()
            .map(|d| (d.data_hash, d.score))
            .collect();
        if listed != set || listed.len() != m.contributions.len() {
            return Err(DeliveryError::ListedSet {
                listed: m.contributions.len(),
                active: set.len(),
            });
        }
        Ok(m)
    }
}

mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let v = hex::decode(&s).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map_err(|_| serde::de::Error::custom("expected 64 hex characters"))
    }
}

mod b58 {
    use anchor_lang::prelude::Pubkey;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Pubkey, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(prev: &[u8; 32], added: bool, h: u8, score: u64) -> SetChange {
        let op = if added { SetOp::Add } else { SetOp::Remove };
        SetChange {
            added,
            data_hash: [h; 32],
            score,
            set_hash: next_set_hash(prev, op, &[h; 32], score),
        }
    }

    fn log() -> Vec<SetChange> {
        let a = change(&[0; 32], true, 1, 10);
        let b = change(&a.set_hash, true, 2, 20);
        let c = change(&b.set_hash, false, 1, 10);
        let d = change(&c.set_hash, true, 3, 5);
        vec![a, b, c, d]
    }

    fn manifest() -> Manifest {
        let k = Pubkey::new_unique();
        Manifest::new(k, k, k, k, "rows", log()).unwrap()
    }

    #[test]
    fn replay_gives_the_set_and_commitment() {
        let (set, c) = replay(&log()).unwrap();
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [([2; 32], 20), ([3; 32], 5)]
        );
        assert_eq!(c.contribution_count, 2);
        assert_eq!(c.total_weight, 25);
        assert_eq!(c.set_hash, log()[3].set_hash);
    }

    #[test]
    fn an_altered_log_is_refused() {
        let mut l = log();
        l[1].score = 21;
        assert_eq!(replay(&l), Err(DeliveryError::BrokenLog { step: 1 }));
        let mut l = log();
        l.swap(0, 1);
        assert!(matches!(replay(&l), Err(DeliveryError::BrokenLog { .. })));
    }

    #[test]
    fn a_manifest_verifies_against_its_receipt_and_nothing_else() {
        let m = manifest();
        let bytes = m.to_bytes();
        let receipt = m.receipt(&bytes);
        assert_eq!(Manifest::verify(&bytes, &receipt).unwrap(), m);
        // Tampered bytes: another hash.
        let mut t = bytes.clone();
        t.push(b' ');
        assert!(matches!(
            Manifest::verify(&t, &receipt),
            Err(DeliveryError::ManifestHash { .. })
        ));
        // A manifest listing one contribution fewer, re-hashed into a receipt of the real set.
        let mut short = m.clone();
        short.contributions.pop();
        let sb = short.to_bytes();
        let mut r = receipt;
        r.manifest_hash = Sha256::digest(&sb).into();
        assert!(matches!(
            Manifest::verify(&sb, &r),
            Err(DeliveryError::ListedSet { .. })
        ));
        // A receipt of another set.
        let mut other = receipt;
        other.total_weight += 1;
        assert!(matches!(
            Manifest::verify(&bytes, &other),
            Err(DeliveryError::Commitment { .. })
        ));
    }
}
