//! `datapool audit` and `datapool events` on the embedded chain: a clean pool passes with its
//! history cross-checked; each invariant, broken by overwriting one account, is found with the
//! exact account and exit code 1; the HTML report renders in headless Chromium.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::{AccountDeserialize, AccountSerialize};
use anchor_spl::token_2022::spl_token_2022;
use data_pool::state::{Contributor, Offer};
use data_pool_cli::{EXIT_FAILED, EXIT_INPUT};
use data_pool_client::pda::*;
use data_pool_client::PROGRAM_ID;
use data_pool_tests::cli::{n, s, scenario, CliEnv, Scenario};
use serde_json::Value;

/// The contributor record of the scenario's `i`-th wallet (each contributed once).
fn record_of(env: &CliEnv, sc: &Scenario, i: usize) -> Pubkey {
    let list = env.ok(&[
        "contribution",
        "list",
        &sc.pool,
        "--contributor",
        &sc.wallets[i].to_string(),
    ]);
    pk(s(&list[0], "address"))
}

fn audit(env: &CliEnv, pool: &str) -> (i32, Value) {
    let r = env.report(&["audit", pool]).expect("audit runs");
    (r.code, r.json)
}

/// Rewrites a program account through its Anchor type.
fn rewrite<T: AccountDeserialize + AccountSerialize>(
    env: &CliEnv,
    addr: &Pubkey,
    f: impl FnOnce(&mut T),
) {
    env.chain.with_svm(|svm| {
        let mut acc = svm.get_account(addr).expect("account");
        let mut v = T::try_deserialize(&mut acc.data.as_slice()).expect("decode");
        f(&mut v);
        let mut buf = Vec::new();
        v.try_serialize(&mut buf).expect("encode");
        acc.data[..buf.len()].copy_from_slice(&buf);
        svm.set_account(*addr, acc).expect("set");
    });
}

/// Rewrites a token account's amount.
fn set_token_amount(env: &CliEnv, addr: &Pubkey, f: impl FnOnce(u64) -> u64) {
    env.chain.with_svm(|svm| {
        let mut acc = svm.get_account(addr).expect("token account");
        let mut t = spl_token_2022::state::Account::unpack_from_slice(&acc.data).expect("unpack");
        t.amount = f(t.amount);
        t.pack_into_slice(&mut acc.data);
        svm.set_account(*addr, acc).expect("set");
    });
}

fn failing(report: &Value) -> Vec<u64> {
    report["invariants"]
        .as_array()
        .expect("invariants")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["number"].as_u64().expect("number"))
        .collect()
}

fn finding_accounts(report: &Value, invariant: u64) -> Vec<String> {
    report["invariants"][(invariant - 1) as usize]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["account"].as_str().expect("account").to_string())
        .collect()
}

fn pk(s: &str) -> Pubkey {
    s.parse().expect("pubkey")
}

fn setup() -> (CliEnv, Scenario) {
    let env = CliEnv::new();
    let sc = scenario(&env);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, 0, "clean pool: {r:#}");
    (env, sc)
}

#[test]
fn a_clean_pool_passes_with_its_history_cross_checked() {
    let (env, sc) = setup();
    let (_, r) = audit(&env, &sc.pool);
    assert_eq!(r["ok"], true);
    assert!(failing(&r).is_empty());
    let h = &r["history"];
    assert!(
        h["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .all(|c| c["ok"] == true),
        "{h:#}"
    );
    assert!(n(h, "transactions") >= 20, "{h}");
    assert_eq!(n(&r, "contributors"), 3, "four contributed, one left");
    assert_eq!(r["offers"].as_array().map(Vec::len), Some(3));
    assert_eq!(s(&r["offers"][0], "state"), "accepted");
    // Vault series: +net at the sale, −each claim (three, and the fourth on leaving).
    let series = h["vaultSeries"].as_array().expect("series");
    assert_eq!(series.len(), 1 + 4);
    assert_eq!(series[0]["event"], "sale");
    let g = r["gini"].as_f64().expect("gini");
    assert!(g > 0.0 && g < 1.0, "{g}");

    // The event history, decoded by the IDL.
    let events = env.ok(&["events", &sc.pool]);
    let list = events.as_array().expect("events");
    assert_eq!(s(&list[0], "name"), "PoolCreated");
    assert_eq!(s(&list[0]["data"], "name"), "audited");
    let votes = list.iter().filter(|e| e["name"] == "VoteCast").count();
    assert_eq!(votes, 8); // everyone, until the votes decided each offer
    let released = list
        .iter()
        .filter(|e| e["name"] == "VoteBitmapReleased")
        .count();
    assert_eq!(released, 2, "the accepted and the rejected offer's bitmaps");
    let claim = list
        .iter()
        .find(|e| e["name"] == "PayoutClaimed")
        .expect("claim");
    assert!(n(&claim["data"], "amount") > 0);
    assert_eq!(
        env.ok(&["events", &sc.pool, "--limit", "2"])
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let e = env.fails(&["events", &sc.pool, "--follow"], EXIT_INPUT);
    assert!(e.message.contains("--follow needs a node"), "{}", e.message);
}

#[test]
fn not_a_pool_cannot_be_audited() {
    let (env, sc) = setup();
    let e = env.fails(&["audit", &sc.offers[0]], EXIT_INPUT);
    assert!(e.message.contains("is not a pool"), "{}", e.message);
    let e = env.fails(&["audit", "nonsense"], EXIT_INPUT);
    assert!(
        e.message.contains("not a valid pool address"),
        "{}",
        e.message
    );
}

#[test]
fn invariant_1_weight_corrupted() {
    let (env, sc) = setup();
    let record = record_of(&env, &sc, 1);
    // An active record with no weight: the record is wrong, and the pool's total no longer adds up.
    rewrite::<Contributor>(&env, &record, |c| c.weight = 0);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![1]);
    let accounts = finding_accounts(&r, 1);
    assert!(accounts.contains(&record.to_string()), "{accounts:?}");
    assert!(
        accounts.contains(&sc.pool),
        "pool total no longer matches: {accounts:?}"
    );
}

#[test]
fn invariant_2_vault_balance_corrupted() {
    let (env, sc) = setup();
    let vault = find_vault_pda(&PROGRAM_ID, &pk(&sc.pool)).0;
    set_token_amount(&env, &vault, |a| a - 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert!(failing(&r).contains(&2), "{:?}", failing(&r));
    assert_eq!(finding_accounts(&r, 2), vec![vault.to_string()]);
    let f = &r["invariants"][1]["findings"][0];
    assert_eq!(n(f, "expected") - 1, n(f, "actual"));
}

#[test]
fn invariant_3_entitlements_exceed_the_vault() {
    let (env, sc) = setup();
    let record = record_of(&env, &sc, 2);
    // Pretend this contributor is owed far more than the vault holds (state only; vault untouched).
    rewrite::<Contributor>(&env, &record, |c| c.owed_q64 += 1_000_000_000u128 << 64);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![3]);
    let vault = find_vault_pda(&PROGRAM_ID, &pk(&sc.pool)).0;
    assert_eq!(finding_accounts(&r, 3), vec![vault.to_string()]);
}

#[test]
fn invariant_4_escrow_corrupted() {
    let (env, sc) = setup();
    let open = pk(&sc.offers[2]);
    set_token_amount(&env, &find_escrow_pda(&PROGRAM_ID, &open).0, |a| a + 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![4]);
    assert_eq!(finding_accounts(&r, 4), vec![open.to_string()]);
}

#[test]
fn invariant_5_vote_bitmap_corrupted() {
    let (env, sc) = setup();
    // A bit set in the open offer's bitmap that no vote set.
    let open = pk(&sc.offers[2]);
    env.chain.with_svm(|svm| {
        let mut acc = svm.get_account(&open).expect("offer");
        let last = acc.data.len() - 1;
        assert!(last >= Offer::BITMAP_AT, "an open offer carries its bitmap");
        acc.data[Offer::BITMAP_AT] ^= 0b1000_0000;
        svm.set_account(open, acc).expect("set");
    });
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![5]);
    assert_eq!(finding_accounts(&r, 5), vec![open.to_string()]);
}

#[test]
fn a_settled_tally_disagreeing_with_its_votes_is_found_in_the_history() {
    let (env, sc) = setup();
    let rejected = pk(&sc.offers[1]);
    rewrite::<Offer>(&env, &rejected, |o| o.no_weight += 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(
        failing(&r),
        Vec::<u64>::new(),
        "chain state alone cannot see it"
    );
    assert_eq!(
        failing_history(&r),
        vec![8],
        "Σ VoteCast weights = yes + no"
    );
}

#[test]
fn invariant_6_unregistered_attestor() {
    let (env, sc) = setup();
    let addr = record_of(&env, &sc, 0);
    rewrite::<Contributor>(&env, &addr, |c| c.attestor = Pubkey::new_unique());
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![6]);
    assert_eq!(finding_accounts(&r, 6), vec![addr.to_string()]);
}

#[test]
fn invariant_7_fees_corrupted() {
    // The fee vault short of what was paid in.
    let (env, sc) = setup();
    let fee_vault = find_fee_vault_pda(&PROGRAM_ID, &pk(&sc.pool)).0;
    set_token_amount(&env, &fee_vault, |a| a - 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![7]);
    assert_eq!(finding_accounts(&r, 7), vec![fee_vault.to_string()]);
    // An accepted offer that paid another fee than its rate says.
    let (env, sc) = setup();
    let accepted = pk(&sc.offers[0]);
    rewrite::<Offer>(&env, &accepted, |o| o.fee_bps += 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![7]);
    assert_eq!(finding_accounts(&r, 7), vec![accepted.to_string()]);
}

#[test]
fn invariant_8_open_offer_count_corrupted() {
    let (env, sc) = setup();
    rewrite::<data_pool::state::Pool>(&env, &pk(&sc.pool), |p| p.open_offer_count = 0);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![8]);
    assert_eq!(finding_accounts(&r, 8), vec![sc.pool.clone()]);
}

#[test]
fn a_closed_record_hidden_from_the_count_is_found_twice() {
    // The scenario's fourth contributor left: its record is closed, and the pool counts it.
    let (env, sc) = setup();
    rewrite::<data_pool::state::Pool>(&env, &pk(&sc.pool), |p| p.closed_contributor_count = 0);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    // Chain state alone: a record index is unaccounted for; history: a closure is missing.
    assert_eq!(failing(&r), vec![1]);
    assert_eq!(finding_accounts(&r, 1), vec![sc.pool.clone()]);
    assert_eq!(failing_history(&r), vec![12]);
}

fn failing_history(report: &Value) -> Vec<u64> {
    report["history"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["number"].as_u64().expect("n"))
        .collect()
}

#[test]
fn invariant_9_and_history_10_delivery_receipts_corrupted() {
    // An accepted offer whose recorded custodian the pool never registered.
    let (env, sc) = setup();
    let accepted = pk(&sc.offers[0]);
    rewrite::<Offer>(&env, &accepted, |o| o.custodian = Pubkey::new_unique());
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![9]);
    assert_eq!(finding_accounts(&r, 9), vec![accepted.to_string()]);
    // A stored receipt that names another set than the one paid: the history replay finds it.
    let (env, sc) = setup();
    let accepted = pk(&sc.offers[0]);
    rewrite::<Offer>(&env, &accepted, |o| o.receipt.set_hash[0] ^= 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert!(failing(&r).is_empty());
    assert_eq!(failing_history(&r), vec![10]);
    // A pool whose set hash is not where its events lead.
    let (env, sc) = setup();
    rewrite::<data_pool::state::Pool>(&env, &pk(&sc.pool), |p| p.set_hash[5] ^= 1);
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing_history(&r), vec![10]);
}

#[test]
fn history_disagreeing_with_state_is_found() {
    let (env, sc) = setup();
    // The pool claims fewer fees than its sales paid: the fee invariant and the history both
    // disagree.
    env.chain.with_svm(|svm| {
        let addr = pk(&sc.pool);
        let mut acc = svm.get_account(&addr).expect("pool");
        let mut p =
            data_pool::state::Pool::try_deserialize(&mut acc.data.as_slice()).expect("pool");
        p.total_fees -= 1;
        let mut buf = Vec::new();
        p.try_serialize(&mut buf).expect("encode");
        acc.data[..buf.len()].copy_from_slice(&buf);
        svm.set_account(addr, acc).expect("set");
    });
    let (code, r) = audit(&env, &sc.pool);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(failing(&r), vec![7]);
    assert_eq!(failing_history(&r), vec![6], "fees cross-check");
}

#[test]
fn html_report_renders_in_headless_chromium() {
    let (env, sc) = setup();
    let html = env.path("audit.html");
    let r = env
        .report(&["audit", &sc.pool, "--html", &html])
        .expect("audit");
    assert_eq!(r.code, 0);
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("All invariants hold") && page.contains("<svg") && page.contains("Gini"));
    for needle in ["src=\"http", "href=\"http", "<script", "@import", "url("] {
        assert!(
            !page.contains(needle),
            "the page must not fetch anything: {needle}"
        );
    }
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok()
        })
        .expect("headless Chromium is needed: scripts/prereqs.sh --tests installs it");
    let shot = env.path("audit.png");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--screenshot={shot}"))
        .args(["--window-size=1000,2600", &format!("file://{html}")])
        .output()
        .expect("run chromium");
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}); chromium said:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // To look at it: DATAPOOL_AUDIT_SCREENSHOT=/tmp/audit.png cargo test --test audit html
    if let Ok(keep) = std::env::var("DATAPOOL_AUDIT_SCREENSHOT") {
        std::fs::copy(&shot, &keep).expect("keep screenshot");
        std::fs::copy(&html, format!("{keep}.html")).expect("keep page");
    }
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert!(
        png.len() > 20_000,
        "a real page, not a blank one: {} bytes",
        png.len()
    );
}
