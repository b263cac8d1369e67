//! A seeded random sequence of mixed actions by many wallets. After every step all six
//! invariants of PROTOCOL.md hold; at the end every token is accounted for.
//!
//! `DATA_POOL_SEED` and `DATA_POOL_STEPS` override the seed and the length for longer runs.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{ContributionStatus, OfferState};
use data_pool_client::instructions as dix;
use data_pool_client::pda::find_contribution_pda;
use data_pool_tests::*;

const WALLETS: u64 = 40;
const BUYERS: u64 = 6;

#[derive(Default, Debug)]
struct Stats {
    ok: BTreeMap<&'static str, u64>,
    refused: BTreeMap<String, u64>,
}

impl Stats {
    fn record(&mut self, action: &'static str, r: Result<u64, Failure>) {
        match r {
            Ok(_) => *self.ok.entry(action).or_default() += 1,
            Err(f) => {
                // Every refusal must be a named error (program, Anchor or token program), never
                // a panic or a runtime fault.
                let code = f.custom_code().unwrap_or_else(|| {
                    panic!(
                        "{action}: unnamed failure {:?}\n{}",
                        f.err,
                        f.logs.join("\n")
                    )
                });
                assert!(
                    !f.logs.iter().any(|l| l.contains("panicked")),
                    "{action} panicked:\n{}",
                    f.logs.join("\n")
                );
                *self.refused.entry(format!("{action}:{code}")).or_default() += 1;
            }
        }
    }
}

#[test]
fn random_actions_keep_every_invariant() {
    let seed: u64 = std::env::var("DATA_POOL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_da7a_9001);
    let steps: u64 = std::env::var("DATA_POOL_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_200);
    let mut rng = Rng::new(seed);
    let cfg = PoolConfig {
        quorum_bps: 3_000,
        approval_bps: 5_000,
        voting_period: 1_800,
        max_score: 1_000,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let wallets: Vec<Kp> = (0..WALLETS).map(|i| w.wallet("rand-wallet", i)).collect();
    let buyers: Vec<Buyer> = (0..BUYERS).map(|i| w.buyer(100 + i, 50_000_000)).collect();
    let second_attestor = kp("second-attestor", 0);
    w.add_attestor(&second_attestor.pubkey()).unwrap();
    let auth = w.authority.insecure_clone();
    let mut stats = Stats::default();

    for _ in 0..steps {
        // A pause does not last long.
        if w.pool_state().paused && rng.chance(15) {
            let ix = dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.pool);
            let r = w.env.send_paid(&[ix], &[&auth]);
            stats.record("pause-toggle", r);
        }
        let roll = rng.below(100);
        match roll {
            // Contribute (sometimes with a bad attestation or duplicate data).
            0..=24 => {
                let k = rng.pick(&wallets).unwrap().insecure_clone();
                let score = 1 + rng.below(1_100); // up to 10 % above the maximum
                let hash = if rng.chance(5) && !w.data_hashes.is_empty() {
                    *rng.pick(&w.data_hashes).unwrap()
                } else {
                    w.next_hash()
                };
                let signer = if rng.chance(30) {
                    second_attestor.insecure_clone()
                } else {
                    w.attestor.insecure_clone()
                };
                let expires = w.env.now() + if rng.chance(5) { -1 } else { 600 };
                let ixs = [
                    w.attest_ix(&signer, &k.pubkey(), &hash, score, expires),
                    w.submit_ix(&k.pubkey(), &signer.pubkey(), &hash, score, expires),
                ];
                let r = w.send_contribution(&ixs, &k, &hash);
                stats.record("contribute", r);
            }
            // Revoke or invalidate an active contribution.
            25..=31 => {
                let Some(h) = rng.pick(&w.data_hashes).copied() else {
                    continue;
                };
                let c: data_pool::state::Contribution = w
                    .env
                    .get(&find_contribution_pda(&PROGRAM_ID, &w.pool, &h).0)
                    .unwrap();
                let owner = w.wallets[&c.contributor].insecure_clone();
                let r = if rng.chance(70) {
                    let ix = dix::contribution_revoke(&PROGRAM_ID, &owner.pubkey(), &w.pool, &h);
                    w.env.send_paid(&[ix], &[&owner])
                } else {
                    let ix = dix::contribution_invalidate(
                        &PROGRAM_ID,
                        &auth.pubkey(),
                        &w.pool,
                        &owner.pubkey(),
                        &h,
                    );
                    w.env.send_paid(&[ix], &[&auth])
                };
                let name = if c.status == ContributionStatus::Active {
                    "remove"
                } else {
                    "remove-again"
                };
                stats.record(name, r);
            }
            // Offer.
            32..=36 => {
                let b = rng.pick(&buyers).unwrap();
                let price = 500 + rng.below(2_000_000);
                let r = w.offer(b, price).map(|(_, cu)| cu);
                stats.record("offer", r);
            }
            // Vote.
            37..=69 => {
                // Mostly offers still in their voting window, sometimes any (late votes must be
                // refused).
                let now = w.env.now();
                let open: Vec<Pubkey> = w
                    .offers
                    .iter()
                    .copied()
                    .filter(|o| {
                        let s = w.offer_state(o);
                        s.state == OfferState::Open && now < s.voting_ends_at
                    })
                    .collect();
                let target = if !open.is_empty() && rng.chance(60) {
                    Some(open[0]) // the oldest open offer gathers most votes
                } else if rng.chance(80) {
                    rng.pick(&open).copied()
                } else {
                    rng.pick(&w.offers).copied()
                };
                let Some(o) = target else { continue };
                // Mostly wallets that have not voted on it yet; sometimes anyone (double votes
                // must be refused).
                let fresh: Vec<&Kp> = wallets
                    .iter()
                    .filter(|k| !w.votes.contains(&(o, k.pubkey())))
                    .collect();
                let k = if rng.chance(85) && !fresh.is_empty() {
                    (*rng.pick(&fresh).unwrap()).insecure_clone()
                } else {
                    rng.pick(&wallets).unwrap().insecure_clone()
                };
                let approve = rng.chance(70);
                let r = w.vote(&k, &o, approve);
                stats.record("vote", r);
            }
            // Finalize.
            70..=77 => {
                let open: Vec<Pubkey> = w
                    .offers
                    .iter()
                    .copied()
                    .filter(|o| w.offer_state(o).state == OfferState::Open)
                    .collect();
                let target = if rng.chance(80) {
                    rng.pick(&open)
                } else {
                    rng.pick(&w.offers)
                };
                let Some(o) = target.copied() else { continue };
                let r = w.finalize(&o);
                stats.record("finalize", r);
            }
            // Cancel.
            78..=80 => {
                let Some(o) = rng.pick(&w.offers).copied() else {
                    continue;
                };
                let (buyer, token) = w.offer_buyers[&o];
                let b = buyers.iter().find(|b| b.kp.pubkey() == buyer).unwrap();
                let ix = dix::offer_cancel(&PROGRAM_ID, &buyer, &w.pool, &o, &w.tokens, &token);
                let r = w.env.send_paid(&[ix], &[&b.kp]);
                stats.record("cancel", r);
            }
            // Claim.
            81..=90 => {
                let k = rng.pick(&wallets).unwrap().insecure_clone();
                let r = w.claim(&k);
                stats.record("claim", r);
            }
            // Close a vote.
            91..=94 => {
                let votes: Vec<(Pubkey, Pubkey)> = w.votes.iter().copied().collect();
                let Some((o, v)) = rng.pick(&votes).copied() else {
                    continue;
                };
                let ix = dix::vote_close(&PROGRAM_ID, &o, &v);
                let r = w.env.send_paid(&[ix], &[]);
                stats.record("vote_close", r);
            }
            // Time passes.
            95..=98 => {
                let dt = rng.below(1_200) as i64;
                w.env.warp(dt);
                continue;
            }
            // Pause (rarely) or unpause.
            _ => {
                let paused = w.pool_state().paused;
                if !paused && rng.chance(50) {
                    continue;
                }
                let ix = if paused {
                    dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.pool)
                } else {
                    dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.pool)
                };
                let r = w.env.send_paid(&[ix], &[&auth]);
                stats.record("pause-toggle", r);
            }
        }
        w.check_invariants();
    }

    // Wind down: unpause, end every offer, everyone claims; the books must balance exactly.
    w.env.warp(5 * 3_600);
    for o in w.offers.clone() {
        if w.offer_state(&o).state == OfferState::Open {
            w.finalize(&o).unwrap();
        }
    }
    for k in &wallets {
        if w.entitlement(&k.pubkey()) > 0 {
            w.claim(k).unwrap();
        }
    }
    w.check_invariants();
    let p = w.pool_state();
    let vault = w.env.balance(&w.tokens.vault);
    assert!(p.contributor_count + p.accepted_offer_count > vault);
    assert_eq!(w.tokens_in_existence(), w.minted, "token conservation");
    eprintln!(
        "seed {seed:#x}, {steps} steps\nsucceeded: {:?}\nrefused (action:code): {:?}",
        stats.ok, stats.refused
    );
    eprintln!(
        "pool: weight {}, contributors {}, offers {} ({} accepted), distributed {}, claimed {}, dust {}",
        p.total_weight, p.contributor_count, p.offer_count, p.accepted_offer_count,
        p.total_distributed, p.total_claimed, vault
    );
    // The run must have exercised the interesting paths, or it proves little.
    for (action, min) in [
        ("contribute", 100),
        ("offer", 30),
        ("vote", 100),
        ("finalize", 20),
        ("claim", 30),
        ("remove", 10),
    ] {
        let n = stats.ok.get(action).copied().unwrap_or(0);
        assert!(
            n >= min,
            "only {n} successful {action} (want ≥ {min}) — change the mix"
        );
    }
    assert!(
        p.accepted_offer_count >= 5,
        "too few accepted sales: {}",
        p.accepted_offer_count
    );
}
