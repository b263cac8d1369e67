//! The Unwrapped story end to end on an in-process chain: LiteSVM running the real
//! `target/deploy/data_pool.so`. Contributors pool attested listening histories, a buyer offers
//! 55,000 USDC, a share of contributors votes, the sale settles and everyone claims.
//!
//! `demo [--contributors N] [--turnout PERCENT] [--seed N]`

use std::io::Write;
use std::time::Instant;

use data_pool::state::OfferState;
use data_pool_tests::*;

struct Opts {
    contributors: u64,
    turnout: u64,
    seed: u64,
}

fn parse() -> Result<Opts, String> {
    let mut o = Opts {
        contributors: 1_000,
        turnout: 55,
        seed: 2024,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = |name: &str| -> Result<u64, String> {
            args.next()
                .ok_or(format!("{name} needs a value"))?
                .parse()
                .map_err(|_| format!("{name} takes a whole number"))
        };
        match a.as_str() {
            "--contributors" => o.contributors = val("--contributors")?,
            "--turnout" => o.turnout = val("--turnout")?,
            "--seed" => o.seed = val("--seed")?,
            "-h" | "--help" => {
                println!("usage: demo [--contributors N] [--turnout PERCENT] [--seed N]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if o.contributors == 0 || o.contributors > 100_000 {
        return Err("--contributors must be 1 to 100000".into());
    }
    if o.turnout > 100 {
        return Err("--turnout is a percentage, 0 to 100".into());
    }
    Ok(o)
}

fn progress(label: &str, done: u64, total: u64) {
    if done == total || done.is_multiple_of((total / 50).max(1)) {
        let width = 30;
        let filled = (done * width / total.max(1)) as usize;
        eprint!(
            "\r  {label:<12} [{}{}] {done}/{total}",
            "#".repeat(filled),
            " ".repeat(width as usize - filled)
        );
        if done == total {
            eprintln!();
        }
        let _ = std::io::stderr().flush();
    }
}

fn usdc(units: u64) -> String {
    format!("{}.{:06}", units / 1_000_000, units % 1_000_000)
}

fn main() {
    let opts = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let t0 = Instant::now();
    let mut rng = Rng::new(opts.seed);
    println!("data-pool demo: the Unwrapped story on LiteSVM running target/deploy/data_pool.so\n");
    let cfg = PoolConfig {
        name: "unwrapped-spotify".into(),
        fee_bps: 500,
        quorum_bps: 3_000,
        approval_bps: 6_000,
        voting_period: 7 * 86_400,
        min_offer_price: 1_000_000,
        max_score: 10_000,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    println!(
        "pool {} (fee 5 %, quorum 30 %, approval 60 %, 7-day vote), payout mint {} (6 decimals)",
        w.pool, w.tokens.mint
    );

    // Contributors: scores spread like listening histories (many light, few heavy listeners).
    let mut wallets = Vec::with_capacity(opts.contributors as usize);
    let mut cu_submit = 0u64;
    for i in 0..opts.contributors {
        let k = kp("demo-contributor", i);
        let score = 1 + (rng.unit().powi(3) * 9_999.0) as u64;
        let hash = hash_of("demo-history", i);
        cu_submit += w.contribute_hash(&k, hash, score).expect("contribution");
        wallets.push(k);
        progress("contribute", i + 1, opts.contributors);
    }
    let pool = w.pool_state();

    // The buyer's offer: 55,000 USDC into escrow.
    let price = 55_000_000_000;
    let buyer = w.buyer(1, price);
    let (offer, cu_offer) = w.offer(&buyer, price).expect("offer");

    // A share of contributors vote, most of them yes.
    let mut voters = 0u64;
    let mut cu_vote = 0u64;
    for (i, k) in wallets.iter().enumerate() {
        if rng.chance(opts.turnout) {
            let approve = rng.chance(90);
            if w.offer_state(&offer).state != OfferState::Open {
                break;
            }
            match w.vote(k, &offer, approve) {
                Ok(cu) => {
                    cu_vote += cu;
                    voters += 1;
                }
                Err(f) => panic!("vote failed: {:?}", f.err),
            }
        }
        progress("vote", i as u64 + 1, opts.contributors);
    }
    let o = w.offer_state(&offer);
    if o.outcome(w.env.now()).is_none() {
        w.env.set_time(o.voting_ends_at);
    }
    let cu_finalize = w.finalize(&offer).expect("finalize");
    let o = w.offer_state(&offer);

    // Everyone claims.
    let mut payouts = vec![];
    let mut cu_claim = 0u64;
    for (i, k) in wallets.iter().enumerate() {
        if w.entitlement(&k.pubkey()) > 0 {
            cu_claim += w.claim(k).expect("claim");
            payouts.push((w.env.balance(&w.claim_accounts[&k.pubkey()]), k.pubkey()));
        }
        progress("claim", i as u64 + 1, opts.contributors);
    }
    w.check_invariants();
    let conserved = w.tokens_in_existence() == w.minted;

    let voted = o.yes_weight + o.no_weight;
    println!("\n| | |");
    println!("|---|---|");
    println!("| contributors | {} |", pool.contributor_count);
    println!("| pool weight | {} |", pool.total_weight);
    println!(
        "| turnout | {voters} voters ({:.1} % of contributors), {:.1} % of weight |",
        100.0 * voters as f64 / opts.contributors as f64,
        100.0 * voted as f64 / o.snapshot_total_weight as f64
    );
    println!(
        "| tally | yes {} / no {} ({:.1} % yes) |",
        o.yes_weight,
        o.no_weight,
        100.0 * o.yes_weight as f64 / voted.max(1) as f64
    );
    println!("| outcome | {:?} |", o.state);
    println!("| price | {} USDC |", usdc(o.price));
    println!("| curator fee | {} USDC |", usdc(o.fee_paid));
    println!(
        "| paid to contributors | {} USDC |",
        usdc(o.net_distributed)
    );
    if !payouts.is_empty() {
        payouts.sort();
        let n = payouts.len();
        println!(
            "| payout min / median / max | {} / {} / {} USDC |",
            usdc(payouts[0].0),
            usdc(payouts[n / 2].0),
            usdc(payouts[n - 1].0)
        );
        let top: Vec<String> = payouts
            .iter()
            .rev()
            .take(3)
            .map(|(a, k)| {
                format!(
                    "{}… {:.2} %",
                    &k.to_string()[..6],
                    100.0 * *a as f64 / o.net_distributed as f64
                )
            })
            .collect();
        println!("| top shares | {} |", top.join(", "));
    }
    println!(
        "| dust left in vault | {} base units |",
        w.env.balance(&w.tokens.vault)
    );
    println!(
        "| compute units | submit {} avg, offer {}, vote {} avg, finalize {}, claim {} avg |",
        cu_submit / opts.contributors,
        cu_offer,
        cu_vote / voters.max(1),
        cu_finalize,
        cu_claim / payouts.len().max(1) as u64
    );
    println!("| PROTOCOL.md invariants | all six hold |");
    println!(
        "| token conservation | {} |",
        if conserved { "exact" } else { "BROKEN" }
    );
    println!("| wall time | {:.1} s |", t0.elapsed().as_secs_f64());
    if !conserved {
        std::process::exit(1);
    }
}
