//! The canonical data hash and the score of a listening history.
//!
//! **Hash.** Every music play becomes `(end minute UTC, artist, track, ms played)` — the fields
//! both export flavours share, at the precision both have. Plays are sorted, exact duplicates
//! (the same play in two files or twice in one) are dropped, and the list is hashed with SHA-256
//! under a domain tag, each string length-prefixed. Reformatting, re-splitting, reordering or
//! switching flavour gives the same hash; changing any play changes it.
//!
//! **Score** (integer points, capped at the pool's maximum):
//! - volume: 1 point per qualifying play (≥ 30 s), at most 50,000;
//! - listening time: 2 points per full hour of qualifying plays, at most 20,000;
//! - diversity: 5 points per distinct track, at most 25,000, and 10 per distinct artist, at most
//!   10,000;
//! - span: 20 points per day from the first to the last play, at most 7,300 (one year);
//! - authenticity: the subtotal is scaled by the share of plays that do not overlap the previous
//!   play by more than a minute (plays cannot overlap on one account); duplicates are counted
//!   and dropped before scoring.

use std::collections::HashSet;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::export::{Listening, Play};

/// Domain tag of the canonical hash.
pub const HASH_DOMAIN: &[u8] = b"DATAPOOL-SPOTIFY-V1";
/// A play counts from this many milliseconds (Spotify's own threshold for a stream).
pub const QUALIFYING_MS: u32 = 30_000;

/// Scoring caps.
#[derive(Clone, Copy, Debug)]
pub struct ScoreRules {
    /// The pool's maximum score.
    pub max_score: u64,
}

/// What a score is made of (carried in the attestation file).
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// Music plays after removing duplicates.
    pub plays: u64,
    /// Plays of at least 30 s.
    pub qualifying_plays: u64,
    /// Hours of qualifying listening.
    pub listening_hours: u64,
    /// Distinct tracks (artist + title).
    pub distinct_tracks: u64,
    /// Distinct artists.
    pub distinct_artists: u64,
    /// Days from the first to the last play.
    pub span_days: u64,
    /// Exact duplicates dropped.
    pub duplicates: u64,
    /// Plays overlapping the previous one by more than a minute.
    pub overlapping: u64,
    /// Podcast, audiobook and video rows not counted.
    pub non_music: u64,
    /// Volume points.
    pub volume_points: u64,
    /// Listening-time points.
    pub listening_points: u64,
    /// Diversity points.
    pub diversity_points: u64,
    /// Span points.
    pub span_points: u64,
    /// Authenticity factor, parts per million.
    pub authenticity_ppm: u64,
    /// Score before the cap.
    pub uncapped: u64,
    /// The score.
    pub score: u64,
}

fn sorted_unique(l: &Listening) -> (Vec<Play>, u64) {
    let mut plays = l.plays.clone();
    plays.sort_by(|a, b| {
        a.end_minute
            .cmp(&b.end_minute)
            .then_with(|| l.name(a.artist).cmp(l.name(b.artist)))
            .then_with(|| l.name(a.track).cmp(l.name(b.track)))
            .then(a.ms.cmp(&b.ms))
    });
    let before = plays.len();
    plays.dedup();
    let dups = (before - plays.len()) as u64;
    (plays, dups)
}

/// The canonical 32-byte hash of a listening history.
pub fn canonical_hash(l: &Listening) -> [u8; 32] {
    let (plays, _) = sorted_unique(l);
    hash_plays(
        plays
            .iter()
            .map(|p| (p.end_minute, l.name(p.artist), l.name(p.track), p.ms)),
    )
}

/// The canonical hash of plays `(end minute, artist, track, ms)` already sorted and unique.
pub(crate) fn hash_plays<'a>(
    plays: impl ExactSizeIterator<Item = (i64, &'a str, &'a str, u32)>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(HASH_DOMAIN);
    h.update((plays.len() as u64).to_le_bytes());
    for (end_minute, artist, track, ms) in plays {
        h.update(end_minute.to_le_bytes());
        for s in [artist, track] {
            h.update((s.len() as u32).to_le_bytes());
            h.update(s.as_bytes());
        }
        h.update(ms.to_le_bytes());
    }
    h.finalize().into()
}

/// The plays of a listening history in canonical order (sorted, duplicates dropped), with names.
pub(crate) fn canonical_plays(l: &Listening) -> Vec<(i64, &str, &str, u32)> {
    sorted_unique(l)
        .0
        .iter()
        .map(|p| (p.end_minute, l.name(p.artist), l.name(p.track), p.ms))
        .collect()
}

/// Scores a listening history.
pub fn score(l: &Listening, rules: &ScoreRules) -> Breakdown {
    let (plays, duplicates) = sorted_unique(l);
    let mut b = Breakdown {
        plays: plays.len() as u64,
        duplicates,
        non_music: l.non_music,
        ..Breakdown::default()
    };
    let mut tracks = HashSet::new();
    let mut artists = HashSet::new();
    let mut listened_ms: u64 = 0;
    let mut prev_end_secs: Option<i64> = None;
    for p in &plays {
        let end = p.end_minute * 60;
        let start = end - i64::from(p.ms / 1_000);
        if let Some(prev) = prev_end_secs {
            if start + 60 < prev {
                b.overlapping += 1;
            }
        }
        prev_end_secs = Some(prev_end_secs.map_or(end, |x| x.max(end)));
        if p.ms >= QUALIFYING_MS {
            b.qualifying_plays += 1;
            listened_ms += u64::from(p.ms);
            tracks.insert((p.artist, p.track));
            artists.insert(p.artist);
        }
    }
    b.listening_hours = listened_ms / 3_600_000;
    b.distinct_tracks = tracks.len() as u64;
    b.distinct_artists = artists.len() as u64;
    if let (Some(first), Some(last)) = (plays.first(), plays.last()) {
        b.span_days = ((last.end_minute - first.end_minute).max(0) / 1_440) as u64;
    }
    b.volume_points = b.qualifying_plays.min(50_000);
    b.listening_points = (b.listening_hours * 2).min(20_000);
    b.diversity_points =
        (b.distinct_tracks * 5).min(25_000) + (b.distinct_artists * 10).min(10_000);
    b.span_points = (b.span_days * 20).min(7_300);
    let subtotal = b.volume_points + b.listening_points + b.diversity_points + b.span_points;
    b.authenticity_ppm = ((b.plays - b.overlapping) * 1_000_000)
        .checked_div(b.plays)
        .unwrap_or(0);
    b.uncapped = subtotal * b.authenticity_ppm / 1_000_000;
    b.score = b.uncapped.min(rules.max_score);
    b
}
