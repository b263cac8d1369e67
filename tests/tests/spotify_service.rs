//! Spotify exports through the attestor service over real HTTP on loopback, and
//! `attest --file` / `contribute --file` end to end on the embedded chain.

use std::path::{Path, PathBuf};

use data_pool_client::spotify::{canonical_hash, read_upload, Limits};
use data_pool_tests::cli::{n, s, CliEnv};
use data_pool_tests::spotify::*;
use serde_json::Value;
use solana_signer::Signer;

fn limits() -> Limits {
    Limits {
        now: 1_800_000_000,
        ..Limits::default()
    }
}

/// Starts the attestor service (no store) on a free loopback port in its own runtime.
fn start_service(
    env: &CliEnv,
    pool: &str,
    attestor_path: &str,
    max_body: usize,
    concurrency: usize,
) -> String {
    let _ = env;
    data_pool_tests::data_service::DataService::start(
        pool,
        attestor_path,
        None,
        max_body,
        concurrency,
    )
    .url
}

fn post(url: &str, body: Vec<u8>) -> (u16, Value) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(url)
            .body(body)
            .send()
            .await
            .expect("http");
        let status = r.status().as_u16();
        let v = r.json::<Value>().await.unwrap_or(Value::Null);
        (status, v)
    })
}

struct Pool {
    env: CliEnv,
    pool: String,
    attestor: String,
}

fn pool() -> Pool {
    let env = CliEnv::new();
    let made = env.cli_pool("", "spotify", &["--max-score", "1000"]);
    let (pool, attestor) = (made.pool, made.attestor);
    Pool {
        env,
        pool,
        attestor,
    }
}

#[test]
fn attest_file_and_contribute_through_the_service() {
    let p = pool();
    let env = &p.env;
    let d = scratch("cli");
    let files = account_export(&d);
    let (alice, alice_path) = env.keypair("alice", 2);
    // An export with no counted listening (only 1 s skips) cannot be attested: bad input.
    let skips: Vec<Value> = (0..20)
        .map(|i| serde_json::json!({"endTime": format!("2024-03-{:02} 10:00", i + 1), "artistName": "A", "trackName": format!("T{i}"), "msPlayed": 1_000}))
        .collect();
    let skips = write_json(&d, "StreamingHistory_music_7.json", &skips, false);
    let alice_key = alice.pubkey().to_string();
    // `attest --file` for alice of `paths`, then `extra`.
    let attest = |paths: &[&PathBuf], extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["attest", "--pool", &p.pool, "--contributor", &alice_key]
            .map(String::from)
            .to_vec();
        for path in paths {
            args.extend(["--file".to_string(), path.display().to_string()]);
        }
        args.extend(["--attestor-keypair", &p.attestor].map(String::from));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    fn as_strs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let refused = env.fails(&as_strs(&attest(&[&skips], &[])), 2);
    assert!(refused.message.contains("scores 0"), "{refused:?}");
    // Offline attestor: score the export, sign, write; the breakdown travels in the file.
    let out = d.join("alice.att.json").display().to_string();
    let a = env.ok(&as_strs(&attest(
        &[&files[0], &files[1], &files[2]],
        &["--out", &out],
    )));
    assert_eq!(
        n(&a, "score"),
        102,
        "score read the pool's cap (1,000) from the chain"
    );
    assert_eq!(n(&a["breakdown"], "qualifyingPlays"), 7);
    // A capped score says so, with its parts.
    let capped_out = d.join("capped.att.json").display().to_string();
    let capped = env
        .report(&as_strs(&attest(
            &[&files[0], &files[1], &files[2]],
            &["--out", &capped_out, "--max-score", "50"],
        )))
        .expect("capped");
    let text = data_pool_cli::output::render(data_pool_cli::OutputFormat::Text, &capped);
    assert!(
        text.contains("= 102, capped at the pool's maximum score 50"),
        "{text}"
    );
    assert!(text.contains("points: volume"), "{text}");
    let text = std::fs::read_to_string(&out).expect("file");
    for private in ["alice-1987", "203.0.113", "Pixel"] {
        assert!(!text.contains(private));
    }
    // The attestor remembers the export, keyed: one line in its identity index, no names.
    let index = std::fs::read_to_string(env.path("identity-index.jsonl")).expect("index");
    assert_eq!(index.lines().count(), 1);
    for private in ["Björk", "Jóga", "alice"] {
        assert!(!index.contains(private), "{index}");
    }
    let c = env.ok(&[
        "-k",
        &alice_path,
        "contribute",
        &p.pool,
        "--attestation",
        &out,
    ]);
    assert_eq!(n(&c, "weight"), 102);

    // The service (the same attestor key): the same history as a zip, for another wallet, is the
    // same person: refused before anything is sent.
    let url = start_service(env, &p.pool, &p.attestor, 1 << 20, 2);
    let (_, bob_path) = env.keypair("bob", 2);
    let zip = d.join("export.zip");
    let entries: Vec<(&str, Vec<u8>)> = files
        .iter()
        .zip([
            "a/StreamingHistory_music_0.json",
            "a/StreamingHistory_music_1.json",
            "a/StreamingHistory_podcast_0.json",
        ])
        .map(|(f, n)| (n, std::fs::read(f).expect("read")))
        .collect();
    write_zip(&zip, &entries);
    let contribute = |key: &str, path: &Path| {
        [
            "-k",
            key,
            "-y",
            "contribute",
            &p.pool,
            "--file",
            &path.display().to_string(),
            "--attestor-url",
            &url,
        ]
        .map(String::from)
    };
    let e = env.fails(
        &as_strs(&contribute(&bob_path, &zip)),
        data_pool_cli::EXIT_FAILED,
    );
    assert!(e.message.contains("IdentityTaken"), "{}", e.message);

    // The same history with one more play is still alice's listening: refused for bob…
    let mut recs: Vec<Value> = HISTORY.iter().map(account_record).collect();
    recs.push(serde_json::json!({"endTime": "2024-03-01 09:00", "artistName": "Sade", "trackName": "Kiss of Life", "msPlayed": 260_000}));
    let grown = d.join("grown").tap_mkdir();
    write_json(&grown, "StreamingHistory_music_0.json", &recs, false);
    let e = env.fails(
        &as_strs(&contribute(&bob_path, &grown)),
        data_pool_cli::EXIT_FAILED,
    );
    assert!(e.message.contains("IdentityTaken"), "{}", e.message);
    // …and replaces alice's contribution when she sends it: one record, the new weight.
    let c = env.ok(&as_strs(&contribute(&alice_path, &grown)));
    assert_eq!(c["replaced"], 102);
    assert!(n(&c, "weight") > 102);
    let pool_now = env.ok(&["pool", "show", &p.pool]);
    assert_eq!(n(&pool_now, "activeContributionCount"), 1);
    assert_eq!(n(&pool_now, "contributorCount"), 1);

    // A single account-data file renamed by hand still goes through as what it is: carol's own
    // listening, another month and other artists.
    let (_, carol_path) = env.keypair("carol", 2);
    let recs = listener_records(7);
    let renamed = write_json(&d, "carols-history.json", &recs, true);
    let c = env.ok(&as_strs(&contribute(&carol_path, &renamed)));
    assert!(n(&c, "weight") > 0);
    assert_eq!(c["replaced"], Value::Null);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn the_service_over_http() {
    let p = pool();
    let url = start_service(&p.env, &p.pool, &p.attestor, 64 * 1024, 2);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let health: Value = rt.block_on(async {
        reqwest::get(format!("{url}/health"))
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    });
    assert_eq!(health["ok"], true);
    let wallet = solana_keypair::Keypair::new().pubkey();
    let d = scratch("svc");
    let recs: Vec<Value> = HISTORY
        .iter()
        .map(|p| extended_record(p, "10.1.2.3"))
        .collect();
    let body = serde_json::to_vec(&recs).expect("json");
    let (st, v) = post(&format!("{url}/attest?wallet={wallet}"), body.clone());
    assert_eq!(st, 200, "{v}");
    assert_eq!(n(&v, "score"), 102);
    assert_eq!(s(&v, "contributor"), wallet.to_string());
    let local = canonical_hash(&read_upload("x", &body, &limits()).expect("read"));
    assert_eq!(s(&v, "data_hash"), hex::encode(local));
    // Errors: JSON bodies with status codes.
    let (st, v) = post(&format!("{url}/attest"), body.clone());
    assert_eq!((st, v["error"].as_str()), (400, Some("wallet")));
    let (st, v) = post(&format!("{url}/attest?wallet=nope"), body.clone());
    assert_eq!((st, v["error"].as_str()), (400, Some("wallet")));
    let (st, v) = post(
        &format!("{url}/attest?wallet={wallet}"),
        b"{not json".to_vec(),
    );
    assert_eq!((st, v["error"].as_str()), (422, Some("export")), "{v}");
    // An export with nothing to count (two 0 ms plays ten years apart) is refused.
    let empty = serde_json::json!([
        {"endTime": "2014-01-01 10:00", "artistName": "A", "trackName": "T", "msPlayed": 0},
        {"endTime": "2024-01-01 10:00", "artistName": "A", "trackName": "T", "msPlayed": 0},
    ]);
    let (st, v) = post(
        &format!("{url}/attest?wallet={wallet}"),
        serde_json::to_vec(&empty).expect("json"),
    );
    assert_eq!((st, v["error"].as_str()), (422, Some("score")), "{v}");
    let (st, v) = post(
        &format!("{url}/attest?wallet={wallet}"),
        vec![b' '; 100 * 1024],
    );
    assert_eq!((st, v["error"].as_str()), (413, Some("body")), "{v}");
    let (st, _) = post(&format!("{url}/nowhere"), vec![]);
    assert_eq!(st, 404);
    let _ = std::fs::remove_dir_all(&d);
}
