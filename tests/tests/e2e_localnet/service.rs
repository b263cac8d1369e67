//! The attestor service on the validator: an export attested and submitted in one command, a
//! grown export replacing it, and the same person refused from another wallet.

use data_pool_client::chain::Chain;
use data_pool_tests::cli::n;
use solana_signer::Signer;

use super::harness::*;
use super::Sale;

/// The attestor service scores a Spotify export and the contributor submits it in one command;
/// her grown export replaces her contribution, and the same person from another wallet is
/// refused.
pub(crate) fn attestor_service_attests_an_export(x: &Sale) {
    let e = &x.e;
    let (mut service, service_err, _) = spawn_datapool(&[
        "-u",
        &e.url,
        "-k",
        &x.attestor,
        "attestor",
        "serve",
        "--pool",
        &x.pool,
        "--bind",
        "127.0.0.1:18787",
        "--store",
        &x.s3.url("e2e"),
        "--identity-index",
        &e.dir.0.join("identity-index.jsonl").display().to_string(),
    ]);
    wait_for_line(&service_err, "serving", 30);
    let export = e.dir.0.join("export");
    std::fs::create_dir_all(&export).expect("dir");
    data_pool_tests::spotify::account_export(&export);
    let (dora_kp, dora) = e.keypair("dora");
    x.rt.block_on(x.chain.airdrop(&dora_kp.pubkey(), SOL))
        .expect("airdrop");
    let export_s = export.display().to_string();
    let contribute = [
        "-k",
        &dora,
        "-y",
        "contribute",
        &x.pool,
        "--file",
        &export_s,
        "--attestor-url",
        "http://127.0.0.1:18787",
    ];
    let c = e.ok(&contribute);
    assert_eq!(n(&c, "weight"), 102, "the documented score of the fixture");
    // Her records went to the S3 store, encrypted to the pool's custodian, beside the three
    // stored for the first contributors.
    let store = data_pool_client::store::Store::open(&x.s3.url("e2e")).expect("store");
    let pool = x.pool.parse().expect("pool");
    let stored =
        x.rt.block_on(store.list(&data_pool_client::store::records_prefix(&pool)))
            .expect("list");
    assert_eq!(stored.len(), 4);
    // A month later her export has one more play: the same person, so it replaces her
    // contribution (one record, the new weight) instead of adding one.
    let mut grown: Vec<serde_json::Value> = data_pool_tests::spotify::HISTORY
        .iter()
        .map(data_pool_tests::spotify::account_record)
        .collect();
    grown.push(serde_json::json!({"endTime": "2024-03-01 09:00", "artistName": "Sade", "trackName": "Kiss of Life", "msPlayed": 260_000}));
    let grown_dir = e.dir.0.join("grown");
    std::fs::create_dir_all(&grown_dir).expect("dir");
    data_pool_tests::spotify::write_json(
        &grown_dir,
        "StreamingHistory_music_0.json",
        &grown,
        false,
    );
    let grown_s = grown_dir.display().to_string();
    let mut again = contribute;
    again[6] = &grown_s;
    let before = e.ok(&["pool", "show", &x.pool]);
    let r = e.ok(&again);
    assert_eq!(r["replaced"], 102);
    assert!(n(&r, "weight") > 102);
    let after = e.ok(&["pool", "show", &x.pool]);
    assert_eq!(
        n(&after, "activeContributionCount"),
        n(&before, "activeContributionCount")
    );
    assert_eq!(
        n(&after, "totalWeight"),
        n(&before, "totalWeight") - 102 + n(&r, "weight")
    );
    // Another wallet with her export: the same person, refused before anything is sent.
    let (eve_kp, eve) = e.keypair("eve");
    x.rt.block_on(x.chain.airdrop(&eve_kp.pubkey(), SOL))
        .expect("airdrop");
    let mut stolen = contribute;
    stolen[1] = &eve;
    e.fails(&stolen, 1, "IdentityTaken");
    let _ = service.kill();
    let _ = service.wait();
}
