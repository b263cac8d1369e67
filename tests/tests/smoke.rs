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
    assert_eq!(w.env.balance(&w.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.claim_accounts[&a.pubkey()]), 95_000);
}
