//! One person, one contribution: the identity commitment an attestor puts in its attestation.
//!
//! The program keeps one active contribution per identity commitment per pool, so the attestor
//! must give the same person the same commitment whatever file they bring, and never reveal who
//! that person is. It works from two kinds of evidence:
//!
//! - **The Spotify account**, where the export names it: `Userdata.json` of the "Account data"
//!   export, or the `username` field of older extended-history rows. Strong: the same account
//!   always gives the same commitment. An export whose rows name several accounts is refused.
//! - **A listening fingerprint**, always: two min-hash signatures over the qualifying plays, one
//!   over the set of tracks (artist and title) and one over the set of ten-minute slots in which
//!   they ended. A file changed by a few plays, split in two by time (same tracks) or by track
//!   (same sessions), or reformatted into the other export flavour, shares most of one of those
//!   sets with the original, and is matched to it.
//!
//! Matching needs memory: an [`IdentityIndex`] (a JSON-lines file the attestor keeps) holds each
//! attested export's keyed evidence and the identity it was given. A new export that matches one
//! identity gets it; one that matches none gets a new identity; one that matches several (two
//! people's exports merged) is refused. Everything stored is keyed with the attestor's
//! [`IdentityKey`]: without it, neither the fingerprints nor the commitments say whose they are,
//! and commitments of the same person differ between pools.
//!
//! How strong each part is, and what still gets through, is in `docs/SCORE.md`.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::export::Listening;
use super::score::QUALIFYING_MS;

/// Min-hash values per signature: the similarity estimate's standard error is about
/// `sqrt(J(1−J)/64)`, under 0.07.
pub const SIGNATURE_LEN: usize = 64;
/// One export is part of another (a piece of a split, or the original inside a merge) when at
/// least this share of its tracks, or of its listening slots, is in the other (estimated)…
pub const PART_CONTAINMENT: f64 = 0.5;
/// …they share at least this many of them (small exports of popular songs do not match)…
pub const PART_MIN_SHARED: f64 = 20.0;
/// …and neither set is more than this many times the other's size (a casual listener's few hits
/// are not "part of" a heavy listener's thousands of tracks).
pub const PART_MAX_RATIO: f64 = 4.0;
/// Exports of any size are the same listening when both their tracks and their slots are at
/// least this similar (Jaccard): one play changed, a few removed or added.
pub const NEAR_IDENTICAL: f64 = 0.7;
/// An export holds all of another's listening (a merge, whatever the sizes) when at least this
/// share of the smaller one's tracks and of its slots are in the larger one.
pub const HOLDS_ALL: f64 = 0.8;
/// Width of a listening slot, in minutes.
pub const SLOT_MINUTES: i64 = 10;

/// Domain of the unkeyed digest of an account name, taken as soon as it is read.
pub const ACCOUNT_DOMAIN: &[u8] = b"DATAPOOL-SPOTIFY-ACCOUNT-V1";
const COMMITMENT_DOMAIN: &[u8] = b"DATAPOOL-IDENTITY-V1";

/// The unkeyed digest of a Spotify account name (case and surrounding space ignored): the reader
/// keeps this, never the name.
pub fn account_digest(username: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(ACCOUNT_DOMAIN);
    h.update(username.trim().to_lowercase().as_bytes());
    h.finalize().into()
}

/// The attestor's secret for identities: keys every fingerprint and commitment. Attestors of one
/// pool must share it, or one person gets one commitment per attestor.
#[derive(Clone)]
pub struct IdentityKey([u8; 32]);

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityKey(…)")
    }
}

impl IdentityKey {
    /// A key from its 32 bytes.
    pub fn new(bytes: [u8; 32]) -> Self {
        IdentityKey(bytes)
    }

    /// The key an attestor uses when none is configured: derived from its signing key's secret,
    /// so the CLI, the service and their tests agree on it.
    pub fn of_attestor(attestor: &solana_keypair::Keypair) -> Self {
        let mut h = Sha256::new();
        h.update(b"DATAPOOL-IDENTITY-KEY-V1");
        h.update(attestor.secret_bytes());
        IdentityKey(h.finalize().into())
    }

    /// Reads a key file: 64 hex characters.
    pub fn read(path: &Path) -> Result<Self, IdentityError> {
        let bad = |detail: String| IdentityError::Key {
            path: path.display().to_string(),
            detail,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let bytes = hex::decode(text.trim()).map_err(|_| bad("not hex".into()))?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| bad("must be 32 bytes (64 hex characters)".into()))?;
        Ok(IdentityKey(bytes))
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        for p in parts {
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// The commitment of identity `id` in `pool`: what the attestation carries and the program's
    /// record address is derived from.
    pub fn commitment(&self, pool: &Pubkey, id: &[u8; 32]) -> [u8; 32] {
        self.mac(&[COMMITMENT_DOMAIN, pool.as_ref(), id])
    }
}

/// A min-hash signature of a set: its size and, per hash function, the least hash of a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Members of the set.
    pub size: u64,
    /// The least value of each of the [`SIGNATURE_LEN`] hash functions.
    pub mins: [u64; SIGNATURE_LEN],
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Signature {
    /// The signature of a set of (already keyed) 64-bit member hashes.
    pub fn of(members: &BTreeSet<u64>) -> Self {
        let mut mins = [u64::MAX; SIGNATURE_LEN];
        for &m in members {
            for (i, min) in mins.iter_mut().enumerate() {
                *min = (*min).min(mix(m ^ mix(i as u64 + 1)));
            }
        }
        Signature {
            size: members.len() as u64,
            mins,
        }
    }

    /// The estimated similarity of two sets.
    pub fn similarity(&self, other: &Signature) -> Similarity {
        if self.size == 0 || other.size == 0 {
            return Similarity::default();
        }
        let equal = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        let jaccard = equal as f64 / SIGNATURE_LEN as f64;
        let (small, large) = (
            self.size.min(other.size) as f64,
            self.size.max(other.size) as f64,
        );
        let shared = jaccard * (small + large) / (1.0 + jaccard);
        Similarity {
            jaccard,
            containment: shared / small,
            shared,
            ratio: large / small,
        }
    }
}

/// How alike two sets are, estimated from their signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Similarity {
    /// |A ∩ B| / |A ∪ B|.
    pub jaccard: f64,
    /// Share of the smaller set found in the larger.
    pub containment: f64,
    /// Members shared.
    pub shared: f64,
    /// Larger size over smaller size.
    pub ratio: f64,
}

impl Similarity {
    /// Whether the smaller set is most likely a part of the larger one's listening.
    pub fn is_part(&self) -> bool {
        self.containment >= PART_CONTAINMENT
            && self.shared >= PART_MIN_SHARED
            && self.ratio <= PART_MAX_RATIO
    }
}

/// What identifies the person behind one export, keyed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The keyed account digest, where the export names the account.
    pub account: Option<[u8; 32]>,
    /// Signature of the set of tracks played.
    pub tracks: Signature,
    /// Signature of the set of ten-minute slots played in.
    pub slots: Signature,
}

/// Why no identity could be given.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    /// The rows name more than one Spotify account.
    #[error("the export's rows come from {0} Spotify accounts: bring one person's export")]
    SeveralAccounts(usize),
    /// The export matches more than one person's earlier export.
    #[error("the export matches {0} people's earlier exports: bring one person's export, not several merged")]
    Merged(usize),
    /// The identity key file could not be used.
    #[error("identity key {path}: {detail}")]
    Key {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
    /// The identity index could not be read or written.
    #[error("identity index {path}: {detail}")]
    Index {
        /// The file.
        path: String,
        /// What is wrong.
        detail: String,
    },
}

impl Evidence {
    /// The keyed evidence of `listening`: its account if named, and the fingerprints of its
    /// qualifying plays.
    pub fn of(listening: &Listening, key: &IdentityKey) -> Result<Self, IdentityError> {
        if listening.accounts.len() > 1 {
            return Err(IdentityError::SeveralAccounts(listening.accounts.len()));
        }
        let account = listening
            .accounts
            .iter()
            .next()
            .map(|a| key.mac(&[b"account", a]));
        let member = |tag: &[u8], bytes: &[u8]| {
            let h = key.mac(&[tag, bytes]);
            u64::from_le_bytes(h[..8].try_into().expect("8 bytes"))
        };
        let mut tracks = BTreeSet::new();
        let mut slots = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for p in listening.plays.iter().filter(|p| p.ms >= QUALIFYING_MS) {
            if seen.insert((p.artist, p.track)) {
                let name = format!(
                    "{}\u{1f}{}",
                    listening.name(p.artist).to_lowercase(),
                    listening.name(p.track).to_lowercase()
                );
                tracks.insert(member(b"track", name.as_bytes()));
            }
            let slot = p.end_minute.div_euclid(SLOT_MINUTES);
            slots.insert(member(b"slot", &slot.to_le_bytes()));
        }
        Ok(Evidence {
            account,
            tracks: Signature::of(&tracks),
            slots: Signature::of(&slots),
        })
    }

    /// Whether two exports are most likely the same person's: the same account; one a part of
    /// the other by its tracks (a split by time, a merge) or by its listening slots (a split by
    /// track); near-identical listening; or one holding all the other's tracks and slots (a
    /// merge, whatever the sizes).
    pub fn same_person(&self, other: &Evidence) -> bool {
        if matches!((&self.account, &other.account), (Some(a), Some(b)) if a == b) {
            return true;
        }
        let tracks = self.tracks.similarity(&other.tracks);
        let slots = self.slots.similarity(&other.slots);
        tracks.is_part()
            || slots.is_part()
            || (tracks.jaccard >= NEAR_IDENTICAL && slots.jaccard >= NEAR_IDENTICAL)
            || (tracks.containment >= HOLDS_ALL && slots.containment >= HOLDS_ALL)
    }

    /// The identity a first export gets: its account's, or its fingerprint's.
    fn new_identity(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        match &self.account {
            Some(a) => {
                h.update(b"account");
                h.update(a);
            }
            None => {
                h.update(b"fingerprint");
                for s in [&self.tracks, &self.slots] {
                    h.update(s.size.to_le_bytes());
                    for m in s.mins {
                        h.update(m.to_le_bytes());
                    }
                }
            }
        }
        h.finalize().into()
    }
}

/// One attested export in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    /// The pool it was attested for.
    pub pool: Pubkey,
    /// The identity it was given (keyed: not the commitment, which also depends on the pool).
    pub id: [u8; 32],
    /// Its evidence.
    pub evidence: Evidence,
}

/// The identity an export resolves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The identity.
    pub id: [u8; 32],
    /// The commitment the attestation carries.
    pub commitment: [u8; 32],
    /// True when an earlier export of the same person was found (the contribution replaces
    /// theirs, or is refused for another wallet).
    pub known: bool,
}

/// The attestor's memory of what it attested: evidence and identity per export, per pool, in a
/// JSON-lines file that only grows (or in memory). Lookup is a linear scan: about 2 µs per entry,
/// so tens of thousands of contributors per pool cost milliseconds.
#[derive(Debug, Default)]
pub struct IdentityIndex {
    path: Option<PathBuf>,
    entries: Vec<IndexEntry>,
}

#[derive(Serialize, Deserialize)]
struct RawEntry {
    pool: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    tracks: RawSignature,
    slots: RawSignature,
}

#[derive(Serialize, Deserialize)]
struct RawSignature {
    size: u64,
    mins: String,
}

impl RawSignature {
    fn of(s: &Signature) -> Self {
        let bytes: Vec<u8> = s.mins.iter().flat_map(|m| m.to_le_bytes()).collect();
        RawSignature {
            size: s.size,
            mins: hex::encode(bytes),
        }
    }

    fn parse(&self) -> Option<Signature> {
        let bytes = hex::decode(&self.mins).ok()?;
        if bytes.len() != SIGNATURE_LEN * 8 {
            return None;
        }
        let mut mins = [0u64; SIGNATURE_LEN];
        for (m, c) in mins.iter_mut().zip(bytes.chunks_exact(8)) {
            *m = u64::from_le_bytes(c.try_into().ok()?);
        }
        Some(Signature {
            size: self.size,
            mins,
        })
    }
}

fn hex32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

impl RawEntry {
    fn of(e: &IndexEntry) -> Self {
        RawEntry {
            pool: e.pool.to_string(),
            id: hex::encode(e.id),
            account: e.evidence.account.map(hex::encode),
            tracks: RawSignature::of(&e.evidence.tracks),
            slots: RawSignature::of(&e.evidence.slots),
        }
    }

    fn parse(&self) -> Option<IndexEntry> {
        Some(IndexEntry {
            pool: self.pool.parse().ok()?,
            id: hex32(&self.id)?,
            evidence: Evidence {
                account: match &self.account {
                    Some(a) => Some(hex32(a)?),
                    None => None,
                },
                tracks: self.tracks.parse()?,
                slots: self.slots.parse()?,
            },
        })
    }
}

impl IdentityIndex {
    /// An index kept in memory only (tests, one-off runs).
    pub fn in_memory() -> Self {
        IdentityIndex::default()
    }

    /// Opens the index file at `path` (created on first write). A line that does not parse is an
    /// error naming it: the index decides who may contribute, so it is never skipped silently.
    pub fn open(path: &Path) -> Result<Self, IdentityError> {
        let bad = |detail: String| IdentityError::Index {
            path: path.display().to_string(),
            detail,
        };
        let mut entries = Vec::new();
        match std::fs::File::open(path) {
            Ok(f) => {
                for (n, line) in std::io::BufReader::new(f).lines().enumerate() {
                    let line = line.map_err(|e| bad(e.to_string()))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    let entry = serde_json::from_str::<RawEntry>(&line)
                        .ok()
                        .and_then(|r| r.parse())
                        .ok_or_else(|| bad(format!("line {} is not an index entry", n + 1)))?;
                    entries.push(entry);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(bad(e.to_string())),
        }
        Ok(IdentityIndex {
            path: Some(path.to_path_buf()),
            entries,
        })
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The identity of an export with `evidence` in `pool`: that of the one person whose earlier
    /// exports it matches, or a new one; refused when it matches several people.
    pub fn resolve(
        &self,
        key: &IdentityKey,
        pool: &Pubkey,
        evidence: &Evidence,
    ) -> Result<Resolved, IdentityError> {
        let ids: BTreeSet<[u8; 32]> = self
            .entries
            .iter()
            .filter(|e| e.pool == *pool && e.evidence.same_person(evidence))
            .map(|e| e.id)
            .collect();
        let (id, known) = match ids.len() {
            0 => (evidence.new_identity(), false),
            1 => (*ids.iter().next().expect("one"), true),
            n => return Err(IdentityError::Merged(n)),
        };
        Ok(Resolved {
            id,
            commitment: key.commitment(pool, &id),
            known,
        })
    }

    /// Remembers an attested export (appends it to the file and syncs it, before the attestation
    /// is handed out). An export already held under the same identity is not stored twice.
    pub fn record(
        &mut self,
        pool: &Pubkey,
        id: [u8; 32],
        evidence: Evidence,
    ) -> Result<(), IdentityError> {
        let entry = IndexEntry {
            pool: *pool,
            id,
            evidence,
        };
        if self.entries.contains(&entry) {
            return Ok(());
        }
        if let Some(path) = &self.path {
            let bad = |e: std::io::Error| IdentityError::Index {
                path: path.display().to_string(),
                detail: e.to_string(),
            };
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(bad)?;
            }
            let mut line = serde_json::to_string(&RawEntry::of(&entry)).unwrap_or_default();
            line.push('\n');
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(bad)?;
            f.write_all(line.as_bytes()).map_err(bad)?;
            f.sync_data().map_err(bad)?;
        }
        self.entries.push(entry);
        Ok(())
    }
}

/// An attestor's identity key and index, shared by concurrent requests.
#[derive(Debug)]
pub struct Identities {
    key: IdentityKey,
    index: std::sync::Mutex<IdentityIndex>,
}

impl Identities {
    /// Identities under `key`, remembered in `index`.
    pub fn new(key: IdentityKey, index: IdentityIndex) -> Self {
        Identities {
            key,
            index: std::sync::Mutex::new(index),
        }
    }

    /// The identity to attest `listening` under in `pool`, recorded in the index.
    pub fn identify(
        &self,
        pool: &Pubkey,
        listening: &Listening,
    ) -> Result<Resolved, IdentityError> {
        let evidence = Evidence::of(listening, &self.key)?;
        let mut index = self.index.lock().unwrap_or_else(|p| p.into_inner());
        let resolved = index.resolve(&self.key, pool, &evidence)?;
        index.record(pool, resolved.id, evidence)?;
        Ok(resolved)
    }

    /// Exports remembered.
    pub fn len(&self) -> usize {
        self.index.lock().map(|i| i.len()).unwrap_or(0)
    }

    /// Whether none is remembered yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
