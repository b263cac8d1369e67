//! The Spotify score against an attacker: the loophole exports score 0 and are refused, the cheap
//! inflations (plays spread thinly for days, many distinct fake tracks, overlapping plays, plays
//! clustered at day boundaries) earn no more than the listening they cost, and adding plays
//! shorter than 30 s never raises a score (a seeded property test). The rules and their reasons
//! are in docs/SCORE.md.

use data_pool_client::spotify::{score, Breakdown, Listening, ScoreRules};
use data_pool_tests::Rng;

const MINUTE: i64 = 1;
const DAY: i64 = 1_440 * MINUTE;
/// 2024-01-01 00:00 UTC, in minutes.
const T0: i64 = 1_704_067_200 / 60;

fn rules() -> ScoreRules {
    ScoreRules {
        max_score: 1_000_000,
    }
}

fn scored(plays: &[(i64, &str, &str, u32)]) -> Breakdown {
    let mut l = Listening::default();
    for &(end, artist, track, ms) in plays {
        l.add_play(end, artist, track, ms);
    }
    score(&l, &rules())
}

/// A genuine-looking history: `days` days, each with a session of `songs` whole songs (3 to 5
/// minutes) back to back from a catalogue of 60 tracks by 12 artists.
fn genuine(rng: &mut Rng, days: i64, songs: u64) -> Vec<(i64, String, String, u32)> {
    let mut out = vec![];
    for d in 0..days {
        let mut end = T0 + d * DAY + 18 * 60 + rng.below(120) as i64;
        for _ in 0..songs {
            let ms = 180_000 + rng.below(120_000) as u32;
            end += i64::from(ms / 60_000) + 1;
            let t = rng.below(60);
            out.push((end, format!("artist {}", t % 12), format!("track {t}"), ms));
        }
    }
    out
}

fn as_refs(v: &[(i64, String, String, u32)]) -> Vec<(i64, &str, &str, u32)> {
    v.iter()
        .map(|(e, a, t, ms)| (*e, a.as_str(), t.as_str(), *ms))
        .collect()
}

#[test]
fn the_loophole_exports_score_nothing() {
    // Two 0 ms plays ten years apart: 7,300 points under the first rules.
    let b = scored(&[(T0, "A", "T", 0), (T0 + 3_650 * DAY, "A", "T", 0)]);
    assert_eq!((b.plays, b.qualifying_plays, b.score), (2, 0, 0));
    assert_eq!(b.day_points, 0);
    // Only 1 s skips, a hundred of them over a hundred days: 20 points before.
    let skips: Vec<(i64, String, String, u32)> = (0..100)
        .map(|i| (T0 + i * DAY, "A".into(), format!("T{i}"), 1_000))
        .collect();
    let b = scored(&as_refs(&skips));
    assert_eq!((b.qualifying_plays, b.score), (0, 0));
    // A genuine history scores.
    let mut rng = Rng::new(7);
    let g = genuine(&mut rng, 30, 13);
    let b = scored(&as_refs(&g));
    assert_eq!(b.counted_plays, 390);
    assert_eq!(b.active_days, 30);
    assert!(b.score > 1_000, "{b:?}");
}

#[test]
fn thin_plays_spread_over_days_earn_no_days() {
    // One 30 s play a day for a year: no day has ten minutes of listening.
    let thin: Vec<(i64, String, String, u32)> = (0..365)
        .map(|i| (T0 + i * DAY, "A".into(), "T".into(), 30_000))
        .collect();
    let b = scored(&as_refs(&thin));
    assert_eq!(b.counted_plays, 365);
    assert_eq!((b.active_days, b.day_points), (0, 0));
    // Its 3 hours of listening earn what 3 hours earn: 60 volume points (credit 10,950 s / 180
    // s), 6 for the three full hours, one track's and one artist's diversity.
    assert_eq!(b.volume_points, 60);
    assert_eq!(b.listening_points, 6);
    assert_eq!(b.diversity_points, 5 + 10);
    assert_eq!(b.score, 81);
    // The same three hours in one afternoon score the same but for the day it makes active.
    let dense: Vec<(i64, String, String, u32)> = (0..365)
        .map(|i| (T0 + 12 * 60 + i, "A".into(), "T".into(), 30_000))
        .collect();
    let d = scored(&as_refs(&dense));
    assert_eq!(d.active_days, 1);
    assert_eq!(d.score, b.score + 20);
}

#[test]
fn distinct_fake_tracks_earn_no_more_than_the_listening_they_cost() {
    // 600 distinct "tracks" of 30 s each by one artist (5 hours), against the same five hours as
    // 100 whole three-minute songs of 100 distinct tracks.
    let fake: Vec<(i64, String, String, u32)> = (0..600)
        .map(|i| (T0 + i, "A".into(), format!("fake {i}"), 30_000))
        .collect();
    let songs: Vec<(i64, String, String, u32)> = (0..100)
        .map(|i| (T0 + 3 * i + 3, "A".into(), format!("song {i}"), 180_000))
        .collect();
    let (f, s) = (scored(&as_refs(&fake)), scored(&as_refs(&songs)));
    assert_eq!(f.distinct_tracks, 600);
    assert_eq!(s.distinct_tracks, 100);
    assert_eq!(
        f.diversity_points, s.diversity_points,
        "5 points per 3 minutes of a track"
    );
    assert_eq!(
        f.volume_points, s.volume_points,
        "a point per 3 minutes of credit"
    );
    assert_eq!(f.score, s.score, "{f:?}\n{s:?}");
}

#[test]
fn overlapping_plays_earn_nothing_and_lower_the_rest() {
    let mut rng = Rng::new(11);
    let g = genuine(&mut rng, 10, 12);
    let base = scored(&as_refs(&g));
    // The same history with a second "device" replaying every song two minutes later, under
    // new names: every added play overlaps the one before it by more than a minute.
    let mut doubled = g.clone();
    for (end, a, t, ms) in &g {
        doubled.push((end + 2, format!("{a} (live)"), format!("{t} (live)"), *ms));
    }
    let d = scored(&as_refs(&doubled));
    assert!(d.overlapping >= g.len() as u64 - 10, "{d:?}");
    assert!(d.score < base.score, "{} ≥ {}", d.score, base.score);
}

#[test]
fn day_boundaries_give_no_extra_day() {
    // Five minutes before midnight and five after: ten minutes, split over two days, neither
    // active.
    let midnight = T0 + DAY;
    let b = scored(&[
        (midnight - 1, "A", "T1", 240_000),
        (midnight + 5, "A", "T2", 300_000),
    ]);
    assert_eq!(b.active_days, 0);
    // Ten minutes on each side make two days, as ten minutes on two separate days would.
    let b = scored(&[
        (midnight - 1, "A", "T1", 600_000),
        (midnight + 10, "A", "T2", 600_000),
    ]);
    assert_eq!(b.active_days, 2);
}

/// For any export, adding plays shorter than 30 s never raises its score (seeded random
/// histories and random short plays anywhere in them, overlapping or not, of known or new
/// tracks).
#[test]
fn short_plays_never_raise_a_score() {
    let mut rng = Rng::new(2026);
    for case in 0..300 {
        let mut plays: Vec<(i64, String, String, u32)> = vec![];
        let n = rng.below(80);
        for _ in 0..n {
            let end = T0 + rng.below(60 * DAY as u64) as i64;
            let ms = rng.below(700_000) as u32;
            let t = rng.below(40);
            plays.push((end, format!("a{}", t % 9), format!("t{t}"), ms));
        }
        let before = scored(&as_refs(&plays));
        for _ in 0..1 + rng.below(40) {
            let end = if plays.is_empty() || rng.chance(50) {
                T0 + rng.below(60 * DAY as u64) as i64
            } else {
                plays[rng.below(plays.len() as u64) as usize].0 + rng.below(5) as i64
            };
            let t = rng.below(80);
            let ms = rng.below(30_000) as u32;
            plays.push((end, format!("a{}", t % 15), format!("t{t}"), ms));
        }
        let after = scored(&as_refs(&plays));
        assert!(
            after.score <= before.score,
            "case {case}: {} > {}\n{before:?}\n{after:?}",
            after.score,
            before.score
        );
    }
}
