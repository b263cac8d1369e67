//! What a Spotify export is made of: its flavours, the reader's limits, the errors, the plays
//! kept, and the file names and timestamps Spotify uses.

use std::collections::HashMap;

/// Which export a file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// "Account data": `StreamingHistory_music_N.json` / `StreamingHistoryN.json`.
    AccountMusic,
    /// "Account data" podcasts: recognised, not counted.
    AccountPodcast,
    /// "Extended streaming history": `Streaming_History_Audio_*.json` / `endsong_N.json`.
    Extended,
}

/// Limits against oversized input and zip bombs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest single JSON file (uncompressed), bytes.
    pub max_file_bytes: u64,
    /// Largest total of all JSON read, bytes.
    pub max_total_bytes: u64,
    /// Largest compression ratio of a zip entry.
    pub max_zip_ratio: u64,
    /// Plays after this unix time are refused (the future).
    pub now: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 1 << 30,
            max_total_bytes: 4 << 30,
            max_zip_ratio: 200,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(i64::MAX),
        }
    }
}

/// Earliest play accepted: 2008-01-01 00:00 UTC (Spotify launched in October 2008).
pub const EARLIEST: i64 = 1_199_145_600;

/// Why an export was refused. Always names the file, and the record when there is one.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    /// Could not be opened or read.
    #[error("{file}: cannot read: {detail}")]
    Io {
        /// The file.
        file: String,
        /// The OS error.
        detail: String,
    },
    /// Not JSON (or not a JSON array of records).
    #[error("{file}: not JSON of a Spotify export: {detail}")]
    NotJson {
        /// The file.
        file: String,
        /// Where and what.
        detail: String,
    },
    /// A record without the fields of its flavour.
    #[error("{file}: record {index}: not a Spotify play: {detail}")]
    BadRecord {
        /// The file.
        file: String,
        /// 0-based record index.
        index: u64,
        /// What is missing or wrong.
        detail: String,
    },
    /// A negative duration.
    #[error("{file}: record {index}: negative duration {ms} ms")]
    NegativeDuration {
        /// The file.
        file: String,
        /// 0-based record index.
        index: u64,
        /// The duration.
        ms: i64,
    },
    /// Before 2008 or in the future.
    #[error("{file}: record {index}: timestamp {ts:?} is {why}")]
    BadTime {
        /// The file.
        file: String,
        /// 0-based record index.
        index: u64,
        /// The timestamp as written.
        ts: String,
        /// "before 2008", "in the future" or "not a timestamp".
        why: &'static str,
    },
    /// Over a size limit.
    #[error("{file}: too large ({bytes} bytes; the limit is {limit})")]
    TooLarge {
        /// The file.
        file: String,
        /// Bytes seen.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A zip entry that expands far beyond its compressed size.
    #[error("{file}: zip entry {entry} expands {ratio}× (limit {limit}×): refusing a zip bomb")]
    ZipBomb {
        /// The zip.
        file: String,
        /// The entry.
        entry: String,
        /// Expansion seen.
        ratio: u64,
        /// The limit.
        limit: u64,
    },
    /// A broken zip.
    #[error("{file}: not a readable zip: {detail}")]
    BadZip {
        /// The file.
        file: String,
        /// What the reader said.
        detail: String,
    },
    /// No streaming history in what was given.
    #[error("{0}: no Spotify streaming history found (expected StreamingHistory*.json, Streaming_History_Audio_*.json or endsong_*.json)")]
    NotAnExport(String),
    /// Files were read but hold no music plays.
    #[error("{0}: the export holds no music plays")]
    Empty(String),
}

/// One music play, normalised: minute of its end (UTC, unix minutes), artist, track, duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Play {
    /// End of the play, unix time / 60.
    pub end_minute: i64,
    /// Artist id (index into [`Listening::names`]).
    pub artist: u32,
    /// Track id (index into [`Listening::names`]).
    pub track: u32,
    /// Milliseconds played.
    pub ms: u32,
}

/// Everything read: music plays and counts of what was skipped.
#[derive(Debug, Default)]
pub struct Listening {
    /// Music plays in reading order.
    pub plays: Vec<Play>,
    /// Interned artist and track names.
    pub names: Vec<String>,
    index: HashMap<String, u32>,
    /// Podcast, audiobook and video rows recognised and not counted.
    pub non_music: u64,
    /// Files read.
    pub files: Vec<String>,
    /// Digests of the Spotify account names the export carries
    /// ([`super::identity::account_digest`]); the names themselves are never kept.
    pub accounts: std::collections::BTreeSet<[u8; 32]>,
}

impl Listening {
    pub(super) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    /// Adds a music play (ending at unix minute `end_minute`, `ms` long), interning its names:
    /// what the reader does for each record, for callers that build a history themselves.
    pub fn add_play(&mut self, end_minute: i64, artist: &str, track: &str, ms: u32) {
        let (artist, track) = (self.intern(artist), self.intern(track));
        self.plays.push(Play {
            end_minute,
            artist,
            track,
            ms,
        });
    }

    /// A name by id.
    pub fn name(&self, id: u32) -> &str {
        self.names
            .get(id as usize)
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// The flavour of a file by its name, `None` for files that are not streaming history.
pub fn flavor_of(name: &str) -> Option<Flavor> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if !base.ends_with(".json") {
        return None;
    }
    if base.starts_with("StreamingHistory_podcast") {
        Some(Flavor::AccountPodcast)
    } else if base.starts_with("StreamingHistory") {
        Some(Flavor::AccountMusic)
    } else if base.starts_with("Streaming_History_Audio") || base.starts_with("endsong") {
        Some(Flavor::Extended)
    } else {
        None
    }
}

/// Days from civil date (proleptic Gregorian), Howard Hinnant's algorithm.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Parses `YYYY-MM-DD HH:MM` or ISO 8601 `YYYY-MM-DDTHH:MM:SSZ` (UTC) to unix seconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let (y, mo, da) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    if d.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&da) {
        return None;
    }
    let time = time.trim_end_matches('Z');
    let mut t = time.split(':');
    let (h, mi) = (num(t.next()?)?, num(t.next()?)?);
    let sec = match t.next() {
        Some(x) => num(x.split('.').next()?)?,
        None => 0,
    };
    if t.next().is_some() || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    Some(days_from_civil(y, mo, da) * 86_400 + h * 3_600 + mi * 60 + sec)
}
