//! Datasets a sale delivers: the slice an offer's terms name, built from the canonical records of
//! exactly the contributions in the sale, as Parquet files an ML team opens directly.
//!
//! - `rows`: every play of every contribution under a per-offer pseudonym,
//!   `sha256(domain ‖ offer ‖ data hash)`, and no wallet. The buyer recomputes each pseudonym's
//!   data hash from its rows and checks it against the delivered set ([`verify_rows`]).
//! - `aggregate:k=K`: plays, listeners and listening time by track, by artist and by day, with
//!   every group that fewer than K contributions listened to left out.

mod parquet_io;
mod terms;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use anchor_lang::prelude::Pubkey;
use sha2::{Digest, Sha256};

use crate::spotify::{Record, Records};
pub use parquet_io::{read_aggregate, AggregateRow};
use parquet_io::{write_artists, write_days, write_tracks, AggregateTable, RowsWriter};
pub use terms::{Terms, TERMS_URI_PREFIX, TERMS_VERSION};

/// Domain tag of the per-offer pseudonyms.
pub const PSEUDONYM_DOMAIN: &[u8] = b"DATAPOOL-PSEUDONYM-V1";
/// The smallest k an aggregate slice may use.
pub const MIN_K: u32 = 2;

/// What can be wrong with a slice or a dataset.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DatasetError {
    /// The slice spec does not parse.
    #[error("unknown slice {0:?}: use `rows` or `aggregate:k=N` (N ≥ {MIN_K})")]
    Slice(String),
    /// The terms are not terms.
    #[error("the terms are not data-pool terms: {0}")]
    Terms(String),
    /// Writing or reading Parquet failed.
    #[error("parquet: {0}")]
    Parquet(String),
    /// The delivered rows do not recompute to the delivered set.
    #[error("the rows do not match the delivered set: {0}")]
    Mismatch(String),
}

/// A slice of a pool's data that an offer buys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slice {
    /// Every play under per-offer pseudonyms.
    Rows,
    /// Counts by track, artist and day; groups of fewer than `k` contributions suppressed.
    Aggregate {
        /// The suppression threshold.
        k: u32,
    },
}

impl FromStr for Slice {
    type Err = DatasetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DatasetError::Slice(s.to_string());
        match s.trim() {
            "rows" => Ok(Slice::Rows),
            "aggregate" => Ok(Slice::Aggregate { k: 5 }),
            other => {
                let k = other
                    .strip_prefix("aggregate:k=")
                    .and_then(|k| k.parse::<u32>().ok())
                    .ok_or_else(bad)?;
                if k < MIN_K {
                    return Err(bad());
                }
                Ok(Slice::Aggregate { k })
            }
        }
    }
}

impl fmt::Display for Slice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Slice::Rows => write!(f, "rows"),
            Slice::Aggregate { k } => write!(f, "aggregate:k={k}"),
        }
    }
}

/// The pseudonym of a contribution in an offer's `rows` slice.
pub fn pseudonym(offer: &Pubkey, data_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(PSEUDONYM_DOMAIN);
    h.update(offer.as_ref());
    h.update(data_hash);
    h.finalize().into()
}

/// One file of a dataset, in the clear.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetFile {
    /// Its name (`rows.parquet`, `tracks.parquet`, …).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// Builds a slice one contribution at a time, so a custodian holds one contribution's records
/// at once (plus the aggregate tables, or the current row group).
pub struct SliceBuilder {
    offer: Pubkey,
    kind: Kind,
    contributions: u64,
}

enum Kind {
    Rows(Box<RowsWriter>),
    Aggregate {
        k: u32,
        tracks: AggregateTable<(String, String)>,
        artists: AggregateTable<String>,
        days: AggregateTable<i32>,
    },
}

impl SliceBuilder {
    /// A builder of `slice` for `offer`.
    pub fn new(slice: Slice, offer: Pubkey) -> Result<Self, DatasetError> {
        let kind = match slice {
            Slice::Rows => Kind::Rows(Box::new(RowsWriter::new()?)),
            Slice::Aggregate { k } => Kind::Aggregate {
                k,
                tracks: AggregateTable::default(),
                artists: AggregateTable::default(),
                days: AggregateTable::default(),
            },
        };
        Ok(SliceBuilder {
            offer,
            kind,
            contributions: 0,
        })
    }

    /// Adds one contribution's records.
    pub fn add(&mut self, data_hash: &[u8; 32], records: &Records) -> Result<(), DatasetError> {
        self.contributions += 1;
        match &mut self.kind {
            Kind::Rows(w) => w.add(&pseudonym(&self.offer, data_hash), &records.plays),
            Kind::Aggregate {
                tracks,
                artists,
                days,
                ..
            } => {
                tracks.add(
                    records
                        .plays
                        .iter()
                        .map(|p| ((p.artist.clone(), p.track.clone()), p.ms)),
                );
                artists.add(records.plays.iter().map(|p| (p.artist.clone(), p.ms)));
                days.add(
                    records
                        .plays
                        .iter()
                        .map(|p| ((p.end_minute.div_euclid(1_440)) as i32, p.ms)),
                );
                Ok(())
            }
        }
    }

    /// Contributions added so far.
    pub fn contributions(&self) -> u64 {
        self.contributions
    }

    /// The dataset's files.
    pub fn finish(self) -> Result<Vec<DatasetFile>, DatasetError> {
        match self.kind {
            Kind::Rows(w) => Ok(vec![DatasetFile {
                name: "rows.parquet".into(),
                bytes: w.finish()?,
            }]),
            Kind::Aggregate {
                k,
                tracks,
                artists,
                days,
            } => Ok(vec![
                DatasetFile {
                    name: "tracks.parquet".into(),
                    bytes: write_tracks(tracks, k)?,
                },
                DatasetFile {
                    name: "artists.parquet".into(),
                    bytes: write_artists(artists, k)?,
                },
                DatasetFile {
                    name: "days.parquet".into(),
                    bytes: write_days(days, k)?,
                },
            ]),
        }
    }
}

/// Checks a `rows` file of `offer` against the delivered set: every pseudonym's rows recompute
/// to a data hash whose pseudonym it is, and the recomputed hashes are exactly `expected`.
/// Returns the number of rows.
pub fn verify_rows(
    offer: &Pubkey,
    bytes: Vec<u8>,
    expected: &BTreeSet<[u8; 32]>,
) -> Result<u64, DatasetError> {
    let groups: BTreeMap<[u8; 32], Vec<Record>> = parquet_io::read_rows(bytes)?;
    let mut found = BTreeSet::new();
    let mut rows = 0u64;
    for (p, plays) in &groups {
        rows += plays.len() as u64;
        let h = crate::spotify::hash_of(plays);
        if pseudonym(offer, &h) != *p {
            return Err(DatasetError::Mismatch(format!(
                "pseudonym {} does not belong to the data hash its rows recompute to",
                hex::encode(p)
            )));
        }
        if !expected.contains(&h) {
            return Err(DatasetError::Mismatch(format!(
                "rows recompute to data hash {}, which is not in the delivered set",
                hex::encode(h)
            )));
        }
        found.insert(h);
    }
    if found != *expected {
        return Err(DatasetError::Mismatch(format!(
            "{} of {} delivered contributions have rows",
            found.len(),
            expected.len()
        )));
    }
    Ok(rows)
}

/// Checks that an aggregate file keeps no group below `k` listeners; returns its groups.
pub fn verify_aggregate(bytes: Vec<u8>, k: u32) -> Result<Vec<AggregateRow>, DatasetError> {
    let rows = read_aggregate(bytes)?;
    if let Some(r) = rows.iter().find(|r| r.listeners < u64::from(k)) {
        return Err(DatasetError::Mismatch(format!(
            "group {:?} has {} listeners, below k = {k}",
            r.key, r.listeners
        )));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(seed: u8, n: i64) -> Records {
        Records {
            version: 1,
            plays: (0..n)
                .map(|i| Record {
                    end_minute: 28_000_000 + i * 700,
                    artist: format!("artist {}", (i + i64::from(seed)) % 3),
                    track: format!("track {}", i % 4),
                    ms: 100_000 + u32::from(seed),
                })
                .collect(),
        }
    }

    #[test]
    fn slices_parse_and_print() {
        assert_eq!("rows".parse::<Slice>().unwrap(), Slice::Rows);
        assert_eq!(
            "aggregate".parse::<Slice>().unwrap(),
            Slice::Aggregate { k: 5 }
        );
        assert_eq!(Slice::Aggregate { k: 7 }.to_string(), "aggregate:k=7");
        assert!("aggregate:k=1".parse::<Slice>().is_err());
        assert!("all".parse::<Slice>().is_err());
        let t = Terms::new(Slice::Aggregate { k: 3 }, Some(b"text"));
        assert_eq!(Terms::from_bytes(&t.to_bytes()).unwrap(), t);
        assert!(Terms::from_bytes(br#"{"version":1,"slice":"x"}"#).is_err());
        // Carried in the offer's URI (within the on-chain limit), checked against the hash.
        let uri = t.to_uri();
        assert!(uri.len() <= 200, "{uri}");
        assert_eq!(Terms::of_offer(&t.hash(), &uri), Some(t.clone()));
        assert_eq!(Terms::of_offer(&[0; 32], &uri), None);
        assert_eq!(Terms::of_offer(&t.hash(), "https://example.org/t"), None);
    }

    #[test]
    fn rows_recompute_the_delivered_set() {
        let offer = Pubkey::new_unique();
        let set: Vec<Records> = (0..3).map(|s| records(s, 20 + i64::from(s))).collect();
        let mut b = SliceBuilder::new(Slice::Rows, offer).unwrap();
        let mut hashes = BTreeSet::new();
        for r in &set {
            b.add(&r.hash(), r).unwrap();
            hashes.insert(r.hash());
        }
        let files = b.finish().unwrap();
        assert_eq!(files[0].name, "rows.parquet");
        let bytes = files[0].bytes.clone();
        assert_eq!(verify_rows(&offer, bytes.clone(), &hashes).unwrap(), 63);
        // Under another offer the pseudonyms do not belong.
        assert!(verify_rows(&Pubkey::new_unique(), bytes.clone(), &hashes).is_err());
        // A set with one more contribution than the rows hold.
        let mut more = hashes.clone();
        more.insert([9; 32]);
        assert!(matches!(
            verify_rows(&offer, bytes, &more),
            Err(DatasetError::Mismatch(_))
        ));
        // Rows missing a play of one contribution do not recompute.
        let mut short = SliceBuilder::new(Slice::Rows, offer).unwrap();
        for r in &set {
            let mut r2 = r.clone();
            r2.plays.pop();
            short.add(&r.hash(), &r2).unwrap();
        }
        let sb = short.finish().unwrap().remove(0).bytes;
        assert!(verify_rows(&offer, sb, &hashes).is_err());
    }

    #[test]
    fn aggregates_suppress_small_groups() {
        let offer = Pubkey::new_unique();
        let mut b = SliceBuilder::new(Slice::Aggregate { k: 3 }, offer).unwrap();
        for s in 0..3 {
            b.add(&[s; 32], &records(s, 12)).unwrap();
        }
        // A fourth contribution alone with an artist nobody else plays.
        let mut lonely = records(3, 2);
        lonely.plays[0].artist = "only me".into();
        b.add(&[3; 32], &lonely).unwrap();
        let files = b.finish().unwrap();
        let names: Vec<_> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["tracks.parquet", "artists.parquet", "days.parquet"]);
        let artists = verify_aggregate(files[1].bytes.clone(), 3).unwrap();
        assert!(artists.iter().all(|r| r.key[0] != "only me"));
        assert_eq!(artists.len(), 3);
        let listeners = |a: &str| artists.iter().find(|r| r.key == [a]).unwrap().listeners;
        assert_eq!((listeners("artist 0"), listeners("artist 1")), (3, 4));
        // The same table read with a stricter k is refused.
        assert!(verify_aggregate(files[1].bytes.clone(), 5).is_err());
        let tracks = read_aggregate(files[0].bytes.clone()).unwrap();
        assert!(tracks.iter().all(|r| r.key.len() == 2 && r.listeners >= 3));
        let days = read_aggregate(files[2].bytes.clone()).unwrap();
        assert!(days.iter().all(|r| r.key.len() == 1 && r.listeners >= 3));
        let plays: u64 = days.iter().map(|r| r.plays).sum();
        assert!(plays > 0);
    }
}
