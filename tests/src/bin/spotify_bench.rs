//! Benchmark of the Spotify export reader: generates an extended-streaming-history export of
//! N plays (default 1,000,000, in files of 100,000 like Spotify's), then reads, hashes and scores
//! it, printing plays per second and peak memory (VmHWM) as a markdown table.
//!
//! `cargo run --release -p data-pool-tests --bin spotify-bench -- [--plays N] [--keep DIR]`

use std::io::Write;
use std::time::Instant;

use data_pool_client::spotify::{canonical_hash, read_paths, score, Limits, ScoreRules};

fn main() {
    let mut plays: u64 = 1_000_000;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--plays" => plays = args.next().and_then(|v| v.parse().ok()).expect("--plays N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let dir = std::env::temp_dir().join(format!("spotify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let gen_start = Instant::now();
    let mut files = Vec::new();
    let mut bytes: u64 = 0;
    let per_file = 100_000u64;
    let mut i = 0u64;
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    while i < plays {
        let path = dir.join(format!("Streaming_History_Audio_{}.json", files.len()));
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("file"));
        w.write_all(b"[\n").expect("w");
        let end = (i + per_file).min(plays);
        while i < end {
            let t = 1_420_070_400 + i as i64 * 240; // 2015 onwards, a play every 4 minutes
            let secs = t % 86_400;
            let days = t / 86_400;
            let (y, m, d) = data_pool_client::units::civil_from_days(days);
            let artist = next() % 5_000;
            let track = next() % 20;
            let ms = 20_000 + next() % 280_000;
            let rec = format!(
                "{{\"ts\":\"{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z\",\"username\":\"bench-user\",\"platform\":\"Linux\",\"ms_played\":{ms},\"conn_country\":\"SE\",\"ip_addr\":\"192.0.2.{}\",\"user_agent_decrypted\":\"unknown\",\"master_metadata_track_name\":\"Track {track} of {artist}\",\"master_metadata_album_artist_name\":\"Artist {artist}\",\"master_metadata_album_album_name\":\"Album {artist}\",\"spotify_track_uri\":\"spotify:track:{:022}\",\"episode_name\":null,\"episode_show_name\":null,\"spotify_episode_uri\":null,\"reason_start\":\"trackdone\",\"reason_end\":\"trackdone\",\"shuffle\":false,\"skipped\":null,\"offline\":false,\"offline_timestamp\":0,\"incognito_mode\":false}}{}\n",
                secs / 3600, secs % 3600 / 60, secs % 60, i % 250, artist * 100 + track,
                if i + 1 < end { "," } else { "" }
            );
            bytes += rec.len() as u64;
            w.write_all(rec.as_bytes()).expect("w");
            i += 1;
        }
        w.write_all(b"]\n").expect("w");
        files.push(path);
    }
    let gen = gen_start.elapsed();
    let before = data_pool_tests::peak_rss_kib();
    let t0 = Instant::now();
    let l = read_paths(std::slice::from_ref(&dir), &Limits::default()).expect("read");
    let read = t0.elapsed();
    let t1 = Instant::now();
    let h = canonical_hash(&l);
    let hash = t1.elapsed();
    let t2 = Instant::now();
    let b = score(
        &l,
        &ScoreRules {
            max_score: u64::MAX,
        },
    );
    let sc = t2.elapsed();
    let peak = data_pool_tests::peak_rss_kib();
    let total = read + hash + sc;
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| plays | {} in {} files, {:.1} MB of JSON (generated in {:.1} s) |",
        l.plays.len(),
        files.len(),
        bytes as f64 / 1e6,
        gen.as_secs_f64()
    );
    println!(
        "| read (stream-parse) | {:.2} s, {:.0} plays/s, {:.0} MB/s |",
        read.as_secs_f64(),
        plays as f64 / read.as_secs_f64(),
        bytes as f64 / 1e6 / read.as_secs_f64()
    );
    println!(
        "| canonical hash (sort, dedupe, SHA-256) | {:.2} s |",
        hash.as_secs_f64()
    );
    println!("| score | {:.2} s |", sc.as_secs_f64());
    println!(
        "| total | {:.2} s, {:.0} plays/s |",
        total.as_secs_f64(),
        plays as f64 / total.as_secs_f64()
    );
    println!(
        "| peak memory (VmHWM) | {:.1} MB ({:.1} MB before reading) |",
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    println!("| hash | {} |", hex_of(&h));
    println!(
        "| score (uncapped) | {} ({} counted plays, {} tracks, {} artists, {} active days) |",
        b.uncapped, b.counted_plays, b.distinct_tracks, b.distinct_artists, b.active_days
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn hex_of(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
