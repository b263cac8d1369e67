//! Compute-unit ceilings (regression guards ≈5 % above today's figures with these keys), the
//! performance targets, and flat cost whatever the pool size. Keys are fixed, so bump searches
//! (and so the figures) are the same on every run. Run with `--nocapture` to see the figures.

use data_pool_tests::*;

#[test]
fn compute_unit_ceilings_and_flat_scaling() {
    let small = measure_instructions(0);
    let large = measure_instructions(1_000);
    eprintln!("| instruction | CU (1 contributor) | CU (1,001 contributors) | ceiling |");
    eprintln!("|---|---|---|---|");
    let rows = [
        (
            "contribution_submit",
            small.contribution_submit,
            large.contribution_submit,
            18_800,
        ),
        (
            "contribution_submit (replace)",
            small.contribution_replace,
            large.contribution_replace,
            16_700,
        ),
        (
            "offer_create",
            small.offer_create,
            large.offer_create,
            23_500,
        ),
        ("offer_vote", small.offer_vote, large.offer_vote, 3_800),
        (
            "offer_finalize (approve)",
            small.offer_finalize_approve,
            large.offer_finalize_approve,
            20_400,
        ),
        (
            "offer_deliver",
            small.offer_deliver,
            large.offer_deliver,
            18_200,
        ),
        (
            "payout_claim",
            small.payout_claim,
            large.payout_claim,
            8_100,
        ),
        (
            "contributor_leave",
            small.contributor_leave,
            large.contributor_leave,
            15_400,
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

/// The performance targets, met by the cheapest of several runs with varied keys (the spread above
/// the minimum is the bump search of the PDAs an instruction creates: ≈1,500 CU per extra try).
#[test]
fn targets_are_met() {
    let mut cu = std::collections::BTreeMap::new();
    for run in 0..6 {
        data_pool_tests::cu::sample_run(run, &mut cu);
    }
    for (name, target) in data_pool_tests::cu::TARGETS {
        let samples = &cu[name];
        let (min, median, max) = data_pool_tests::cu::stats(samples);
        eprintln!("{name}: min {min} / median {median} / max {max} (target {target})");
        assert!(min <= *target, "{name}: {min} CU at best > target {target}");
    }
}

#[test]
fn a_vote_refused_after_the_decision_fits_the_clients_margin() {
    // The client sets a transaction's limit to the simulated cost plus at least MIN_CU_MARGIN: a
    // vote simulated while the offer was undecided may land after the votes decided it, and must
    // then fail with its name, not run out of compute.
    let mut w = World::new();
    let a = w.wallet("a", 0);
    let b = w.wallet("b", 0);
    w.contribute(&a, 600).unwrap();
    w.contribute(&b, 400).unwrap();
    let buyer = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&buyer, 10_000).unwrap();
    let counted = w.vote(&a, &offer, true).unwrap();
    let refused = assert_fails(w.vote(&b, &offer, false));
    assert_eq!(
        refused.custom_code(),
        Some(dp_code(DpErr::OfferAlreadyDecided))
    );
    let extra = refused.compute_units.saturating_sub(counted);
    eprintln!(
        "offer_vote: counted {counted} CU, refused as decided {} CU",
        refused.compute_units
    );
    assert!(
        extra < data_pool_client::send::MIN_CU_MARGIN,
        "the refusal costs {extra} CU more than the vote"
    );
}
