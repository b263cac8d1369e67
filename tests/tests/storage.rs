//! Storage and the data service for real: `object_store` against an S3-protocol server on
//! loopback (`s3s-fs`, not a mock), contributors' records uploaded through the service (checked
//! against their attestation, encrypted at rest), a delivery built from them into the S3 store,
//! and the buyer fetching it from the service with a signed request — while anyone else is
//! refused. An unreachable store exits 3 with nothing changed.

use std::path::Path;

use data_pool_cli::{EXIT_FAILED, EXIT_UNREACHABLE};
use data_pool_client::custody;
use data_pool_client::fetch::request_message;
use data_pool_client::spotify::{read_paths, Limits, Records};
use data_pool_client::store::{records_prefix, Store, StoreError};
use data_pool_client::units::now_unix;
use data_pool_client::PROGRAM_ID;
use data_pool_tests::cli::{n, s, CliEnv};
use data_pool_tests::data_service::DataService;
use data_pool_tests::s3;
use data_pool_tests::spotify::{listener_records, scratch, write_json};
use serde_json::{json, Value};
use solana_keypair::Keypair;
use solana_signer::Signer;

/// `(status, JSON body)` of an HTTP request made while the service can read the chain.
fn http(svc: &DataService, env: &CliEnv, req: reqwest::RequestBuilder) -> (u16, Value) {
    svc.during(env, async {
        let r = req.send().await.expect("http");
        let status = r.status().as_u16();
        (status, r.json::<Value>().await.unwrap_or(Value::Null))
    })
}

/// A signed delivery request.
fn signed(url: &str, offer: &str, file: &str, who: &Keypair, time: i64) -> reqwest::RequestBuilder {
    let sig = who.sign_message(&request_message(&offer.parse().unwrap(), file, time));
    reqwest::Client::new()
        .get(format!("{url}/v1/deliveries/{offer}/{file}"))
        .header("x-datapool-signer", who.pubkey().to_string())
        .header("x-datapool-time", time.to_string())
        .header("x-datapool-signature", sig.to_string())
}

#[test]
fn records_and_deliveries_through_s3_and_the_data_service() {
    let env = CliEnv::new();

    // An unreachable store: exit 3, a message naming the store, and nothing sent.
    std::env::set_var("AWS_ENDPOINT", "http://127.0.0.1:9");
    std::env::set_var("AWS_ACCESS_KEY_ID", "x");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "y");
    std::env::set_var("AWS_ALLOW_HTTP", "true");
    let e = env.fails(
        &[
            "-y",
            "demo",
            "--contributors",
            "2",
            "--store",
            "s3://nowhere/demo",
        ],
        EXIT_UNREACHABLE,
    );
    assert!(e.message.contains("s3://nowhere/demo"), "{}", e.message);

    let server = s3::start("datapool");
    server.export_env();
    let url = server.url("pool-a");

    // object_store against the server: write, read, list, delete.
    let store = Store::open(&url).expect("store");
    env.block(async {
        store.put("probe/a", b"one".to_vec()).await.unwrap();
        assert_eq!(store.get("probe/a").await.unwrap(), b"one");
        assert_eq!(store.list("probe").await.unwrap().len(), 1);
        store.delete("probe/a").await.unwrap();
        assert!(matches!(
            store.get("probe/a").await,
            Err(StoreError::NotFound { .. })
        ));
    });

    // A pool whose data service keeps records in the S3 store.
    let made = env.cli_pool(
        "",
        "s3pool",
        &[
            "--max-score",
            "1000",
            "--quorum-bps",
            "3000",
            "--voting-period",
            "1d",
        ],
    );
    let svc = DataService::start(&made.pool, &made.attestor, Some(store.clone()), 1 << 20, 4);
    let d = scratch("s3");
    let mut people = vec![];
    for (i, extra) in ["Sade", "Nina Simone", "Björk"].into_iter().enumerate() {
        let (kp, path) = env.keypair(&format!("c{i}"), 2);
        let mut recs: Vec<Value> = listener_records(i);
        recs.push(json!({"endTime": format!("2024-03-0{} 09:00", i + 1), "artistName": extra, "trackName": "Encore", "msPlayed": 200_000}));
        let dir = d.join(format!("c{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        write_json(&dir, "StreamingHistory_music_0.json", &recs, false);
        let c = svc
            .run(
                &env,
                &[
                    "-k",
                    &path,
                    "-y",
                    "contribute",
                    &made.pool,
                    "--file",
                    &dir.display().to_string(),
                    "--attestor-url",
                    &svc.url,
                ],
            )
            .expect("contribute");
        assert!(n(&c, "weight") > 0);
        people.push((kp, path, dir));
    }
    // Three records stored, encrypted at rest: no artist name in the stored bytes.
    let pool_key = made.pool.parse().unwrap();
    let stored = env.block(store.list(&records_prefix(&pool_key))).unwrap();
    assert_eq!(stored.len(), 3);
    for l in &stored {
        let bytes = env.block(store.get(&l.key)).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1"));
        assert!(!bytes.windows(4).any(|w| w == b"Sade"));
    }

    // Records that do not hash to the attested hash: 422, nothing stored.
    let listening = read_paths(
        &[people[0].2.join("StreamingHistory_music_0.json")],
        &Limits::default(),
    )
    .unwrap();
    let mut records = Records::of(&listening);
    let export = std::fs::read(people[0].2.join("StreamingHistory_music_0.json")).unwrap();
    let (status, att) = http(
        &svc,
        &env,
        reqwest::Client::new()
            .post(format!(
                "{}/attest?wallet={}",
                svc.url,
                people[0].0.pubkey()
            ))
            .body(export),
    );
    assert_eq!(status, 200, "{att}");
    records.plays[0].ms += 1;
    let (status, v) = http(
        &svc,
        &env,
        reqwest::Client::new()
            .put(format!("{}/v1/records", svc.url))
            .body(json!({"attestation": att, "records": records}).to_string()),
    );
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "records");
    // A forged attestation: 422 too.
    let mut forged = att.clone();
    forged["score"] = json!(999);
    records.plays[0].ms -= 1;
    let (status, v) = http(
        &svc,
        &env,
        reqwest::Client::new()
            .put(format!("{}/v1/records", svc.url))
            .body(json!({"attestation": forged, "records": records}).to_string()),
    );
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"], "attestation");
    assert_eq!(
        env.block(store.list(&records_prefix(&pool_key)))
            .unwrap()
            .len(),
        3
    );

    // An aggregate sale: approved, delivered into the S3 store by the custodian.
    let (buyer_kp, buyer) = env.keypair("buyer", 10);
    env.token_account(&made.mint, &buyer_kp.pubkey(), 1_000_000_000);
    let slice = ["--slice", "aggregate:k=2"];
    let o = env.ok(&[
        &[
            "-k", &buyer, "-y", "offer", "create", &made.pool, "--price", "500",
        ][..],
        &slice,
    ]
    .concat());
    let offer = s(&o, "offer").to_string();
    assert_eq!(s(&o, "slice"), "aggregate:k=2");
    for (_, path, _) in &people {
        if env.ok(&["offer", "show", &offer])["decision"].is_null() {
            env.ok(&["-k", path, "-y", "vote", &offer, "--approve"]);
        }
    }
    env.ok(&["-k", &made.curator, "-y", "offer", "finalize", &offer]);
    assert_eq!(
        s(&env.ok(&["offer", "show", &offer]), "slice"),
        "aggregate:k=2"
    );
    // The custodian crashes mid-delivery: the files and manifest are stored, nothing is sent.
    // Nothing is paid, and delivering again rebuilds, stores over the same keys and pays once.
    let custodian_kp =
        data_pool_cli::signer::read_keypair(Path::new(&made.custodian)).expect("custodian");
    let offer_key = offer.parse().unwrap();
    env.block(async {
        let o = data_pool_client::query::offer(&env.chain, &PROGRAM_ID, &offer_key)
            .await
            .unwrap();
        let terms = data_pool_client::dataset::Terms::of_offer(&o.terms_hash, &o.terms_uri)
            .expect("the offer carries its terms");
        let mut prep = custody::prepare(&env.chain, &PROGRAM_ID, &offer_key, &terms)
            .await
            .unwrap();
        prep.build(&store, &custodian_kp, &PROGRAM_ID, &offer_key)
            .await
            .unwrap();
    });
    assert_eq!(
        s(&env.ok(&["offer", "show", &offer]), "state"),
        "awaiting-delivery"
    );
    // The offer carries its terms: the custodian reads the slice from it.
    let deliver = [
        "-k",
        &made.custodian,
        "--fee-payer",
        &made.curator,
        "-y",
        "custodian",
        "deliver",
        &offer,
        "--store",
        &url,
    ];
    let dl = env.ok(&deliver);
    assert_eq!(n(&dl, "contributions"), 3);
    assert_eq!(n(&dl, "fee") + n(&dl, "net"), 500_000_000);
    // Delivered once: a further attempt is refused.
    let e = env.fails(&deliver, EXIT_FAILED);
    assert!(e.message.contains("not awaiting delivery"), "{}", e.message);

    // The buyer fetches from the service with a signed request, and it verifies.
    let out = d.join("bought");
    let out_s = out.display().to_string();
    let f = svc
        .run(
            &env,
            &[
                "-k", &buyer, "dataset", "fetch", &offer, "--from", &svc.url, "--out", &out_s,
            ],
        )
        .expect("fetch");
    assert_eq!(n(&f, "contributions"), 3);
    assert!(n(&f, "rows") > 0);
    for name in [
        "manifest.json",
        "tracks.parquet",
        "artists.parquet",
        "days.parquet",
    ] {
        assert!(out.join(name).is_file(), "{name}");
    }
    // Björk and Radiohead were heard by all three: kept. Each encore was heard by one: left out.
    let artists = data_pool_client::dataset::read_aggregate(
        std::fs::read(out.join("artists.parquet")).unwrap(),
    )
    .unwrap();
    assert!(artists
        .iter()
        .any(|a| a.key == ["Radiohead"] && a.listeners == 3));
    assert!(artists.iter().all(|a| a.listeners >= 2));

    // Anyone else is refused by the service itself: unsigned, a stranger, a stale request.
    let file = "artists.parquet.age";
    let (status, v) = http(
        &svc,
        &env,
        reqwest::Client::new().get(format!("{}/v1/deliveries/{offer}/{file}", svc.url)),
    );
    assert_eq!(status, 401, "{v}");
    let stranger = Keypair::new();
    let (status, v) = http(
        &svc,
        &env,
        signed(&svc.url, &offer, file, &stranger, now_unix()),
    );
    assert_eq!(status, 403, "{v}");
    let (status, v) = http(
        &svc,
        &env,
        signed(&svc.url, &offer, file, &buyer_kp, now_unix() - 3_600),
    );
    assert_eq!(status, 401, "{v}");
    let (status, _) = http(
        &svc,
        &env,
        signed(&svc.url, &offer, file, &buyer_kp, now_unix()),
    );
    assert_eq!(status, 200);
    let (status, _) = http(
        &svc,
        &env,
        signed(&svc.url, &offer, "../x", &buyer_kp, now_unix()),
    );
    assert!(status == 400 || status == 404, "{status}");

    // A tampered object in the S3 store: the buyer gets a verification failure, not wrong data.
    let sealed_path = server
        .root
        .join("datapool/pool-a/deliveries")
        .join(&offer)
        .join("days.parquet.age");
    let mut bytes = std::fs::read(&sealed_path).expect("stored object");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&sealed_path, &bytes).unwrap();
    let out2 = d.join("bought-again").display().to_string();
    let e = svc
        .run(
            &env,
            &[
                "-k", &buyer, "dataset", "fetch", &offer, "--from", &svc.url, "--out", &out2,
            ],
        )
        .unwrap_err();
    assert_eq!(e.code, EXIT_FAILED);
    assert!(e.message.contains("does not match"), "{}", e.message);
    assert!(!Path::new(&out2).exists());

    // A contributor revokes: the next sweep deletes their stored records, and only theirs.
    let mine = env.ok(&[
        "contribution",
        "list",
        &made.pool,
        "--contributor",
        &people[2].0.pubkey().to_string(),
    ]);
    let addr = s(&mine[0], "address").to_string();
    env.ok(&["-k", &people[2].1, "-y", "contribution", "revoke", &addr]);
    let w = env.ok(&[
        "custodian",
        "sweep",
        &made.pool,
        "--store",
        &url,
        "--grace",
        "0s",
    ]);
    assert_eq!(n(&w, "kept"), 2);
    assert_eq!(w["deleted"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        env.block(store.list(&records_prefix(&pool_key)))
            .unwrap()
            .len(),
        2
    );
    let w = env.ok(&["custodian", "sweep", &made.pool, "--store", &url]);
    assert_eq!(w["deleted"].as_array().map(Vec::len), Some(0));
    let _ = std::fs::remove_dir_all(&d);
}
