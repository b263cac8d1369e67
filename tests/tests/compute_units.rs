//! Compute-unit ceilings, and flat cost whatever the pool size. Keys are fixed, so bump searches
//! (and so the figures) are the same on every run. Run with `--nocapture` to see the figures.

use data_pool_tests::*;

/// Compute units of each measured instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Figures {
    contribution_submit_new: u64,
    contribution_submit_again: u64,
    offer_create: u64,
    offer_vote: u64,
    offer_finalize_accept: u64,
    payout_claim: u64,
}

/// Measures the instructions in a pool that already has `background` contributors.
fn measure(background: u64) -> Figures {
    let mut w = World::new();
    for i in 0..background {
        let k = kp("background", i);
        let hash = hash_of("background-data", i);
        w.contribute_hash(&k, hash, 1 + i % 10).unwrap();
    }
    let probe = w.wallet("probe", 0);
    let max = w.cfg.max_score;
    let contribution_submit_new = w
        .contribute_hash(&probe, hash_of("probe-data", 0), max)
        .unwrap();
    let contribution_submit_again = w
        .contribute_hash(&probe, hash_of("probe-data", 1), max)
        .unwrap();
    let buyer = w.buyer(0, 1_000_000);
    let (offer, offer_create) = w.offer(&buyer, 1_000_000).unwrap();
    let offer_vote = w.vote(&probe, &offer, true).unwrap();
    let offer_finalize_accept = w.finalize(&offer).unwrap();
    assert_eq!(
        w.offer_state(&offer).state,
        data_pool::state::OfferState::Accepted
    );
    let payout_claim = w.claim(&probe).unwrap();
    w.check_invariants();
    Figures {
        contribution_submit_new,
        contribution_submit_again,
        offer_create,
        offer_vote,
        offer_finalize_accept,
        payout_claim,
    }
}

#[test]
fn compute_unit_ceilings_and_flat_scaling() {
    let small = measure(0);
    let large = measure(1_000);
    eprintln!("| instruction | CU (1 contributor) | CU (1,001 contributors) | ceiling |");
    eprintln!("|---|---|---|---|");
    let rows = [
        (
            "contribution_submit (new contributor)",
            small.contribution_submit_new,
            large.contribution_submit_new,
            30_000,
        ),
        (
            "contribution_submit (existing contributor)",
            small.contribution_submit_again,
            large.contribution_submit_again,
            30_000,
        ),
        (
            "offer_create",
            small.offer_create,
            large.offer_create,
            30_000,
        ),
        ("offer_vote", small.offer_vote, large.offer_vote, 15_000),
        (
            "offer_finalize (accept)",
            small.offer_finalize_accept,
            large.offer_finalize_accept,
            40_000,
        ),
        (
            "payout_claim",
            small.payout_claim,
            large.payout_claim,
            15_000,
        ),
    ];
    for (name, s, l, ceiling) in rows {
        eprintln!("| {name} | {s} | {l} | {ceiling} |");
    }
    for (name, s, l, ceiling) in rows {
        assert!(s <= ceiling, "{name}: {s} CU > {ceiling}");
        assert!(
            l <= ceiling,
            "{name}: {l} CU > {ceiling} with 1,000 contributors"
        );
        // Fixed keys: the same PDAs and bumps in both pools, so any difference would be a
        // cost that grows with the pool.
        assert!(
            s.abs_diff(l) <= 100,
            "{name}: {s} CU vs {l} CU with 1,000 contributors"
        );
    }
}
