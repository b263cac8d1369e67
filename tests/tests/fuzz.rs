//! Stateful fuzzing: 10,000 seeded steps of random actions, a quarter of them attacks (an
//! attacker pool's accounts, random keys or wrong programs substituted, signers removed or
//! replaced), the actions including the outside review's attacks (`tests/src/sim.rs`). Every attack must fail and change nothing; the invariants hold after every
//! step; tokens are conserved exactly. Longer runs: `DATA_POOL_FUZZ_STEPS=200000`, other seeds:
//! `DATA_POOL_FUZZ_SEED=…`.

use data_pool_tests::{dp_code, env_or, sim, DpErr};

#[test]
fn fuzz_actions_and_attacks() {
    let steps = env_or("DATA_POOL_FUZZ_STEPS", 10_000);
    let seed = env_or("DATA_POOL_FUZZ_SEED", 0xf022_0001);
    let t = std::time::Instant::now();
    let stats = sim::run(seed, steps, 25);
    eprintln!("fuzz: {steps} steps in {:.1} s", t.elapsed().as_secs_f64());
    assert!(
        stats.attacks >= steps / 8,
        "only {} attacks in {steps} steps",
        stats.attacks
    );
    // The review's attacks were all performed, and the paths around them taken.
    for action in ["invalidate", "fees_withdraw", "refund", "attestor_remove"] {
        assert!(
            stats.ok.get(action).is_some_and(|n| *n > 0),
            "no successful {action}"
        );
    }
    for (action, error) in [
        ("invalidate-during-offer", DpErr::OffersOpen),
        ("pool_create-closable-mint", DpErr::MintHasCloseAuthority),
        ("vote", DpErr::OfferAlreadyDecided),
    ] {
        let key = format!("{action}:{}", dp_code(error));
        assert!(stats.refused.contains_key(&key), "never refused {key}");
    }
    let ok: u64 = stats.ok.values().sum();
    assert!(
        ok >= steps / 4,
        "only {ok} successful actions in {steps} steps"
    );
}
