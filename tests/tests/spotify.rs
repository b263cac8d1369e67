//! Proof of contribution for Spotify exports: reading both flavours (files, zip, folders), the
//! canonical hash's invariance, the score, every bad-input case and no panics on mutated input.
//! The attestor service and `attest --file` / `contribute --file` are in `spotify_service.rs`.

use std::path::PathBuf;

use data_pool_client::spotify::{
    canonical_hash, read_paths, read_upload, score, ExportError, Limits, ScoreRules,
};
use data_pool_tests::spotify::*;
use data_pool_tests::Rng;
use serde_json::Value;

fn limits() -> Limits {
    Limits {
        now: 1_800_000_000,
        ..Limits::default()
    }
}

fn hash_of(paths: &[PathBuf]) -> [u8; 32] {
    canonical_hash(&read_paths(paths, &limits()).expect("read"))
}

fn rules() -> ScoreRules {
    ScoreRules {
        max_score: 1_000_000,
    }
}

#[test]
fn both_flavours_files_zip_and_folder_give_one_hash() {
    let d = scratch("flavours");
    let account = account_export(&d.join("a").tap_mkdir());
    let h = hash_of(&account);

    // Extended history, one file, reversed order, compact, with personal fields and podcast rows.
    let mut ext: Vec<Value> = HISTORY
        .iter()
        .rev()
        .map(|p| extended_record(p, "203.0.113.7"))
        .collect();
    ext.insert(2, extended_podcast("2024-01-05T10:00:00Z"));
    let e_dir = d.join("e").tap_mkdir();
    let e = write_json(&e_dir, "Streaming_History_Audio_2024.json", &ext, false);
    assert_eq!(
        hash_of(std::slice::from_ref(&e)),
        h,
        "extended flavour, reordered, compact"
    );

    // Personal fields do not enter the hash.
    let ext2: Vec<Value> = HISTORY
        .iter()
        .map(|p| extended_record(p, "198.51.100.99"))
        .collect();
    let e2 = write_json(&d.join("e2").tap_mkdir(), "endsong_0.json", &ext2, true);
    assert_eq!(hash_of(&[e2]), h, "older endsong name, other IP");

    // Re-split three ways, with a duplicate play repeated across files.
    let recs: Vec<Value> = HISTORY.iter().map(account_record).collect();
    let r = d.join("r").tap_mkdir();
    let split = vec![
        write_json(&r, "StreamingHistory0.json", &recs[..2], false),
        write_json(&r, "StreamingHistory1.json", &recs[1..6], false),
        write_json(&r, "StreamingHistory2.json", &recs[5..], false),
    ];
    assert_eq!(hash_of(&split), h, "re-split with overlapping files");
    let l = read_paths(&split, &limits()).expect("read");
    assert_eq!(score(&l, &rules()).duplicates, 2);

    // A zip of the export with other account files, and the folder itself.
    let zip = d.join("my_spotify_data.zip");
    let mut entries: Vec<(&str, Vec<u8>)> = vec![(
        "MyData/Userdata.json",
        br#"{"username":"alice-1987","email":"a@example.org"}"#.to_vec(),
    )];
    let names = [
        "MyData/StreamingHistory_music_0.json",
        "MyData/StreamingHistory_music_1.json",
        "MyData/StreamingHistory_podcast_0.json",
    ];
    for (name, p) in names.iter().zip(&account) {
        entries.push((name, std::fs::read(p).expect("read")));
    }
    write_zip(&zip, &entries);
    assert_eq!(hash_of(std::slice::from_ref(&zip)), h, "zip");
    // The format comes from the content: a zip named in capitals, or with no extension at all.
    for other in ["EXPORT.ZIP", "my_spotify_data"] {
        let renamed = d.join(other);
        std::fs::copy(&zip, &renamed).expect("copy");
        assert_eq!(hash_of(&[renamed]), h, "{other}");
    }
    assert_eq!(hash_of(&[d.join("a")]), h, "folder");

    // Mixed flavours in one folder (a user who requested both exports): the same plays twice,
    // once per flavour, are one history.
    let m = d.join("mixed").tap_mkdir();
    let half: Vec<Value> = HISTORY[..5].iter().map(account_record).collect();
    write_json(&m, "StreamingHistory_music_0.json", &half, false);
    let all: Vec<Value> = HISTORY
        .iter()
        .map(|p| extended_record(p, "192.0.2.1"))
        .collect();
    write_json(&m, "Streaming_History_Audio_2024_0.json", &all, false);
    assert_eq!(
        hash_of(&[m]),
        h,
        "account + extended files of the same plays"
    );

    // One play changed by a millisecond: another hash.
    let mut changed = recs.clone();
    changed[3]["msPlayed"] = Value::from(12_001);
    let c = write_json(
        &d.join("c").tap_mkdir(),
        "StreamingHistory_music_0.json",
        &changed,
        true,
    );
    assert_ne!(hash_of(&[c]), h);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_score_is_deterministic_and_documented() {
    let d = scratch("score");
    let l = read_paths(&account_export(&d), &limits()).expect("read");
    let b = score(&l, &rules());
    assert_eq!(b.plays, 8);
    assert_eq!(
        b.non_music, 1,
        "the podcast file is recognised and not counted"
    );
    assert_eq!(b.qualifying_plays, 7, "Sinnerman played 12 s");
    assert_eq!(b.counted_plays, 7, "no play overlaps another");
    assert_eq!(b.listening_hours, 0, "≈ 34 minutes of counted plays");
    assert_eq!(b.distinct_tracks, 5, "Reckoner twice, Jóga twice");
    assert_eq!(b.distinct_artists, 4);
    assert_eq!(
        b.active_days, 2,
        "Jan 3 (10 min 26 s) and Feb 10 (10 min 1 s); four other days under ten minutes"
    );
    assert_eq!(b.overlapping, 0);
    // Credit: five plays of three minutes or more (3 min each), 2 min 56 s and 45 s = 18 min 41 s.
    assert_eq!(b.volume_points, 6, "1,121 s of credit / 180 s");
    // Tracks: Jóga 5 min 50 s, Hyperballad, Reckoner and Water No Get Enemy past three minutes,
    // Feeling Good 2 min 56 s: 896 s × 5 / 180 s. Artists: Björk 11 min 11 s and Fela Kuti 10 min
    // 1 s (ten minutes each), Radiohead 9 min 40 s, Nina Simone 2 min 56 s: 1,956 s × 10 / 600 s.
    assert_eq!(b.diversity_points, 24 + 32);
    assert_eq!(b.day_points, 2 * 20);
    assert_eq!(b.authenticity_ppm, 1_000_000);
    assert_eq!(b.score, 6 + 56 + 40);
    assert_eq!(score(&l, &rules()), b, "deterministic");
    assert_eq!(
        score(&l, &ScoreRules { max_score: 100 }).score,
        100,
        "capped at the pool's maximum"
    );
    // Overlapping plays (ten plays ending a minute apart, each lasting ten) earn nothing: the
    // first counts, the next eight start more than a minute before it ended, the last starts
    // a minute before (the tolerance) and counts.
    let over: Vec<Value> = (0..10)
        .map(|i| serde_json::json!({"endTime": format!("2024-05-01 10:{:02}", i), "artistName": "A", "trackName": format!("T{i}"), "msPlayed": 600_000}))
        .collect();
    let o = write_json(&d, "StreamingHistory_music_9.json", &over, false);
    let b = score(&read_paths(&[o], &limits()).expect("read"), &rules());
    assert_eq!((b.overlapping, b.counted_plays), (8, 2));
    assert_eq!(b.distinct_tracks, 2);
    assert_eq!(b.authenticity_ppm, 200_000);
    let _ = std::fs::remove_dir_all(&d);
}

fn err(paths: &[PathBuf]) -> ExportError {
    read_paths(paths, &limits()).expect_err("must be refused")
}

#[test]
fn bad_input_names_the_file_and_record() {
    let d = scratch("bad");
    let f = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let e = err(&[f("StreamingHistory_music_0.json", "{not json")]);
    assert!(matches!(e, ExportError::NotJson { .. }), "{e}");
    assert!(e.to_string().contains("StreamingHistory_music_0.json"));
    let e = err(&[f(
        "StreamingHistory_music_1.json",
        r#"[{"endTime":"2024-01-01 10:00","artistName":"A","trackName":"T","msPlayed":1000},{"foo":1}]"#,
    )]);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: record 1: not a Spotify play: no endTime",
            d.join("StreamingHistory_music_1.json").display()
        )
    );
    let e = err(&[f("StreamingHistory_music_2.json", "[]")]);
    assert!(matches!(e, ExportError::Empty(_)), "{e}");
    let e = err(&[f(
        "StreamingHistory_music_3.json",
        r#"[{"endTime":"2024-01-01 10:00","artistName":"A","trackName":"T","msPlayed":-5}]"#,
    )]);
    assert!(
        matches!(
            e,
            ExportError::NegativeDuration {
                index: 0,
                ms: -5,
                ..
            }
        ),
        "{e}"
    );
    let e = err(&[f(
        "StreamingHistory_music_4.json",
        r#"[{"endTime":"2031-01-01 10:00","artistName":"A","trackName":"T","msPlayed":5}]"#,
    )]);
    assert!(
        matches!(
            e,
            ExportError::BadTime {
                why: "in the future",
                ..
            }
        ),
        "{e}"
    );
    let e = err(&[f(
        "StreamingHistory_music_5.json",
        r#"[{"endTime":"2007-12-31 23:59","artistName":"A","trackName":"T","msPlayed":5}]"#,
    )]);
    assert!(
        matches!(
            e,
            ExportError::BadTime {
                why: "before 2008",
                ..
            }
        ),
        "{e}"
    );
    let e = err(&[f(
        "StreamingHistory_music_6.json",
        r#"[{"endTime":"yesterday","artistName":"A","trackName":"T","msPlayed":5}]"#,
    )]);
    assert!(
        matches!(
            e,
            ExportError::BadTime {
                why: "not a timestamp",
                ..
            }
        ),
        "{e}"
    );
    let other = d.join("other").tap_mkdir();
    std::fs::write(other.join("Userdata.json"), "{}").expect("write");
    assert!(matches!(err(&[other]), ExportError::NotAnExport(_)));
    // Oversized file.
    let big = f(
        "StreamingHistory_music_7.json",
        &format!(
            "[{}]",
            r#"{"endTime":"2024-01-01 10:00","artistName":"A","trackName":"T","msPlayed":5},"#
                .repeat(200)
                .trim_end_matches(',')
        ),
    );
    let small = Limits {
        max_file_bytes: 1_000,
        ..limits()
    };
    assert!(matches!(
        read_paths(&[big], &small),
        Err(ExportError::TooLarge { .. })
    ));
    // A zip bomb: 64 MiB of spaces in a tiny entry.
    let bomb = d.join("bomb.zip");
    let mut body = b"[".to_vec();
    body.extend(std::iter::repeat_n(b' ', 64 << 20));
    body.push(b']');
    write_zip(&bomb, &[("Streaming_History_Audio_0.json", body)]);
    let e = err(&[bomb]);
    assert!(matches!(e, ExportError::ZipBomb { .. }), "{e}");
    let e = err(&[f("broken.zip", "PK\x03\x04 not really")]);
    assert!(matches!(e, ExportError::BadZip { .. }), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn no_input_makes_the_reader_panic() {
    let d = scratch("fuzz");
    let recs: Vec<Value> = HISTORY
        .iter()
        .map(|p| extended_record(p, "10.0.0.1"))
        .collect();
    let good = serde_json::to_vec(&recs).expect("json");
    let zip_path = d.join("x.zip");
    write_zip(
        &zip_path,
        &[("Streaming_History_Audio_0.json", good.clone())],
    );
    let good_zip = std::fs::read(&zip_path).expect("zip");
    let mut rng = Rng::new(77);
    let lim = limits();
    let mut refused = 0;
    for i in 0..4_000 {
        let base = if i % 2 == 0 { &good } else { &good_zip };
        let mut b = base.clone();
        match rng.below(4) {
            0 => {
                for _ in 0..=rng.below(8) {
                    let at = rng.below(b.len() as u64) as usize;
                    b[at] ^= 1 << rng.below(8);
                }
            }
            1 => b.truncate(rng.below(b.len() as u64) as usize),
            2 => {
                let at = rng.below(b.len() as u64) as usize;
                b.insert(at, rng.below(256) as u8);
            }
            _ => b = (0..rng.below(600)).map(|_| rng.below(256) as u8).collect(),
        }
        if read_upload("mutated", &b, &lim).is_err() {
            refused += 1;
        }
    }
    assert!(refused > 1_000, "most mutations are refused ({refused})");
    let _ = std::fs::remove_dir_all(&d);
}
