//! The performance benchmark: compute units of every instruction (min /
//! median / max over runs with varied keys), account sizes and rent, what a contributor pays over
//! a lifetime, flat scaling from 1 to 10,000 contributors, and a full sale cycle with 10,000
//! contributors. Prints one markdown table per part and writes everything as JSON.
//!
//! `cargo run -p data-pool-tests --bin bench -- [--runs N] [--json FILE] [--sol-usd PRICE] [--quick]`

use std::collections::BTreeMap;
use std::time::Instant;

use anchor_lang::prelude::Pubkey;
use anchor_lang::Space;
use data_pool::state::{Attestor, Contributor, Offer, Pool};
use data_pool_client::instructions as dix;
use data_pool_tests::cu::{sample_run, stats, target_of};
use data_pool_tests::*;
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// Votes per second, one at a time and 32 in flight, on a pool of `n` voters per offer: the
/// story engine's steps against a node.
async fn throughput(url: &str, n: usize) -> (f64, f64, usize) {
    use data_pool_client::chain::rpc::RpcChain;
    use data_pool_client::story::{Person, Silent, Stage};

    let chain = RpcChain::new(
        url,
        solana_commitment_config::CommitmentConfig::confirmed(),
        std::time::Duration::from_secs(30),
    );
    let mut stage = Stage::new(&chain, PROGRAM_ID, Keypair::new(), &Silent);
    stage.send_opts.fetch_logs = false;
    stage.ensure_funded(100 * SOL).await.expect("airdrop");
    let market = stage
        .market(6, Keypair::new(), 10_000_000_000)
        .await
        .expect("market");
    let attestor = Keypair::new();
    let pool = stage
        .pool(
            &market,
            dix::PoolCreateArgs {
                name: format!("tp-{}", &market.mint.pubkey().to_string()[..6]),
                params: data_pool::state::PoolParams {
                    fee_bps: 0,
                    quorum_bps: 10_000,
                    approval_bps: 10_000,
                    voting_period: 3_600,
                    min_offer_price: 1,
                    max_score: 1_000,
                    delivery_period: 86_400,
                },
                claim_window: dix::DEFAULT_CLAIM_WINDOW,
            },
            std::slice::from_ref(&attestor),
            &[],
        )
        .await
        .expect("pool");
    let salt = u64::from(market.mint.pubkey().to_bytes()[0]) << 32;
    let people: Vec<Person> = (0..n as u64)
        .map(|i| Person {
            wallet: Keypair::new(),
            identity: data_pool_tests::person(&hash_of("throughput", salt + i)),
            data_hash: hash_of("throughput", salt + i),
            score: 10,
        })
        .collect();
    stage
        .contribute(&pool, &people, std::slice::from_ref(&attestor), 32)
        .await
        .expect("contributions");
    let state = data_pool_client::query::pool(&chain, &PROGRAM_ID, &pool)
        .await
        .expect("pool");
    let tokens = dix::PoolTokens::of(&state);
    let mut offers = Vec::new();
    for i in 0..2u64 {
        let o = dix::offer_create(
            &PROGRAM_ID,
            &stage.payer.pubkey(),
            &market.buyer.pubkey(),
            &pool,
            &tokens,
            &market.buyer_account,
            &market.buyer_account,
            dix::OfferCreateArgs {
                index: i,
                price: 1_000,
                terms_hash: [7; 32],
                terms_uri: String::new(),
            },
        );
        offers.push(data_pool_client::pda::find_offer_pda(&PROGRAM_ID, &pool, i).0);
        stage.send(&[o], &[&market.buyer]).await.expect("offer");
    }
    let votes = || people.iter().map(|p| (p, true)).collect::<Vec<_>>();
    let t = Instant::now();
    stage
        .vote(&pool, &offers[0], votes(), 1)
        .await
        .expect("votes");
    let seq = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    stage
        .vote(&pool, &offers[1], votes(), 32)
        .await
        .expect("votes");
    let conc = n as f64 / t.elapsed().as_secs_f64();
    (seq, conc, n)
}

/// The floor: a baseline Anchor instruction (PDA init + event) and a bare `transfer_checked` CPI,
/// from `programs/cu_reference`, built like data_pool. Returns (init, transfer) samples.
fn reference_points(runs: u64) -> (Vec<u64>, Vec<u64>) {
    use anchor_lang::solana_program::instruction::Instruction;
    use anchor_lang::{InstructionData, ToAccountMetas};
    let so = program_path().with_file_name("cu_reference.so");
    let mut env = Env::new();
    env.svm
        .add_program_from_file(cu_reference::ID, &so)
        .expect("cu_reference.so (scripts/build-sbf.sh builds it)");
    let (mut init, mut transfer) = (Vec::new(), Vec::new());
    let tp = anchor_spl::token::ID;
    for _ in 0..runs {
        let owner = Keypair::new();
        env.fund(&owner.pubkey(), SOL);
        let record =
            Pubkey::find_program_address(&[b"record", owner.pubkey().as_ref()], &cu_reference::ID)
                .0;
        let ix = Instruction {
            program_id: cu_reference::ID,
            accounts: cu_reference::accounts::InitRecord {
                owner: owner.pubkey(),
                record,
                system_program: anchor_lang::system_program::ID,
            }
            .to_account_metas(None),
            data: cu_reference::instruction::InitRecord { value: 7 }.data(),
        };
        init.push(env.send(&[ix], &[&owner]).expect("init_record"));
        let mint = env.create_mint(&tp, &owner.pubkey(), 6, &[]);
        let from = env.create_token_account(&tp, &mint, &owner.pubkey());
        let to = env.create_token_account(&tp, &mint, &Keypair::new().pubkey());
        env.mint_to(&tp, &mint, &owner, &from, 1_000, 6);
        let ix = Instruction {
            program_id: cu_reference::ID,
            accounts: cu_reference::accounts::Transfer {
                authority: owner.pubkey(),
                from,
                mint,
                to,
                token_program: tp,
            }
            .to_account_metas(None),
            data: cu_reference::instruction::Transfer { amount: 10 }.data(),
        };
        transfer.push(env.send(&[ix], &[&owner]).expect("transfer"));
    }
    (init, transfer)
}

fn main() {
    let mut runs = 25u64;
    let mut json_path = String::from("target/bench.json");
    let mut sol_usd = 150.0f64;
    let mut quick = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--json" => json_path = args.next().expect("--json FILE"),
            "--sol-usd" => {
                sol_usd = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--sol-usd PRICE")
            }
            "--quick" => quick = true,
            other => {
                panic!("unknown argument {other} (--runs N, --json FILE, --sol-usd PRICE, --quick)")
            }
        }
    }
    let mut out = serde_json::Map::new();

    // 1. Compute units per instruction.
    let mut cu: BTreeMap<&'static str, Vec<u64>> = BTreeMap::new();
    for r in 0..runs {
        sample_run(r, &mut cu);
    }
    println!("## Compute units per instruction ({runs} runs, varied keys)\n");
    println!(
        "| instruction | min | median | max | samples | target (min) |\n|---|---|---|---|---|---|"
    );
    let mut cu_json = serde_json::Map::new();
    for (name, v) in &cu {
        let (lo, med, hi) = stats(v);
        let target = target_of(name);
        let verdict = match target {
            Some(t) if lo <= t => format!("≤ {t} ✓"),
            Some(t) => format!("≤ {t} ✗"),
            None => String::new(),
        };
        println!(
            "| `{name}` | {lo} | {med} | {hi} | {} | {verdict} |",
            v.len()
        );
        cu_json.insert(
            name.to_string(),
            json!({ "min": lo, "median": med, "max": hi, "samples": v.len(), "target": target, "met": target.map(|t| lo <= t) }),
        );
    }
    out.insert("computeUnits".into(), cu_json.into());
    let (init, transfer) = reference_points(runs.min(25));
    println!("\n## Reference points (programs/cu_reference, same build)\n");
    println!("| reference | min | median | max |\n|---|---|---|---|");
    let (a, b, c) = stats(&init);
    println!("| baseline Anchor instruction: PDA `init` + event | {a} | {b} | {c} |");
    let (d, e, f) = stats(&transfer);
    println!("| bare `transfer_checked` CPI | {d} | {e} | {f} |");
    out.insert("reference".into(), json!({ "anchorInitPlusEvent": { "min": a, "median": b, "max": c }, "transferChecked": { "min": d, "median": e, "max": f } }));

    // 2. Account sizes and rent; a contributor's lifetime cost.
    let env = Env::new();
    let rent = |len: usize| env.svm.minimum_balance_for_rent_exemption(len);
    // The program itself: its ProgramData account holds a 45-byte header and the `.so`.
    let so_len = std::fs::metadata(program_path()).map_or(0, |m| m.len());
    let program_rent = rent(45 + so_len as usize);
    println!(
        "\n## Program\n\n| `.so` bytes | deploy rent (SOL) | target |\n|---|---|---|\n| {so_len} | {:.2} | ≤ 500 KB {} |",
        program_rent as f64 / 1e9,
        if so_len <= 500 * 1024 { "✓" } else { "✗" }
    );
    out.insert(
        "program".into(),
        json!({ "soBytes": so_len, "deployRentLamports": program_rent }),
    );
    let sizes = [
        ("Pool", 8 + Pool::INIT_SPACE),
        ("Attestor", 8 + Attestor::INIT_SPACE),
        ("Contributor (one per person)", 8 + Contributor::INIT_SPACE),
        ("Offer", 8 + Offer::INIT_SPACE),
        ("token account (vault, escrow, claim ATA)", 165),
    ];
    println!("\n## Accounts\n\n| account | bytes | rent-exempt minimum (SOL) |\n|---|---|---|");
    let mut acc_json = serde_json::Map::new();
    for (name, len) in sizes {
        let r = rent(len);
        println!("| {name} | {len} | {:.6} |", r as f64 / 1e9);
        acc_json.insert(name.into(), json!({ "bytes": len, "rentLamports": r }));
    }
    out.insert("accounts".into(), acc_json.into());
    // A vote is one bit of the offer's bitmap, paid by the offer's rent payer while voting is
    // open and returned to it when voting ends.
    let vote = rent(Offer::space(8_000_000)) - rent(Offer::BITMAP_AT);
    let vote_bit = vote as f64 / 8_000_000.0;
    println!(
        "| vote (1 bit of the offer's vote bitmap, while voting is open) | 1/8 | {:.9} |",
        vote_bit / 1e9
    );
    out.insert("voteDepositLamports".into(), json!(vote_bit));
    // Measured on the program: balances before and after each party's lifetime.
    let l = data_pool_tests::lifetime::measure();
    let usd = |lamports: u64| lamports as f64 / 1e9 * sol_usd;
    let pct = |lamports: u64| usd(lamports) / 5.0 * 100.0;
    let target = 333_333u64;
    let mark = |v: u64| if v <= target { "✓" } else { "✗" };
    println!("\n## A contributor's lifetime (join with one contribution, vote on one offer, claim and leave in one transaction), measured\n");
    println!("| | fees | rent paid | rent returned | net | at ${sol_usd}/SOL | of a $5 payout | target ≤ {target} |\n|---|---|---|---|---|---|---|---|");
    for (who, p) in [
        ("self-paid contributor", l.self_paid),
        ("relayer paying for a contributor", l.relayer),
    ] {
        println!(
            "| {who} | {} | {} | {} | {} | ${:.3} | {:.2} % | {} |",
            p.fees,
            p.rent_paid,
            p.rent_returned,
            p.net,
            usd(p.net),
            pct(p.net),
            mark(p.net)
        );
    }
    println!(
        "\nFees count 5,000 lamports per signature, the attestation's Ed25519 precompile signature included. \
         The relayed contributor's balance fell by {}. The payout goes to a token account the contributor holds; a wallet without one \
         first pays {} for it (its own account: it keeps the payout, and the rent comes back when the wallet closes it). \
         {} stays locked in program records after the contributor left.",
        l.relayed_contributor_net, l.claim_account_rent, l.locked_after_leaving
    );
    let deposit = rent(8 + Contributor::INIT_SPACE);
    let contributors = 18_000u64;
    let bitmap = rent(Offer::space(contributors)) - rent(Offer::BITMAP_AT);
    let license = rent(Offer::BITMAP_AT);
    println!(
        "\n| deposit | lamports | target |\n|---|---|---|\n| per active contributor (records) | {deposit} | ≤ 2,200,000 {} |\n| per vote (one bitmap bit, while voting is open; 0 after) | {:.0} | ≤ 100,000 ✓ |\n| at {contributors} contributors, peak (records + one open offer's bitmap) | {} ({:.2} SOL) | |\n| at {contributors} contributors, after all of them left | {} ({:.2} SOL) | |\n| after the pool closed (the sale's accepted offer stays: the buyer's license) | {license} ({:.4} SOL) | |",
        if deposit <= 2_200_000 { "✓" } else { "✗" },
        vote_bit,
        contributors * deposit + bitmap,
        (contributors * deposit + bitmap) as f64 / 1e9,
        l.locked_after_leaving * contributors,
        (l.locked_after_leaving * contributors) as f64 / 1e9,
        license as f64 / 1e9,
    );
    out.insert("lifetime".into(), json!({
        "selfPaid": { "fees": l.self_paid.fees, "rentPaid": l.self_paid.rent_paid, "rentReturned": l.self_paid.rent_returned, "net": l.self_paid.net },
        "relayer": { "fees": l.relayer.fees, "rentPaid": l.relayer.rent_paid, "rentReturned": l.relayer.rent_returned, "net": l.relayer.net },
        "relayedContributorNet": l.relayed_contributor_net,
        "claimAccountRent": l.claim_account_rent,
        "lockedAfterLeaving": l.locked_after_leaving,
        "depositPerActiveContributor": deposit,
        "depositPerVote": vote_bit,
        "lockedAt18000Peak": contributors * deposit + bitmap,
        "lockedAt18000AfterLeaving": l.locked_after_leaving * contributors,
        "lockedAfterPoolClosePerAcceptedSale": license,
        "solUsd": sol_usd,
    }));

    // 3. Scaling.
    let sizes: &[u64] = if quick {
        &[1, 100, 1_000]
    } else {
        &[1, 100, 1_000, 10_000]
    };
    println!("\n## Scaling (fixed probe keys; CU with N contributors already in the pool)\n");
    println!("| contributors | contribution_submit | offer_vote | offer_finalize | offer_deliver | payout_claim |\n|---|---|---|---|---|---|");
    let mut scale_json = Vec::new();
    for &n in sizes {
        let f = measure_instructions(n.saturating_sub(1));
        println!(
            "| {n} | {} | {} | {} | {} | {} |",
            f.contribution_submit,
            f.offer_vote,
            f.offer_finalize_approve,
            f.offer_deliver,
            f.payout_claim
        );
        scale_json.push(json!({ "contributors": n, "contributionSubmit": f.contribution_submit, "offerVote": f.offer_vote, "offerFinalize": f.offer_finalize_approve, "offerDeliver": f.offer_deliver, "payoutClaim": f.payout_claim }));
    }
    out.insert("scaling".into(), scale_json.into());

    // 4. A full sale cycle on the embedded chain.
    let n = if quick { 1_000 } else { 10_000 };
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let chain = data_pool_client::chain::embedded::EmbeddedChain::new(&PROGRAM_ID, &program_path())
        .expect("chain");
    let stage = data_pool_client::story::Stage::new(
        &chain,
        PROGRAM_ID,
        Keypair::new(),
        &data_pool_client::story::Silent,
    );
    let store_dir = std::env::temp_dir().join(format!("datapool-bench-{}", std::process::id()));
    let cfg = data_pool_client::story::unwrapped::Config {
        contributors: n,
        turnout: 60,
        price: 55_000_000_000,
        seed: 7,
        concurrency: 1,
        store: data_pool_client::store::Store::open(&store_dir.display().to_string())
            .expect("store"),
        slice: data_pool_client::dataset::Slice::Rows,
    };
    // Peak memory of the cycle alone: reset the process's high-water mark first.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let r = rt
        .block_on(data_pool_client::story::unwrapped::run(&stage, &cfg))
        .expect("full cycle");
    let wall = started.elapsed().as_secs_f64();
    let peak_mib = data_pool_tests::peak_rss_kib() as f64 / 1024.0;
    let _ = std::fs::remove_dir_all(&store_dir);
    println!("\n## Full sale cycle on the embedded chain ({n} contributors, 60 % vote, finalize, delivery, all claim, all leave, the pool wound down and closed)\n");
    println!("| transactions | compute units | wall time (s) | audit (s) |\n|---|---|---|---|");
    println!(
        "| {} | {} | {wall:.1} | {} |",
        r.transactions, r.compute_units, r.audit_seconds
    );
    println!(
        "\n## Storing and delivering the data of {n} contributors (local store, `rows` slice)\n"
    );
    println!("| records stored | stored bytes | store time (s) | rows delivered | delivered bytes | deliver time (s) | buyer fetch + verify (s) | peak memory (MiB) |\n|---|---|---|---|---|---|---|---|");
    println!(
        "| {n} | {} | {} | {} | {} | {} | {} | {peak_mib:.0} |",
        r.records_bytes,
        r.records_seconds,
        r.delivered_rows,
        r.delivered_bytes,
        r.deliver_seconds,
        r.fetch_seconds
    );
    out.insert("fullCycle".into(), json!({ "contributors": n, "transactions": r.transactions, "computeUnits": r.compute_units, "wallSeconds": wall }));
    out.insert("delivery".into(), json!({ "contributors": n, "slice": "rows", "recordsBytes": r.records_bytes, "recordsSeconds": r.records_seconds, "rows": r.delivered_rows, "deliveredBytes": r.delivered_bytes, "deliverSeconds": r.deliver_seconds, "fetchVerifySeconds": r.fetch_seconds, "peakRssMiB": peak_mib.round() }));

    // 5. Client throughput against a node (run under scripts/localnet.sh to get this part).
    if let Ok(url) = std::env::var("DATAPOOL_RPC_URL") {
        let (seq, conc, n) = rt.block_on(throughput(&url, if quick { 60 } else { 200 }));
        println!("\n## Client throughput against {url} ({n} votes each way)\n");
        println!("| sending | votes confirmed / s |\n|---|---|");
        println!(
            "| one at a time | {seq:.1} |\n| 32 in flight | {conc:.1} |\n| ratio | {:.1}× |",
            conc / seq
        );
        out.insert("throughput".into(), json!({ "votes": n, "sequentialPerSecond": seq, "concurrentPerSecond": conc, "ratio": conc / seq }));
    } else {
        println!("\n(client throughput: run under `scripts/localnet.sh --` to measure against a validator)");
    }

    let text = serde_json::to_string_pretty(&serde_json::Value::Object(out)).expect("json");
    std::fs::write(&json_path, text).expect("write json");
    println!("\nJSON: {json_path}");
    let _ = Pubkey::default();
}
