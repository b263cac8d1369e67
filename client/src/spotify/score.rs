//! The canonical data hash and the score of a listening history.
//!
//! **Hash.** Every music play becomes `(end minute UTC, artist, track, ms played)` — the fields
//! both export flavours share, at the precision both have. Plays are sorted, exact duplicates
//! (the same play in two files or twice in one) are dropped, and the list is hashed with SHA-256
//! under a domain tag, each string length-prefixed. Reformatting, re-splitting, reordering or
//! switching flavour gives the same hash; changing any play changes it.
//!
//! **Score** (integer points, capped at the pool's maximum; the rules and the reason for each are
//! in `docs/SCORE.md`). Only **counted plays** score: music plays of at least 30 s that do not
//! overlap the previous counted play by more than a minute (one account plays one thing at a
//! time). Shorter plays, overlapping plays and exact duplicates earn nothing, so adding them never
//! raises a score. A play's **credit** is its length up to three minutes.
//! - volume: 1 point per three minutes of credit (a whole song, one point; a 30 s play, a sixth),
//!   at most 50,000;
//! - listening time: 2 points per full hour of counted plays, at most 20,000;
//! - diversity: 5 points per distinct track for three minutes of it (a track heard for 30 s earns
//!   a sixth), at most 25,000; 10 points per distinct artist for ten minutes of them, at most
//!   10,000;
//! - days: 20 points per active day (a UTC day with at least ten minutes of counted listening), at
//!   most 7,300 (a year of days);
//! - authenticity: the subtotal is scaled by the share of qualifying plays that were counted (not
//!   overlapping).
//!
//! An export with no counted play scores 0 and cannot be attested.

use std::collections::HashMap;

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

/// A play's credit is its length up to this (three minutes, about a song).
pub const CREDIT_MS: u64 = 180_000;
/// Credit of one volume point and of one distinct track's full diversity points.
pub const TRACK_MS: u64 = CREDIT_MS;
/// Listening that earns one distinct artist's full diversity points (ten minutes).
pub const ARTIST_MS: u64 = 600_000;
/// Counted listening that makes a UTC day active (ten minutes).
pub const ACTIVE_DAY_MS: u64 = 600_000;
/// A play overlapping the previous counted play by more than this is not counted.
pub const OVERLAP_TOLERANCE_S: i64 = 60;

/// What a score is made of (carried in the attestation file).
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    /// Music plays after removing duplicates.
    pub plays: u64,
    /// Plays of at least 30 s.
    pub qualifying_plays: u64,
    /// Qualifying plays that do not overlap the previous counted play: the plays that score.
    pub counted_plays: u64,
    /// Hours of counted listening.
    pub listening_hours: u64,
    /// Distinct tracks (artist + title) among counted plays.
    pub distinct_tracks: u64,
    /// Distinct artists among counted plays.
    pub distinct_artists: u64,
    /// UTC days with at least ten minutes of counted listening.
    pub active_days: u64,
    /// Exact duplicates dropped.
    pub duplicates: u64,
    /// Qualifying plays overlapping the previous counted play by more than a minute.
    pub overlapping: u64,
    /// Podcast, audiobook and video rows not counted.
    pub non_music: u64,
    /// Volume points.
    pub volume_points: u64,
    /// Listening-time points.
    pub listening_points: u64,
    /// Diversity points.
    pub diversity_points: u64,
    /// Active-day points.
    pub day_points: u64,
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
    let mut tracks: HashMap<(u32, u32), u64> = HashMap::new();
    let mut artists: HashMap<u32, u64> = HashMap::new();
    let mut days: HashMap<i64, u64> = HashMap::new();
    let (mut listened_ms, mut credit_ms) = (0u64, 0u64);
    let mut prev_end: Option<i64> = None;
    for p in plays.iter().filter(|p| p.ms >= QUALIFYING_MS) {
        b.qualifying_plays += 1;
        let end = p.end_minute * 60;
        let start = end - i64::from(p.ms / 1_000);
        if prev_end.is_some_and(|prev| start + OVERLAP_TOLERANCE_S < prev) {
            b.overlapping += 1;
            continue;
        }
        prev_end = Some(prev_end.map_or(end, |x| x.max(end)));
        b.counted_plays += 1;
        let ms = u64::from(p.ms);
        listened_ms += ms;
        credit_ms += ms.min(CREDIT_MS);
        *tracks.entry((p.artist, p.track)).or_default() += ms;
        *artists.entry(p.artist).or_default() += ms;
        *days.entry(p.end_minute.div_euclid(1_440)).or_default() += ms;
    }
    b.listening_hours = listened_ms / 3_600_000;
    b.distinct_tracks = tracks.len() as u64;
    b.distinct_artists = artists.len() as u64;
    b.active_days = days.values().filter(|&&ms| ms >= ACTIVE_DAY_MS).count() as u64;
    b.volume_points = (credit_ms / TRACK_MS).min(50_000);
    b.listening_points = (b.listening_hours * 2).min(20_000);
    let track_credit: u64 = tracks.values().map(|&ms| ms.min(TRACK_MS)).sum();
    let artist_credit: u64 = artists.values().map(|&ms| ms.min(ARTIST_MS)).sum();
    b.diversity_points =
        (track_credit * 5 / TRACK_MS).min(25_000) + (artist_credit * 10 / ARTIST_MS).min(10_000);
    b.day_points = (b.active_days * 20).min(7_300);
    let subtotal = b.volume_points + b.listening_points + b.diversity_points + b.day_points;
    b.authenticity_ppm = (b.counted_plays * 1_000_000)
        .checked_div(b.qualifying_plays)
        .unwrap_or(0);
    b.uncapped = subtotal * b.authenticity_ppm / 1_000_000;
    b.score = b.uncapped.min(rules.max_score);
    b
}
