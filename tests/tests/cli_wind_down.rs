//! The end of a pool's life through the CLI on the embedded chain: `pool wind-down`,
//! `contribution reap` after the claim window, `pool close` — and the refusals before their time.

use data_pool_cli::{EXIT_FAILED, EXIT_INPUT};
use data_pool_tests::cli::{n, s, setup};

#[test]
fn a_pool_winds_down_is_reaped_and_closes() {
    let t = setup();
    let env = &t.env;
    let record = |i: usize| {
        let list = env.ok(&[
            "contribution",
            "list",
            &t.pool,
            "--contributor",
            &t.people[i].0,
        ]);
        s(&list[0], "address").to_string()
    };
    let (r0, r1, r2) = (record(0), record(1), record(2));
    // The first contributor leaves while the pool is live.
    env.ok(&["-k", &t.people[0].1, "-y", "contribution", "leave", &r0]);

    let e = env.fails(
        &["-k", &t.curator, "-y", "pool", "close", &t.pool],
        EXIT_INPUT,
    );
    assert!(e.message.contains("is live"), "{}", e.message);
    let w = env.ok(&["-k", &t.curator, "-y", "pool", "wind-down", &t.pool]);
    assert!(n(&w, "claimsEnd") > 0);
    let e = env.fails(
        &["-k", &t.curator, "-y", "pool", "wind-down", &t.pool],
        EXIT_FAILED,
    );
    assert!(e.message.contains("was wound down"), "{}", e.message);
    // During the claim window nothing is reaped and the pool stays.
    let e = env.fails(
        &["-k", &t.attestor, "-y", "contribution", "reap", &r1],
        EXIT_FAILED,
    );
    assert!(e.message.contains("claim window"), "{}", e.message);
    let e = env.fails(
        &["-k", &t.curator, "-y", "pool", "close", &t.pool],
        EXIT_INPUT,
    );
    assert!(
        e.message.contains("claim window runs until"),
        "{}",
        e.message
    );

    env.advance(365 * 86_400 + 1);
    let e = env.fails(
        &["-k", &t.curator, "-y", "pool", "close", &t.pool],
        EXIT_INPUT,
    );
    assert!(
        e.message.contains("2 contributor record(s)"),
        "{}",
        e.message
    );
    // Anyone reaps (here the attestor, the curator paying the fee): each deposit goes back to
    // whoever paid it.
    for r in [&r1, &r2] {
        let out = env.ok(&[
            "-k",
            &t.attestor,
            "--fee-payer",
            &t.curator,
            "-y",
            "contribution",
            "reap",
            r,
        ]);
        assert_eq!(n(&out, "rentReturned"), 2_192_400);
    }
    let closed = env.ok(&["-k", &t.curator, "-y", "pool", "close", &t.pool]);
    assert_eq!(
        n(&closed, "recordsClosed"),
        2,
        "the attestor's and the custodian's"
    );
    assert!(n(&closed, "rentReturned") > 0);
    assert_eq!(
        n(&closed, "sweptRewards") + n(&closed, "sweptFees"),
        0,
        "no sale was made"
    );
    let e = env.fails(&["pool", "show", &t.pool], EXIT_INPUT);
    assert!(e.message.contains("no pool"), "{}", e.message);
}
