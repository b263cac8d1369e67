//! Deliveries: the pool's set log (every contribution that entered or left, in order), the
//! commitment it ends in, and the manifest a custodian delivers and records on chain with
//! `offer_deliver`. A buyer verifies a manifest against the on-chain receipt with nothing but the
//! manifest: its hash is the receipt's, and replaying its log gives the receipt's commitment and
//! the delivered set.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use data_pool::commitment::next_set_hash;
use data_pool::state::DeliveryReceipt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::events::DataPoolEvent;
use crate::history::HistoryEvent;

/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 2;

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

/// What a change did to the pool's active set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// A person's contribution entered.
    Add,
    /// It left (its contributor left, it was reaped or invalidated).
    Remove,
    /// The same person replaced it.
    Replace,
}

/// One change of the pool's active set, with the set-history hash after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetChange {
    /// What happened.
    pub kind: ChangeKind,
    /// The contributor's identity commitment (one active contribution per identity).
    #[serde(with = "hex32")]
    pub identity: [u8; 32],
    /// The data hash that entered (`None` for a removal, which names only the identity).
    #[serde(default, with = "hex32_opt", skip_serializing_if = "Option::is_none")]
    pub data_hash: Option<[u8; 32]>,
    /// The score that entered, or that left for a removal.
    pub score: u64,
    /// For a replacement, the score of the contribution it replaced; 0 otherwise.
    #[serde(default)]
    pub previous_score: u64,
    /// The pool's set-history hash afterwards.
    #[serde(with = "hex32")]
    pub set_hash: [u8; 32],
}

impl SetChange {
    /// The program's view of this change, hashed into the set-history hash; `None` when the
    /// change lacks the data hash its kind needs.
    pub fn to_program(&self) -> Option<data_pool::commitment::SetChange<'_>> {
        use data_pool::commitment::SetChange as P;
        Some(match self.kind {
            ChangeKind::Add => P::Add {
                identity: &self.identity,
                data_hash: self.data_hash.as_ref()?,
                score: self.score,
            },
            ChangeKind::Remove => P::Remove {
                identity: &self.identity,
                score: self.score,
            },
            ChangeKind::Replace => P::Replace {
                identity: &self.identity,
                data_hash: self.data_hash.as_ref()?,
                score: self.score,
                previous_score: self.previous_score,
            },
        })
    }
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
                kind: if e.previous_score > 0 {
                    ChangeKind::Replace
                } else {
                    ChangeKind::Add
                },
                identity: e.identity,
                data_hash: Some(e.data_hash),
                score: e.score,
                previous_score: e.previous_score,
                set_hash: e.set_hash,
            }),
            DataPoolEvent::ContributionRemoved(e) => Some(SetChange {
                kind: ChangeKind::Remove,
                identity: e.identity,
                data_hash: None,
                score: e.score,
                previous_score: 0,
                set_hash: e.set_hash,
            }),
            _ => None,
        })
        .collect()
}

/// The active contributions of a set, by identity commitment.
pub type ActiveSet = BTreeMap<[u8; 32], Delivered>;

/// Replays a set log from the empty set: checks every step's hash and consistency, and returns
/// the active contributions and the commitment at the end.
pub fn replay(log: &[SetChange]) -> Result<(ActiveSet, Commitment), DeliveryError> {
    replay_each(log, |_| {})
}

/// [`replay`], calling `after` with the commitment after each step, in order.
pub fn replay_each(
    log: &[SetChange],
    mut after: impl FnMut(&Commitment),
) -> Result<(ActiveSet, Commitment), DeliveryError> {
    let mut set = ActiveSet::new();
    let mut c = Commitment::default();
    for (step, ch) in log.iter().enumerate() {
        let bad = |what| DeliveryError::InconsistentLog { step, what };
        let change = ch
            .to_program()
            .ok_or(bad("lacks the data hash that entered"))?;
        let next = next_set_hash(&c.set_hash, &change);
        if next != ch.set_hash {
            return Err(DeliveryError::BrokenLog { step });
        }
        let held = set.get(&ch.identity).map(|d| d.score);
        let entered = Delivered {
            identity: ch.identity,
            data_hash: ch.data_hash.unwrap_or_default(),
            score: ch.score,
        };
        let (count, weight) = match ch.kind {
            ChangeKind::Add if held.is_none() => {
                set.insert(ch.identity, entered);
                (
                    c.contribution_count.checked_add(1),
                    c.total_weight.checked_add(ch.score),
                )
            }
            ChangeKind::Remove if held == Some(ch.score) => {
                set.remove(&ch.identity);
                (
                    c.contribution_count.checked_sub(1),
                    c.total_weight.checked_sub(ch.score),
                )
            }
            ChangeKind::Replace if held == Some(ch.previous_score) => {
                set.insert(ch.identity, entered);
                let w = c.total_weight.checked_sub(ch.previous_score);
                (
                    Some(c.contribution_count),
                    w.and_then(|w| w.checked_add(ch.score)),
                )
            }
            ChangeKind::Add => return Err(bad("adds a person already in the set")),
            _ => return Err(bad("removes or replaces a contribution not in the set")),
        };
        c.contribution_count = count.ok_or(bad("overflows the count"))?;
        c.total_weight = weight.ok_or(bad("overflows the weight"))?;
        c.set_hash = next;
        after(&c);
    }
    Ok((set, c))
}

/// One contribution of a delivered set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    /// Its contributor's identity commitment.
    #[serde(with = "hex32")]
    pub identity: [u8; 32],
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
    /// A manifest for `offer` over the set that `log` leaves, from the log already replayed
    /// (`replayed` is [`replay`]`(&log)`); `files` are added by the caller.
    #[allow(clippy::too_many_arguments)]
    pub fn of_replayed(
        program: Pubkey,
        pool: Pubkey,
        offer: Pubkey,
        buyer: Pubkey,
        slice: &str,
        log: Vec<SetChange>,
        (set, commitment): (ActiveSet, Commitment),
    ) -> Self {
        Manifest {
            version: MANIFEST_VERSION,
            program,
            pool,
            offer,
            buyer,
            slice: slice.to_string(),
            commitment,
            log,
            contributions: set.into_values().collect(),
            files: vec![],
        }
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
        let listed: ActiveSet = m.contributions.iter().map(|d| (d.identity, *d)).collect();
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

mod hex32_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<[u8; 32]>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => super::hex32::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[u8; 32]>, D::Error> {
        let Some(s) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        let v = hex::decode(&s).map_err(serde::de::Error::custom)?;
        v.try_into()
            .map(Some)
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

    /// A change of person `p` (data hash `[h; 32]`), hashed after `prev`.
    fn change(prev: &[u8; 32], kind: ChangeKind, p: u8, h: u8, scores: (u64, u64)) -> SetChange {
        let mut c = SetChange {
            kind,
            identity: [p; 32],
            data_hash: (kind != ChangeKind::Remove).then_some([h; 32]),
            score: scores.0,
            previous_score: scores.1,
            set_hash: [0; 32],
        };
        c.set_hash = next_set_hash(prev, &c.to_program().unwrap());
        c
    }

    fn log() -> Vec<SetChange> {
        use ChangeKind::*;
        let a = change(&[0; 32], Add, 1, 1, (10, 0));
        let b = change(&a.set_hash, Add, 2, 2, (20, 0));
        let c = change(&b.set_hash, Remove, 1, 0, (10, 0));
        let d = change(&c.set_hash, Add, 3, 3, (5, 0));
        let e = change(&d.set_hash, Replace, 2, 4, (7, 20));
        vec![a, b, c, d, e]
    }

    fn manifest() -> Manifest {
        let k = Pubkey::new_unique();
        let log = log();
        let replayed = replay(&log).unwrap();
        Manifest::of_replayed(k, k, k, k, "rows", log, replayed)
    }

    #[test]
    fn replay_gives_the_set_and_commitment() {
        let (set, c) = replay(&log()).unwrap();
        assert_eq!(
            set.into_values()
                .map(|d| (d.identity[0], d.data_hash[0], d.score))
                .collect::<Vec<_>>(),
            [(2, 4, 7), (3, 3, 5)]
        );
        assert_eq!(c.contribution_count, 2);
        assert_eq!(c.total_weight, 12);
        assert_eq!(c.set_hash, log()[4].set_hash);
    }

    #[test]
    fn an_altered_log_is_refused() {
        let mut l = log();
        l[1].score = 21;
        assert_eq!(replay(&l), Err(DeliveryError::BrokenLog { step: 1 }));
        let mut l = log();
        l.swap(0, 1);
        assert!(matches!(replay(&l), Err(DeliveryError::BrokenLog { .. })));
        let mut l = log();
        l[4].previous_score = 19;
        assert_eq!(replay(&l), Err(DeliveryError::BrokenLog { step: 4 }));
    }

    #[test]
    fn a_log_that_replaces_or_removes_a_stranger_is_refused() {
        use ChangeKind::*;
        let a = change(&[0; 32], Add, 1, 1, (10, 0));
        let wrong = change(&a.set_hash, Replace, 2, 2, (7, 10));
        assert!(matches!(
            replay(&[a, wrong]),
            Err(DeliveryError::InconsistentLog { step: 1, .. })
        ));
        let twice = change(&a.set_hash, Add, 1, 2, (7, 0));
        assert!(matches!(
            replay(&[a, twice]),
            Err(DeliveryError::InconsistentLog { step: 1, .. })
        ));
        let short = change(&a.set_hash, Remove, 1, 0, (9, 0));
        assert!(matches!(
            replay(&[a, short]),
            Err(DeliveryError::InconsistentLog { step: 1, .. })
        ));
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
