//! Compute units of every instruction over runs with varied keys, and the performance targets.
//! Shared by the benchmark (`bin/bench`) and the test that asserts the targets.

use std::collections::BTreeMap;

use data_pool_client::instructions as dix;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::*;

/// CU targets, met by the cheapest run of each: half of SPL Governance's `CastVote`
/// (17,505) and of Jito's merkle-distributor `new_claim` (18,137) for voting and claiming.
pub const TARGETS: &[(&str, u64)] = &[
    ("contribution_submit", 20_000),
    ("offer_create", 25_000),
    ("offer_finalize (approve)", 25_000),
    ("offer_deliver", 25_000),
    ("offer_vote", 8_750),
    ("payout_claim", 9_000),
];

/// The target of `instruction`, if it has one.
pub fn target_of(instruction: &str) -> Option<u64> {
    TARGETS
        .iter()
        .find(|(n, _)| *n == instruction)
        .map(|(_, t)| *t)
}

/// (min, median, max) of a non-empty sample.
pub fn stats(v: &[u64]) -> (u64, u64, u64) {
    let mut s = v.to_vec();
    s.sort_unstable();
    (s[0], s[s.len() / 2], s[s.len() - 1])
}

/// One run of every instruction in a pool whose name (so every address) depends on `run`;
/// the compute units of each go into `cu` under the instruction's name.
pub fn sample_run(run: u64, cu: &mut BTreeMap<&'static str, Vec<u64>>) {
    let cfg = PoolConfig {
        name: format!("bench-{run}"),
        voting_period: 3_600,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let mut rec = |name: &'static str, v: u64| cu.entry(name).or_default().push(v);
    let p = PROGRAM_ID;
    let tag = format!("run{run}");

    // Curator instructions.
    let extra = Keypair::new();
    rec(
        "attestor_add",
        w.add_attestor(&extra.pubkey()).expect("attestor_add"),
    );
    let spare = Keypair::new();
    rec(
        "custodian_add",
        w.add_custodian(&spare.pubkey()).expect("custodian_add"),
    );
    let auth = w.side.authority.insecure_clone();
    let pool = w.side.pool;
    let args = w.update_args(|p| p.fee_bps = 400);
    rec(
        "pool_update",
        w.env
            .send_paid(
                &[dix::pool_update(&p, &auth.pubkey(), &pool, args)],
                &[&auth],
            )
            .expect("update"),
    );
    rec(
        "pool_pause",
        w.env
            .send_paid(&[dix::pool_pause(&p, &auth.pubkey(), &pool)], &[&auth])
            .expect("pause"),
    );
    rec(
        "pool_unpause",
        w.env
            .send_paid(&[dix::pool_unpause(&p, &auth.pubkey(), &pool)], &[&auth])
            .expect("unpause"),
    );
    let remove = dix::custodian_remove(&p, &auth.pubkey(), &pool, &spare.pubkey());
    rec(
        "custodian_remove",
        w.env
            .send_paid(&[remove], &[&auth])
            .expect("custodian_remove"),
    );
    rec(
        "attestor_remove",
        w.env
            .send_paid(
                &[dix::attestor_remove(
                    &p,
                    &auth.pubkey(),
                    &pool,
                    &extra.pubkey(),
                )],
                &[&auth],
            )
            .expect("remove"),
    );
    let next = Keypair::new();
    w.env.fund(&next.pubkey(), SOL);
    rec(
        "authority_propose",
        w.env
            .send_paid(
                &[dix::authority_propose(
                    &p,
                    &auth.pubkey(),
                    &pool,
                    &next.pubkey(),
                )],
                &[&auth],
            )
            .expect("propose"),
    );
    rec(
        "authority_accept",
        w.env
            .send_paid(
                &[dix::authority_accept(&p, &next.pubkey(), &pool)],
                &[&next],
            )
            .expect("accept"),
    );
    rec(
        "authority_propose",
        w.env
            .send_paid(
                &[dix::authority_propose(
                    &p,
                    &next.pubkey(),
                    &pool,
                    &auth.pubkey(),
                )],
                &[&next],
            )
            .expect("propose back"),
    );
    w.env
        .send_paid(
            &[dix::authority_accept(&p, &auth.pubkey(), &pool)],
            &[&auth],
        )
        .expect("accept back");
    // A second pool: pool_create.
    let name = format!("second-{run}");
    let create = dix::pool_create(
        &p,
        &w.env.payer.pubkey(),
        &auth.pubkey(),
        &w.side.tokens.mint,
        &w.side.tokens.token_program,
        dix::PoolCreateArgs {
            name,
            params: data_pool::state::PoolParams {
                fee_bps: 500,
                quorum_bps: 5_000,
                approval_bps: 6_000,
                voting_period: 3_600,
                min_offer_price: 1_000,
                max_score: 1_000_000,
                delivery_period: 86_400,
            },
            claim_window: dix::DEFAULT_CLAIM_WINDOW,
        },
    );
    rec(
        "pool_create",
        w.env.send_paid(&[create], &[&auth]).expect("pool_create"),
    );

    // Contributors.
    let people: Vec<Keypair> = (0..4).map(|i| w.wallet(&tag, i)).collect();
    for (i, k) in people.iter().enumerate() {
        let v = w
            .contribute_hash(k, hash_of(&tag, i as u64 * 2), 100 + i as u64 * 50)
            .expect("contribute");
        rec("contribution_submit", v);
        let v = w
            .contribute_hash(k, hash_of(&tag, i as u64 * 2 + 1), 10)
            .expect("contribute again");
        rec("contribution_submit", v);
    }
    // One contributor leaves with its second contribution; the attestor invalidates one.
    let h = hash_of(&tag, 1);
    rec("contributor_leave", w.leave(&people[0], &h).expect("leave"));
    let att = w.attestor.insecure_clone();
    let h = hash_of(&tag, 3);
    rec(
        "contribution_invalidate",
        w.env
            .send_paid(
                &[dix::contribution_invalidate(
                    &p,
                    &att.pubkey(),
                    &pool,
                    &crate::person(&h),
                    &att.pubkey(),
                )],
                &[&att],
            )
            .expect("invalidate"),
    );

    // A sale accepted by everyone, a sale rejected by everyone, a cancelled offer.
    let buyer = w.buyer(run, 10_000_000_000);
    let (sold, v) = w.offer(&buyer, 1_000_000_000).expect("offer");
    rec("offer_create", v);
    let (refused, v) = w.offer(&buyer, 2_000_000).expect("offer 2");
    rec("offer_create", v);
    let (cancelled, v) = w.offer(&buyer, 3_000_000).expect("offer 3");
    rec("offer_create", v);
    // Votes until each offer is decided (later votes are refused).
    for k in &people {
        // One instruction per record, so each sample is one vote.
        for (record, c) in w.records(&k.pubkey()) {
            for (offer, approve) in [(sold, true), (refused, false)] {
                if c.weight > 0 && w.undecided(&offer) {
                    let ix = dix::offer_vote(&p, &k.pubkey(), &pool, &offer, &record, approve);
                    rec("offer_vote", w.env.send_paid(&[ix], &[k]).expect("vote"));
                }
            }
        }
    }
    rec(
        "offer_finalize (approve)",
        w.finalize_only(&sold).expect("finalize approve"),
    );
    let c = w.custodian.insecure_clone();
    rec(
        "offer_deliver",
        w.deliver_by(&c, &sold, w.current_receipt())
            .expect("deliver"),
    );
    rec(
        "offer_finalize (reject, refund)",
        w.finalize(&refused).expect("finalize reject"),
    );
    let tokens = w.side.tokens;
    rec(
        "offer_cancel",
        w.env
            .send_paid(
                &[dix::offer_cancel(
                    &p,
                    &pool,
                    &cancelled,
                    &tokens,
                    &w.refund(&cancelled, &buyer.kp.pubkey(), &buyer.token),
                )],
                &[&buyer.kp],
            )
            .expect("cancel"),
    );
    // One claim per record owed, so each sample is one claim.
    let acc = w.pool_state().acc_reward_per_weight;
    for k in &people {
        for (record, c) in w.records(&k.pubkey()) {
            if c.entitlement(acc).unwrap_or(0) > 0 {
                let ix = w.claim_ix(&k.pubkey(), &record);
                rec("payout_claim", w.env.send_paid(&[ix], &[k]).expect("claim"));
            }
        }
    }
    let fees_to = w.claim_account(&auth.pubkey());
    rec(
        "fees_withdraw",
        w.env
            .send_paid(
                &[dix::fees_withdraw(
                    &p,
                    &auth.pubkey(),
                    &pool,
                    &tokens,
                    &fees_to,
                    None,
                )],
                &[&auth],
            )
            .expect("fees_withdraw"),
    );
}
