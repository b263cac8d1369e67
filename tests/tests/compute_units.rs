//! Compute-unit ceilings, and flat cost whatever the pool size. Keys are fixed, so bump searches
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
