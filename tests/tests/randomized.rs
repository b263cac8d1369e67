//! A seeded random sequence of 1,200 mixed actions by many wallets (see `data_pool_tests::sim`).
//! After every step every invariant of `docs/PROTOCOL.md` holds; at the end every token is accounted
//! for. `DATA_POOL_SEED` and `DATA_POOL_STEPS` override the seed and the length.

use data_pool_tests::{env_or, sim};

#[test]
fn random_actions_keep_every_invariant() {
    let steps = env_or("DATA_POOL_STEPS", 1_200);
    let stats = sim::run(env_or("DATA_POOL_SEED", 0x5eed_da7a_9001), steps, 0);
    // The run must have exercised the interesting paths, or it proves little.
    for (action, min) in [
        ("contribute", 100),
        ("offer", 30),
        ("vote", 100),
        ("finalize", 20),
        ("claim", 30),
        ("leave", 10),
    ] {
        let n = stats.ok.get(action).copied().unwrap_or(0);
        let want = min * steps / 1_200;
        assert!(
            n >= want,
            "only {n} successful {action} (want ≥ {want}) — change the mix"
        );
    }
}
