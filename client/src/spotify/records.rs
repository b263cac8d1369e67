//! Canonical records: the plays a data hash covers, in canonical order, as a contributor
//! uploads them to the pool's data service and a custodian reads them back to build a slice.
//! They carry no personal field (no IP, user agent, username or country: those are never read).

use serde::{Deserialize, Serialize};

use super::export::Listening;
use super::score::{canonical_plays, hash_plays};

/// Version of the records format.
pub const RECORDS_VERSION: u32 = 1;

/// One play: end minute (unix time / 60), artist, track, milliseconds played.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(
    from = "(i64, String, String, u32)",
    into = "(i64, String, String, u32)"
)]
pub struct Record {
    /// End of the play, unix time / 60.
    pub end_minute: i64,
    /// Artist.
    pub artist: String,
    /// Track.
    pub track: String,
    /// Milliseconds played.
    pub ms: u32,
}

impl From<(i64, String, String, u32)> for Record {
    fn from((end_minute, artist, track, ms): (i64, String, String, u32)) -> Self {
        Record {
            end_minute,
            artist,
            track,
            ms,
        }
    }
}

impl From<Record> for (i64, String, String, u32) {
    fn from(r: Record) -> Self {
        (r.end_minute, r.artist, r.track, r.ms)
    }
}

/// What is wrong with uploaded records.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordsError {
    /// Not the JSON shape.
    #[error("not canonical records: {0}")]
    Malformed(String),
    /// Another format version.
    #[error("records version {0} is not supported (expected {RECORDS_VERSION})")]
    Version(u32),
    /// Plays out of canonical order or repeated.
    #[error("play {0} is out of canonical order or repeats the one before it")]
    Order(usize),
    /// No plays.
    #[error("the records hold no plays")]
    Empty,
}

/// A contribution's canonical records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Records {
    /// Format version ([`RECORDS_VERSION`]).
    pub version: u32,
    /// The plays, sorted by (end minute, artist, track, ms), no two equal.
    pub plays: Vec<Record>,
}

impl Records {
    /// The canonical records of a listening history.
    pub fn of(l: &Listening) -> Self {
        Records {
            version: RECORDS_VERSION,
            plays: canonical_plays(l)
                .into_iter()
                .map(|(end_minute, artist, track, ms)| Record {
                    end_minute,
                    artist: artist.to_string(),
                    track: track.to_string(),
                    ms,
                })
                .collect(),
        }
    }

    /// Their data hash: the one [`super::canonical_hash`] gives for the history they came from.
    pub fn hash(&self) -> [u8; 32] {
        hash_of(&self.plays)
    }

    /// JSON bytes, as uploaded and stored.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Parses and checks uploaded bytes: the version, and canonical order with no repeats (so
    /// one history has exactly one form, and its hash is the attested one or not).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, RecordsError> {
        let r: Records =
            serde_json::from_slice(bytes).map_err(|e| RecordsError::Malformed(e.to_string()))?;
        r.check()?;
        Ok(r)
    }

    /// Checks the version and canonical order with no repeats.
    pub fn check(&self) -> Result<(), RecordsError> {
        if self.version != RECORDS_VERSION {
            return Err(RecordsError::Version(self.version));
        }
        if self.plays.is_empty() {
            return Err(RecordsError::Empty);
        }
        if let Some(i) = self.plays.windows(2).position(|w| w[0] >= w[1]) {
            return Err(RecordsError::Order(i + 1));
        }
        Ok(())
    }
}

/// The data hash of plays in canonical order.
pub fn hash_of(plays: &[Record]) -> [u8; 32] {
    hash_plays(
        plays
            .iter()
            .map(|p| (p.end_minute, p.artist.as_str(), p.track.as_str(), p.ms)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spotify::{canonical_hash, read_upload, Limits};

    const EXPORT: &str = r#"[
      {"ts":"2024-03-01T10:00:00Z","master_metadata_album_artist_name":"B","master_metadata_track_name":"y","ms_played":200000,"ip_addr":"1.2.3.4"},
      {"ts":"2024-03-01T09:00:00Z","master_metadata_album_artist_name":"A","master_metadata_track_name":"x","ms_played":100000},
      {"ts":"2024-03-01T09:00:00Z","master_metadata_album_artist_name":"A","master_metadata_track_name":"x","ms_played":100000}
    ]"#;

    #[test]
    fn records_hash_to_the_canonical_hash_and_round_trip() {
        let l = read_upload(
            "Streaming_History_Audio_2024.json",
            EXPORT.as_bytes(),
            &Limits::default(),
        )
        .unwrap();
        let r = Records::of(&l);
        assert_eq!(r.plays.len(), 2);
        assert_eq!(r.hash(), canonical_hash(&l));
        let bytes = r.to_bytes();
        assert!(!String::from_utf8_lossy(&bytes).contains("1.2.3.4"));
        assert_eq!(Records::from_bytes(&bytes).unwrap(), r);
    }

    #[test]
    fn uncanonical_records_are_refused() {
        let p = |m, a: &str| Record {
            end_minute: m,
            artist: a.into(),
            track: "t".into(),
            ms: 1,
        };
        let bad = Records {
            version: 1,
            plays: vec![p(2, "a"), p(1, "a")],
        };
        assert_eq!(
            Records::from_bytes(&bad.to_bytes()),
            Err(RecordsError::Order(1))
        );
        let dup = Records {
            version: 1,
            plays: vec![p(1, "a"), p(1, "a")],
        };
        assert_eq!(
            Records::from_bytes(&dup.to_bytes()),
            Err(RecordsError::Order(1))
        );
        assert!(matches!(
            Records::from_bytes(b"{}"),
            Err(RecordsError::Malformed(_))
        ));
    }
}
