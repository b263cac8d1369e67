use data_pool_tests::*;

#[test]
fn full_cycle_three_contributors() {
    let mut w = World::new();
    let a = w.wallet("c", 1);
    let b = w.wallet("c", 2);
    let c = w.wallet("c", 3);
    w.contribute(&a, 100).unwrap();
    w.contribute(&b, 300).unwrap();
    w.contribute(&c, 600).unwrap();
    w.check_invariants();
    let buyer = w.buyer(1, 1_000_000);
    let (offer, _) = w.offer(&buyer, 1_000_000).unwrap();
    w.check_invariants();
    w.vote(&c, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    w.check_invariants();
    for k in [&a, &b, &c] {
        w.claim(k).unwrap();
    }
    w.check_invariants();
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.side.claim_accounts[&a.pubkey()]), 95_000);
}

/// The tests' invariant check is the auditor's (`checks::check_snapshot`): a pool whose recorded
/// weight disagrees with its contributors fails it, naming invariant 1.
#[test]
fn the_world_checks_invariants_with_the_auditors_checker() {
    use anchor_lang::{AccountDeserialize, AccountSerialize};
    let mut w = World::new();
    let a = w.wallet("c", 1);
    w.contribute(&a, 100).unwrap();
    w.check_invariants();
    let mut acc = w.env.svm.get_account(&w.side.pool).expect("pool");
    let mut pool =
        data_pool::state::Pool::try_deserialize(&mut acc.data.as_slice()).expect("decode");
    pool.total_weight += 1;
    let mut buf = Vec::new();
    pool.try_serialize(&mut buf).expect("encode");
    acc.data[..buf.len()].copy_from_slice(&buf);
    w.env.svm.set_account(w.side.pool, acc).expect("set");
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| w.check_invariants()));
    let message = failed.expect_err("a corrupted pool must fail the check");
    let text = message
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(text.contains("1. total weight"), "{text}");
}
