//! Proof of contribution for Spotify listening histories: reading what Spotify hands users (the
//! "Account data" and "Extended streaming history" exports, as files or as the `.zip`), a canonical
//! data hash, and a deterministic, documented score.
//!
//! Privacy: personal fields (IP address, user agent, country) are never deserialized — serde
//! skips them while streaming — so they never leave the machine, enter the hash or reach a log.
//! The account name (`Userdata.json`, or `username` in older extended rows) is read only to be
//! hashed on the spot for the identity commitment ([`identity`]); the name itself is dropped. Memory: JSON is streamed record by record; what is kept per play is 24 bytes plus the
//! interned artist and track names.

mod export;
pub mod identity;
mod read;
mod records;
mod score;

pub use export::{flavor_of, parse_time, ExportError, Flavor, Limits, Listening, Play};
pub use read::{read_paths, read_upload};
pub use records::{hash_of, Record, Records, RecordsError, RECORDS_VERSION};
pub use score::{canonical_hash, score, Breakdown, ScoreRules};
