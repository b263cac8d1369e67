//! The seeded simulation behind the randomized and fuzz tests: many wallets doing random mixed
//! actions on a Token-2022 pool, and (for the fuzzer) random attacks — a plausible instruction
//! with one account substituted by an attacker pool's account, a random key or a wrong program,
//! or with a signer removed or replaced. The actions include the review's attacks: invalidations
//! while offers are open (by the authority and by active and removed attestors), fee withdrawals
//! into the curator's closed, frozen and memo-gated accounts, buyers whose refund account
//! requires memos, and pools over a mint with a close authority. After every step the invariants
//! of `docs/PROTOCOL.md` hold; every attack fails and changes nothing; at the end every token is
//! accounted for.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022::extension::{memo_transfer, ExtensionType};
use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use data_pool_client::pda::*;
use solana_keypair::Keypair as Kp;
use solana_signer::Signer;

use crate::*;

const WALLETS: u64 = 40;
const BUYERS: u64 = 6;

mod acts;
mod attack;
mod close;

use acts::*;
use attack::attack;

/// Buyers (the first ones) whose token account carries the MemoTransfer extension.
const MEMO_BUYERS: u64 = 2;

/// What a run did.
#[derive(Default, Debug)]
pub struct Stats {
    /// Successful actions by kind.
    pub ok: BTreeMap<&'static str, u64>,
    /// Refused actions by kind and error code.
    pub refused: BTreeMap<String, u64>,
    /// Attacks attempted (all refused, or the run fails).
    pub attacks: u64,
    /// Attacks by target instruction and class.
    pub attack_kinds: BTreeMap<String, u64>,
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

/// Runs `steps` seeded steps, `attack_percent` % of them attacks; returns what happened.
pub fn run(seed: u64, steps: u64, attack_percent: u64) -> Stats {
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../../idl/data_pool.json")).expect("idl");
    let mut rng = Rng::new(seed);
    let cfg = PoolConfig {
        token_program: TOKEN_2022,
        quorum_bps: 3_000,
        approval_bps: 5_000,
        voting_period: 1_800,
        max_score: 1_000,
        // Short enough that some approved offers outlive it (undelivered refunds) and others are
        // delivered in time.
        delivery_period: 3_600,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let wallets: Vec<Kp> = (0..WALLETS).map(|i| w.wallet("rand-wallet", i)).collect();
    // The first buyers' token accounts (which pay and take refunds) can require incoming memos.
    let buyers: Vec<Buyer> = (0..BUYERS)
        .map(|i| {
            let exts: &[ExtensionType] = if i < MEMO_BUYERS {
                &[ExtensionType::MemoTransfer]
            } else {
                &[]
            };
            w.buyer_with(100 + i, 50_000_000, exts)
        })
        .collect();
    let second_attestor = kp("second-attestor", 0);
    w.add_attestor(&second_attestor.pubkey()).unwrap();
    let second_custodian = kp("second-custodian", 0);
    w.add_custodian(&second_custodian.pubkey()).unwrap();
    let auth = w.side.authority.insecure_clone();
    let mut stats = Stats::default();
    let fees = FeeDestinations::new(&mut w, &auth);
    // A Token-2022 mint whose close authority is set: no pool may take it.
    let ma = w.mint_authority.pubkey();
    let closable = w
        .env
        .create_mint(&TOKEN_2022, &ma, 6, &[ExtensionType::MintCloseAuthority]);

    // The attacker's pool, in the same chain with the same mint and attestor.
    let mut side = w.second_pool("attacker-pool", "attacker");
    w.swap_side(&mut side);
    for i in 0..3 {
        let k = w.wallet("attacker-wallet", i);
        w.contribute(&k, 100).unwrap();
        w.claim_account(&k.pubkey());
    }
    let ab = w.buyer(900, 1_000_000);
    let (ao, _) = w.offer(&ab, 10_000).unwrap();
    let voter = w.side.wallets.values().next().unwrap().insecure_clone();
    w.vote(&voter, &ao, true).unwrap();
    w.swap_side(&mut side);
    for k in &wallets {
        w.claim_account(&k.pubkey());
    }

    for _ in 0..steps {
        if rng.chance(attack_percent) {
            attack(
                &mut w, &mut side, &mut rng, &wallets, &buyers, &idl, &mut stats,
            );
            continue;
        }
        // A pause does not last long.
        if w.pool_state().paused && rng.chance(15) {
            let ix = dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
            let r = w.env.send_paid(&[ix], &[&auth]);
            stats.record("pause-toggle", r);
        }
        let roll = rng.below(100);
        match roll {
            // Contribute (sometimes with a bad attestation or duplicate data).
            // A person resubmits (new data of someone already in the pool): a replacement when
            // it is the record's wallet, refused for any other wallet or an invalidated person.
            0..=24 if rng.chance(15) && !w.side.data_hashes.is_empty() => {
                let h = *rng.pick(&w.side.data_hashes).unwrap();
                let held = w.record(&h);
                let k = match &held {
                    Some(c) if rng.chance(70) => w.side.wallets[&c.wallet].insecure_clone(),
                    _ => rng.pick(&wallets).unwrap().insecure_clone(),
                };
                let score = 1 + rng.below(1_100);
                let fresh = w.next_hash();
                let r = w.resubmit(&k, &h, fresh, score);
                if let Some(c) = &held {
                    if !c.is_active() || c.wallet != k.pubkey() {
                        assert!(r.is_err(), "only the holder replaces an active person");
                    }
                }
                if r.is_ok() && held.is_none() {
                    // The person came back after leaving: the record is theirs again.
                    w.side.wallets.insert(k.pubkey(), k.insecure_clone());
                }
                let kind = match &held {
                    None => "resubmit-after-leaving",
                    Some(c) if !c.is_active() => "resubmit-invalidated",
                    Some(c) if c.wallet != k.pubkey() => "resubmit-other-wallet",
                    Some(_) => "replace",
                };
                stats.record(kind, r);
            }
            0..=24 => {
                let k = rng.pick(&wallets).unwrap().insecure_clone();
                let score = 1 + rng.below(1_100); // up to 10 % above the maximum
                let hash = if rng.chance(5) && !w.side.data_hashes.is_empty() {
                    *rng.pick(&w.side.data_hashes).unwrap()
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
            // Leave with a contribution (claiming what it is owed, closing its record), or
            // invalidate one (by the authority, or by its attestor, which may have been
            // removed); invalidation must wait for every open offer to settle.
            25..=31 => {
                let Some(h) = rng.pick(&w.side.data_hashes).copied() else {
                    continue;
                };
                let Some(c) = w.record(&h) else {
                    // Its contributor left: the record is gone and leaving again is refused.
                    let k = rng.pick(&wallets).unwrap().insecure_clone();
                    let r = w.leave(&k, &h);
                    assert!(r.is_err(), "a closed record cannot leave again");
                    stats.record("leave-again", r);
                    continue;
                };
                let owner = w.side.wallets[&c.wallet].insecure_clone();
                let active = c.is_active();
                if rng.chance(60) {
                    let r = w.leave(&owner, &h);
                    assert_eq!(r.is_ok(), active, "exactly an active record can leave");
                    stats.record(if active { "leave" } else { "leave-invalidated" }, r);
                } else {
                    if active && w.pool_state().open_offer_count > 0 && rng.chance(25) {
                        // The documented way to strike out fraud: pause, let every open offer
                        // settle, then invalidate (and unpause later).
                        settle_open_offers(&mut w, &auth, &mut stats);
                    }
                    let second = second_attestor.insecure_clone();
                    invalidate(&mut w, &mut stats, &h, &c, &auth, &second, &mut rng);
                }
            }

            // Offer.
            32..=36 => {
                let b = rng.pick(&buyers).unwrap();
                let price = 500 + rng.below(2_000_000);
                let r = w.offer(b, price).map(|(_, cu)| cu);
                stats.record("offer", r);
            }
            // Deliver an approved offer (sometimes a stale receipt, a removed custodian or a
            // stranger, sometimes an offer in another state).
            66..=69 => {
                let awaiting: Vec<Pubkey> = w
                    .side
                    .offers
                    .iter()
                    .copied()
                    .filter(|o| w.offer_state(o).state == OfferState::AwaitingDelivery)
                    .collect();
                let target = if rng.chance(80) {
                    rng.pick(&awaiting)
                } else {
                    rng.pick(&w.side.offers)
                };
                let Some(o) = target.copied() else { continue };
                let second = second_custodian.insecure_clone();
                deliver(&mut w, &mut stats, &o, &second, &mut rng);
            }
            // Vote.
            37..=65 => {
                // Mostly offers still in their voting window, sometimes any (late votes must be
                // refused).
                let now = w.env.now();
                let open: Vec<Pubkey> = w
                    .side
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
                    rng.pick(&w.side.offers).copied()
                };
                let Some(o) = target else { continue };
                // Mostly wallets that have not voted on it yet; sometimes anyone (double votes
                // must be refused).
                let fresh: Vec<&Kp> = wallets
                    .iter()
                    .filter(|k| !w.side.votes.contains(&(o, k.pubkey())))
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
            // Finalize: the vote of an open offer (an approved one then awaits delivery), or an
            // approved offer (refunded as undelivered once its deadline has passed).
            70..=77 => {
                let open: Vec<Pubkey> = w
                    .side
                    .offers
                    .iter()
                    .copied()
                    .filter(|o| unsettled(&w, o))
                    .collect();
                let target = if rng.chance(80) {
                    rng.pick(&open)
                } else {
                    rng.pick(&w.side.offers)
                };
                let Some(o) = target.copied() else { continue };
                let was = w.offer_state(&o).state;
                let r = w.finalize_only(&o);
                stats.record(
                    if was == OfferState::AwaitingDelivery {
                        "finalize-undelivered"
                    } else {
                        "finalize"
                    },
                    r,
                );
            }
            // Cancel.
            78..=80 => {
                let Some(o) = rng.pick(&w.side.offers).copied() else {
                    continue;
                };
                let r = buyer_sends(&mut w, &buyers, &o, dix::offer_cancel);
                stats.record("cancel", r);
            }
            // Claim.
            81..=90 => {
                let k = rng.pick(&wallets).unwrap().insecure_clone();
                let r = w.claim(&k);
                stats.record("claim", r);
            }
            // Close an offer (only one that ended without a sale can).
            91..=94 => {
                let Some(o) = rng.pick(&w.side.offers).copied() else {
                    continue;
                };
                let r = close_offer(&mut w, &o);
                stats.record("offer_close", r);
            }
            // Time passes.
            95..=96 => {
                // Now and then long enough for an approved offer's delivery period to lapse.
                let dt = if rng.chance(30) {
                    3_600 + rng.below(3_600)
                } else {
                    rng.below(1_200)
                } as i64;
                w.env.warp(dt);
                continue;
            }
            // Fees, refund accounts, attestors and mints that try to get in the way.
            97..=98 => match rng.below(6) {
                0 => {
                    // The curator withdraws fees: into a closed, frozen or memo-gated account
                    // (refused, nothing moves) or its good one.
                    let to = *rng.pick(&fees.all()).unwrap();
                    let amount = if rng.chance(50) {
                        None
                    } else {
                        Some(1 + rng.below(5_000))
                    };
                    let ix = dix::fees_withdraw(
                        &PROGRAM_ID,
                        &auth.pubkey(),
                        &w.side.pool,
                        &w.side.tokens,
                        &to,
                        amount,
                    );
                    let addrs = w.addresses();
                    let before = w.snapshot(&addrs);
                    let r = w.env.send_paid(&[ix], &[&auth]);
                    if to != fees.good {
                        assert!(r.is_err(), "fees withdrawn into a blocked account");
                        assert_eq!(
                            before,
                            w.snapshot(&addrs),
                            "a refused withdrawal changed state"
                        );
                    }
                    stats.record("fees_withdraw", r);
                }
                1 => {
                    // A memo buyer switches its incoming-memo requirement.
                    let b = &buyers[rng.below(MEMO_BUYERS) as usize];
                    let tp = w.side.tokens.token_program;
                    let on = rng.chance(60);
                    let ix = if on {
                        memo_transfer::instruction::enable_required_transfer_memos(
                            &tp,
                            &b.token,
                            &b.kp.pubkey(),
                            &[],
                        )
                    } else {
                        memo_transfer::instruction::disable_required_transfer_memos(
                            &tp,
                            &b.token,
                            &b.kp.pubkey(),
                            &[],
                        )
                    }
                    .unwrap();
                    w.env.send_paid(&[ix], &[&b.kp]).expect("memo toggle");
                }
                2 => {
                    // A buyer takes a pending refund (refused while its account requires memos).
                    let pending: Vec<Pubkey> = w
                        .side
                        .offers
                        .iter()
                        .copied()
                        .filter(|o| w.offer_state(o).refund_pending)
                        .collect();
                    let Some(o) = rng.pick(&pending).copied() else {
                        continue;
                    };
                    let r = buyer_sends(&mut w, &buyers, &o, dix::offer_refund);
                    stats.record("refund", r);
                }
                3 => {
                    // Someone offers a mint with a close authority as a new pool's payout mint.
                    let who = rng.pick(&wallets).unwrap().insecure_clone();
                    let args = PoolConfig {
                        name: format!("closable-{}", rng.below(1_000_000)),
                        ..w.side.cfg.clone()
                    }
                    .args();
                    let ix = dix::pool_create(
                        &PROGRAM_ID,
                        &w.env.payer.pubkey(),
                        &who.pubkey(),
                        &closable,
                        &TOKEN_2022,
                        args,
                    );
                    let r = w.env.send_paid(&[ix], &[&who]);
                    assert_eq!(
                        r.as_ref().err().and_then(Failure::custom_code),
                        Some(dp_code(DpErr::MintHasCloseAuthority))
                    );
                    stats.record("pool_create-closable-mint", r);
                }
                4 => {
                    // The authority removes or re-adds the second custodian.
                    let key = second_custodian.pubkey();
                    let record = find_custodian_pda(&PROGRAM_ID, &w.side.pool, &key).0;
                    let active = w
                        .env
                        .get::<data_pool::state::Custodian>(&record)
                        .is_some_and(|c| c.active);
                    let r = if active {
                        let ix =
                            dix::custodian_remove(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &key);
                        w.env.send_paid(&[ix], &[&auth])
                    } else {
                        w.add_custodian(&key)
                    };
                    stats.record(
                        if active {
                            "custodian_remove"
                        } else {
                            "custodian_add"
                        },
                        r,
                    );
                }
                _ => {
                    // The authority removes or re-adds the second attestor.
                    let key = second_attestor.pubkey();
                    let active = w
                        .env
                        .get::<data_pool::state::Attestor>(&cached::attestor(&w.side.pool, &key))
                        .is_some_and(|a| a.active);
                    let r = if active {
                        let ix =
                            dix::attestor_remove(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &key);
                        w.env.send_paid(&[ix], &[&auth])
                    } else {
                        w.add_attestor(&key)
                    };
                    stats.record(
                        if active {
                            "attestor_remove"
                        } else {
                            "attestor_add"
                        },
                        r,
                    );
                }
            },
            // Pause (rarely) or unpause.
            _ => {
                let paused = w.pool_state().paused;
                if !paused && rng.chance(50) {
                    continue;
                }
                let ix = if paused {
                    dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool)
                } else {
                    dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool)
                };
                let r = w.env.send_paid(&[ix], &[&auth]);
                stats.record("pause-toggle", r);
            }
        }
        w.check_invariants();
    }

    // Wind down: end every offer, everyone claims, the curator takes its fees; the books must
    // balance exactly.
    w.env.warp(5 * 3_600);
    for o in w.side.offers.clone() {
        settle(&mut w, &o, &mut stats);
    }
    assert_eq!(w.pool_state().open_offer_count, 0);
    let p = w.pool_state();
    if p.total_fees > p.total_fees_withdrawn {
        let ix = dix::fees_withdraw(
            &PROGRAM_ID,
            &auth.pubkey(),
            &w.side.pool,
            &w.side.tokens,
            &fees.good,
            None,
        );
        w.env.send_paid(&[ix], &[&auth]).unwrap();
    }
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 0);
    for k in &wallets {
        if w.entitlement(&k.pubkey()) > 0 {
            w.claim(k).unwrap();
        }
    }
    // Every offer that ended without a sale closes, its deposit back with its payer; only
    // accepted offers (licenses) and offers whose refund waits stay.
    for o in w.side.offers.clone() {
        wind_down_offer(&mut w, &o, &mut stats);
    }
    assert!(w.side.offers.iter().all(|o| {
        let s = w.offer_state(o);
        s.state == OfferState::Accepted || s.refund_pending
    }));
    w.check_invariants();
    let p = w.pool_state();
    let vault = w.env.balance(&w.side.tokens.vault);
    assert!(p.contributor_count + p.accepted_offer_count > vault);
    // Every token minted is somewhere: known token accounts (both pools) and both pools' escrows.
    let b_escrows: u64 = side
        .offers
        .iter()
        .map(|o| w.env.balance(&find_escrow_pda(&PROGRAM_ID, o).0))
        .sum();
    assert_eq!(
        w.tokens_in_existence() + b_escrows,
        w.minted,
        "token conservation"
    );
    w.swap_side(&mut side);
    w.check_invariants();
    w.swap_side(&mut side);
    eprintln!(
        "seed {seed:#x}, {steps} steps, {} attacks refused\nsucceeded: {:?}\nrefused (action:code): {:?}\nattacks (target:class): {:?}",
        stats.attacks, stats.ok, stats.refused, stats.attack_kinds
    );
    eprintln!(
        "pool: weight {}, contributors {}, offers {} ({} accepted), distributed {}, claimed {}, dust {}",
        p.total_weight, p.contributor_count, p.offer_count, p.accepted_offer_count,
        p.total_distributed, p.total_claimed, vault
    );
    // The end of its life: wound down, reaped and closed; still every token accounted for.
    close::close_pool(&mut w, &auth, &buyers, &mut stats);
    assert_eq!(
        w.tokens_in_existence() + b_escrows,
        w.minted,
        "token conservation after the pool closed"
    );
    stats
}
