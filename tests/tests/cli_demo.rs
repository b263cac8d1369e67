//! `datapool demo` on the embedded chain: the whole Unwrapped story through the CLI, every
//! invariant and history check, and how the pool ends, to the lamport.

use data_pool_tests::cli::{n, s, CliEnv, USDC};

#[test]
fn demo_runs_on_the_embedded_chain_and_holds_every_invariant() {
    let env = CliEnv::new();
    let r = env.ok(&["demo", "--contributors", "60", "--turnout", "70"]);
    assert_eq!(s(&r, "outcome"), "accepted");
    assert_eq!(n(&r, "contributors"), 60);
    assert_eq!(n(&r, "price"), 55_000 * USDC);
    assert_eq!(n(&r, "fee") + n(&r, "distributed"), n(&r, "price"));
    assert_eq!(n(&r, "claimed") + n(&r, "vaultDust"), n(&r, "distributed"));
    assert!(n(&r, "vaultDust") < 60 + 1);
    let checks = r["invariants"].as_array().expect("invariants");
    assert_eq!(checks.len(), 9);
    assert!(checks.iter().all(|c| c["ok"] == true), "{checks:?}");
    // The sale was delivered (the whole active set) before it paid out, and the history
    // checks replay the set log to the delivery receipt.
    assert_eq!(n(&r, "deliveredContributions"), 60);
    assert!(n(&r, "deliveredBytes") > 0);
    let history = r["historyChecks"].as_array().expect("history checks");
    assert_eq!(history.len(), 13);
    assert!(history.iter().all(|c| c["ok"] == true), "{history:?}");

    // The ending, to the lamport: every contributor left with its record's deposit back, the
    // audit then counted 60 closed records, and the pool closed after its claim window with its
    // vaults and registry (three attestors, one custodian); the accepted offer, the buyer's
    // license, is all that stays.
    use anchor_lang::Space;
    use data_pool::state::{Attestor, Contributor, Custodian, Pool};
    use data_pool_client::chain::Chain;
    let rent = |len: usize| env.block(env.chain.rent_exempt_minimum(len)).expect("rent");
    let end = &r["ending"];
    assert_eq!(n(end, "left"), 60);
    assert_eq!(
        n(end, "depositsReturned"),
        60 * rent(8 + Contributor::INIT_SPACE)
    );
    assert_eq!(n(end, "depositsReturned"), 60 * 2_192_400);
    assert_eq!(end["closed"], true);
    assert_eq!(
        n(end, "swept"),
        n(&r, "vaultDust"),
        "the fees were withdrawn"
    );
    // An SPL token account (each vault) is 165 bytes: 2,039,280 lamports.
    let token_account = rent(165);
    assert_eq!(token_account, 2_039_280);
    assert_eq!(
        n(end, "closeReturned"),
        rent(8 + Pool::INIT_SPACE)
            + 2 * token_account
            + 3 * rent(8 + Attestor::INIT_SPACE)
            + rent(8 + Custodian::INIT_SPACE)
    );
    assert!(r["invariants"][0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("0 records on chain + 60 closed")));
    let pool = s(&r, "pool").parse().expect("pool");
    assert!(env
        .block(env.chain.get_account(&pool))
        .expect("read")
        .is_none());
    let offer = s(&r, "offer").parse().expect("offer");
    let license = env
        .block(env.chain.get_account(&offer))
        .expect("read")
        .expect("the license stays");
    assert_eq!(n(end, "stillLocked"), license.lamports);
}
