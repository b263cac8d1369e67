//! Spotify export fixtures in the real formats, generated so every test can say exactly what is
//! in them: account-data music and podcast files, extended streaming history with personal fields,
//! podcast rows and nulls, and zips of them.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// One music play: (end "YYYY-MM-DD HH:MM:SS" UTC, artist, track, ms played).
pub type P = (&'static str, &'static str, &'static str, i64);

/// A small history: 8 plays of 5 tracks by 4 artists over 40 days, one of them under 30 s.
pub const HISTORY: [P; 8] = [
    ("2024-01-03 08:15:09", "Björk", "Jóga", 305_000),
    ("2024-01-03 08:21:40", "Björk", "Hyperballad", 321_000),
    (
        "2024-01-04 19:02:11",
        "Nina Simone",
        "Feeling Good",
        176_000,
    ),
    ("2024-01-04 19:05:01", "Nina Simone", "Sinnerman", 12_000),
    ("2024-01-20 22:47:30", "Radiohead", "Reckoner", 290_000),
    ("2024-01-21 07:00:00", "Radiohead", "Reckoner", 290_000),
    (
        "2024-02-10 12:30:59",
        "Fela Kuti",
        "Water No Get Enemy",
        601_000,
    ),
    ("2024-02-12 12:30:00", "Björk", "Jóga", 45_000),
];

/// An account-data ("StreamingHistory_music") record.
pub fn account_record(p: &P) -> Value {
    json!({ "endTime": &p.0[..16], "artistName": p.1, "trackName": p.2, "msPlayed": p.3 })
}

/// The account-data records of listener `i`: the songs of [`HISTORY`] played in the listener's
/// own months, so that different listeners are different people to the attestor (their
/// listening never shares a moment) who like the same songs.
pub fn listener_records(i: usize) -> Vec<Value> {
    HISTORY
        .iter()
        .map(|h| {
            let mut r = account_record(h);
            // Months 01 and 02 of 2024 move to listener i's own month pair (2019 onwards).
            let year = 2019 + i / 6;
            let month = 1 + 2 * (i % 6) + usize::from(h.0[5..7] == *"02");
            r["endTime"] = Value::from(format!("{year}-{month:02}{}", &h.0[7..16]));
            r
        })
        .collect()
}

/// An extended-history record, with the personal fields Spotify includes.
pub fn extended_record(p: &P, ip: &str) -> Value {
    json!({
        "ts": format!("{}Z", p.0.replace(' ', "T")),
        "username": "alice-1987",
        "platform": "Android OS 14 API 34 (Google, Pixel 8)",
        "ms_played": p.3,
        "conn_country": "IS",
        "ip_addr": ip,
        "user_agent_decrypted": "unknown",
        "master_metadata_track_name": p.2,
        "master_metadata_album_artist_name": p.1,
        "master_metadata_album_album_name": "Album",
        "spotify_track_uri": "spotify:track:0000000000000000000000",
        "episode_name": null,
        "episode_show_name": null,
        "spotify_episode_uri": null,
        "audiobook_title": null,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": false,
        "skipped": null,
        "offline": false,
        "offline_timestamp": null,
        "incognito_mode": false
    })
}

/// An extended-history podcast row (null track fields).
pub fn extended_podcast(ts: &str) -> Value {
    json!({
        "ts": ts, "ms_played": 1_800_000, "ip_addr": "10.0.0.1", "username": "alice-1987",
        "master_metadata_track_name": null, "master_metadata_album_artist_name": null,
        "master_metadata_album_album_name": null, "spotify_track_uri": null,
        "episode_name": "Episode 12", "episode_show_name": "A Show",
        "spotify_episode_uri": "spotify:episode:0000000000000000000000"
    })
}

/// An account-data podcast record.
pub fn account_podcast(end: &str) -> Value {
    json!({ "endTime": end, "podcastName": "A Show", "episodeName": "Episode 12", "msPlayed": 1_800_000 })
}

/// Writes `records` as a JSON array to `dir/name` (pretty or compact).
pub fn write_json(dir: &Path, name: &str, records: &[Value], pretty: bool) -> PathBuf {
    let p = dir.join(name);
    let text = if pretty {
        serde_json::to_string_pretty(records).expect("json")
    } else {
        serde_json::to_string(records).expect("json")
    };
    std::fs::write(&p, text).expect("write");
    p
}

/// Writes a zip at `path` with `(name, bytes)` entries, deflated.
pub fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let f = std::fs::File::create(path).expect("zip file");
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        z.start_file(*name, opts).expect("entry");
        z.write_all(bytes).expect("write");
    }
    z.finish().expect("finish");
}

/// A fresh scratch directory.
pub fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "datapool-spotify-{tag}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// The standard fixture: the history as an account-data export of two music files (split after
/// the fourth play) and a podcast file, in `dir`.
pub fn account_export(dir: &Path) -> Vec<PathBuf> {
    let recs: Vec<Value> = HISTORY.iter().map(account_record).collect();
    vec![
        write_json(dir, "StreamingHistory_music_0.json", &recs[..4], true),
        write_json(dir, "StreamingHistory_music_1.json", &recs[4..], true),
        write_json(
            dir,
            "StreamingHistory_podcast_0.json",
            &[account_podcast("2024-01-05 10:00")],
            true,
        ),
    ]
}

/// `path`, created as a directory first (with its parents).
pub trait Mkdir {
    /// Creates the directory and returns its path.
    fn tap_mkdir(self) -> Self;
}

impl Mkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).expect("mkdir");
        self
    }
}
