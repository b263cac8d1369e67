//! Curator instructions: pool creation and its checks (parameters, payout mints), updates,
//! pause, two-step authority transfer, attestors.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use data_pool_client::instructions as dix;
use data_pool_client::pda::{find_attestor_pda, find_fee_vault_pda, find_pool_pda};
use data_pool_tests::*;

/// A bare environment with a curator and a mint, for pool creation tests.
struct Setup {
    env: Env,
    auth: Kp,
    mint: Pubkey,
    token_program: Pubkey,
}

fn setup(token_program: Pubkey, extensions: &[ExtensionType]) -> Setup {
    let mut env = Env::new();
    let auth = kp("authority", 0);
    env.fund(&auth.pubkey(), SOL);
    let mint = env.create_mint(&token_program, &auth.pubkey(), 6, extensions);
    Setup {
        env,
        auth,
        mint,
        token_program,
    }
}

impl Setup {
    fn create(&mut self, args: dix::PoolCreateArgs) -> Result<u64, Failure> {
        let ix = dix::pool_create(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &self.auth.pubkey(),
            &self.mint,
            &self.token_program,
            args,
        );
        let a = self.auth.insecure_clone();
        self.env.send_paid(&[ix], &[&a])
    }
}

fn args() -> dix::PoolCreateArgs {
    PoolConfig::default().args()
}

/// The default create args with one parameter changed.
fn with_params(change: impl FnOnce(&mut data_pool::state::PoolParams)) -> dix::PoolCreateArgs {
    let mut a = args();
    change(&mut a.params);
    a
}

#[test]
fn pool_create_records_everything() {
    let mut s = setup(TOKEN, &[]);
    s.create(args()).unwrap();
    let (pool, bump) = find_pool_pda(&PROGRAM_ID, &s.auth.pubkey(), "unwrapped");
    let p: data_pool::state::Pool = s.env.get(&pool).unwrap();
    assert_eq!(p.bump, bump);
    let fee_vault = find_fee_vault_pda(&PROGRAM_ID, &pool);
    assert_eq!(
        (
            p.authority,
            p.creator,
            p.mint,
            p.fee_vault,
            p.fee_vault_bump
        ),
        (
            s.auth.pubkey(),
            s.auth.pubkey(),
            s.mint,
            fee_vault.0,
            fee_vault.1
        )
    );
    // The fee vault is a token account of the mint that only the pool controls.
    let t = s.env.token_account(&p.fee_vault).unwrap();
    assert_eq!((t.mint, t.owner, t.amount), (s.mint, pool, 0));
    assert_eq!(p.open_offer_count, 0);
    assert_eq!(
        (p.params.fee_bps, p.params.quorum_bps, p.params.approval_bps),
        (500, 5_000, 6_000)
    );
    assert_eq!(p.mint_decimals, 6);
    assert_eq!(p.version, data_pool::constants::LAYOUT_VERSION);
    assert_eq!(p.set_hash, [0; 32]);
    assert_eq!(p.active_custodian_count, 0);
    assert_eq!(s.env.token_amount(&p.vault), Some(0));
}

#[test]
fn pool_create_rejects_bad_parameters() {
    let mut s = setup(TOKEN, &[]);
    let cases: Vec<(dix::PoolCreateArgs, DpErr)> = vec![
        (
            dix::PoolCreateArgs {
                name: String::new(),
                ..args()
            },
            DpErr::InvalidPoolName,
        ),
        (
            dix::PoolCreateArgs {
                claim_window: data_pool::MIN_CLAIM_WINDOW - 1,
                ..args()
            },
            DpErr::InvalidClaimWindow,
        ),
        (
            dix::PoolCreateArgs {
                claim_window: data_pool::MAX_CLAIM_WINDOW + 1,
                ..args()
            },
            DpErr::InvalidClaimWindow,
        ),
        (
            dix::PoolCreateArgs {
                name: "n".repeat(33),
                ..args()
            },
            DpErr::InvalidPoolName,
        ),
        (with_params(|p| p.fee_bps = 10_001), DpErr::InvalidFeeBps),
        (
            with_params(|p| p.quorum_bps = 10_001),
            DpErr::InvalidQuorumBps,
        ),
        (
            with_params(|p| p.approval_bps = 0),
            DpErr::InvalidApprovalBps,
        ),
        (
            with_params(|p| p.approval_bps = 10_001),
            DpErr::InvalidApprovalBps,
        ),
        (
            with_params(|p| p.voting_period = 59),
            DpErr::InvalidVotingPeriod,
        ),
        (
            with_params(|p| p.voting_period = 366 * 86_400),
            DpErr::InvalidVotingPeriod,
        ),
        (
            with_params(|p| p.min_offer_price = 0),
            DpErr::InvalidMinOfferPrice,
        ),
        (with_params(|p| p.max_score = 0), DpErr::InvalidMaxScore),
        (
            with_params(|p| p.delivery_period = 59),
            DpErr::InvalidDeliveryPeriod,
        ),
        (
            with_params(|p| p.delivery_period = 90 * 86_400 + 1),
            DpErr::InvalidDeliveryPeriod,
        ),
    ];
    for (a, e) in cases {
        assert_dp_err(s.create(a), e);
    }
    // The boundaries themselves are fine.
    let edge = dix::PoolCreateArgs {
        name: "n".repeat(32),
        params: data_pool::state::PoolParams {
            fee_bps: 10_000,
            quorum_bps: 10_000,
            approval_bps: 10_000,
            voting_period: 60,
            min_offer_price: 1,
            max_score: 1,
            delivery_period: 60,
        },
        claim_window: data_pool::MIN_CLAIM_WINDOW,
    };
    s.create(edge).unwrap();
    let edge = dix::PoolCreateArgs {
        name: "m".repeat(32),
        params: data_pool::state::PoolParams {
            delivery_period: 90 * 86_400,
            ..args().params
        },
        claim_window: data_pool::MAX_CLAIM_WINDOW,
    };
    s.create(edge).unwrap();
}

#[test]
fn pool_create_twice_is_refused() {
    let mut s = setup(TOKEN, &[]);
    s.create(args()).unwrap();
    assert_dp_err(s.create(args()), DpErr::PoolAlreadyExists);
}

#[test]
fn mint_of_another_token_program_is_refused() {
    let mut s = setup(TOKEN, &[]);
    s.token_program = TOKEN_2022; // mint is owned by SPL Token
    assert_fails(s.create(args()));
}

#[test]
fn token_2022_mints_with_dangerous_extensions_are_refused() {
    let cases = [
        (
            ExtensionType::PermanentDelegate,
            DpErr::MintHasPermanentDelegate,
        ),
        (ExtensionType::TransferHook, DpErr::MintHasTransferHook),
        (ExtensionType::TransferFeeConfig, DpErr::MintHasTransferFee),
        (ExtensionType::NonTransferable, DpErr::MintNonTransferable),
        (
            ExtensionType::DefaultAccountState,
            DpErr::MintHasDefaultAccountState,
        ),
        (ExtensionType::Pausable, DpErr::MintPausable),
        // A close authority could close the mint at supply 0 and recreate it at the same
        // address with a permanent delegate.
        (
            ExtensionType::MintCloseAuthority,
            DpErr::MintHasCloseAuthority,
        ),
        (
            ExtensionType::ConfidentialTransferMint,
            DpErr::MintHasConfidentialTransfers,
        ),
    ];
    for (ext, err) in cases {
        let mut s = setup(TOKEN_2022, &[ext]);
        assert_dp_err(s.create(args()), err);
    }
}

#[test]
fn token_2022_mint_with_a_harmless_extension_is_accepted() {
    // A close-authority extension whose authority is unset: nobody can ever close the mint.
    let mut s = setup(TOKEN_2022, &[]);
    let auth = s.auth.pubkey();
    s.mint = s.env.create_mint_at(
        &Kp::new(),
        &TOKEN_2022,
        &auth,
        6,
        &[ExtensionType::MintCloseAuthority],
        None,
    );
    s.create(args()).unwrap();
}

/// A world plus helpers to send as its curator.
fn send_as(
    w: &mut World,
    who: &Kp,
    ix: anchor_lang::solana_program::instruction::Instruction,
) -> Result<u64, Failure> {
    w.env.send_paid(&[ix], &[who])
}

#[test]
fn pool_update_rules() {
    let mut w = World::new();
    let auth = w.side.authority.insecure_clone();
    let stranger = w.wallet("stranger", 1);
    let upd = |w: &World, fee| w.update_args(|p| p.fee_bps = fee);
    let ix = dix::pool_update(&PROGRAM_ID, &stranger.pubkey(), &w.side.pool, upd(&w, 100));
    assert_dp_err(send_as(&mut w, &stranger, ix), DpErr::Unauthorized);
    let same = w.update_args(|_| {});
    let ix = dix::pool_update(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, same);
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::NothingToUpdate);
    let ix = dix::pool_update(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, upd(&w, 10_001));
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::InvalidFeeBps);
    let bad = w.update_args(|p| p.voting_period = 10);
    let ix = dix::pool_update(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, bad);
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::InvalidVotingPeriod);
    // A good update.
    let ix = dix::pool_update(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, upd(&w, 250));
    send_as(&mut w, &auth, ix).unwrap();
    assert_eq!(w.pool_state().params.fee_bps, 250);
}

#[test]
fn pause_and_unpause_rules() {
    let mut w = World::new();
    let auth = w.side.authority.insecure_clone();
    let stranger = w.wallet("stranger", 1);
    let ix = dix::pool_pause(&PROGRAM_ID, &stranger.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &stranger, ix), DpErr::Unauthorized);
    let ix = dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::PoolNotPaused);
    let ix = dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    send_as(&mut w, &auth, ix.clone()).unwrap();
    assert!(w.pool_state().paused);
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::PoolAlreadyPaused);
    let ix = dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    send_as(&mut w, &auth, ix).unwrap();
    assert!(!w.pool_state().paused);
    let k = w.wallet("member", 0);
    w.contribute(&k, 10).unwrap();
}

#[test]
fn two_step_authority_transfer() {
    let mut w = World::new();
    let old = w.side.authority.insecure_clone();
    let new = w.wallet("new-authority", 1);
    let other = w.wallet("other", 1);
    // Nobody can accept before a proposal.
    let ix = dix::authority_accept(&PROGRAM_ID, &new.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &new, ix), DpErr::NotPendingAuthority);
    // Only the authority proposes.
    let ix = dix::authority_propose(&PROGRAM_ID, &other.pubkey(), &w.side.pool, &other.pubkey());
    assert_dp_err(send_as(&mut w, &other, ix), DpErr::Unauthorized);
    let ix = dix::authority_propose(&PROGRAM_ID, &old.pubkey(), &w.side.pool, &new.pubkey());
    send_as(&mut w, &old, ix).unwrap();
    assert_eq!(w.pool_state().pending_authority, new.pubkey());
    // Someone else cannot accept.
    let ix = dix::authority_accept(&PROGRAM_ID, &other.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &other, ix), DpErr::NotPendingAuthority);
    let ix = dix::authority_accept(&PROGRAM_ID, &new.pubkey(), &w.side.pool);
    send_as(&mut w, &new, ix).unwrap();
    let p = w.pool_state();
    assert_eq!(
        (p.authority, p.pending_authority, p.creator),
        (new.pubkey(), Pubkey::default(), old.pubkey())
    );
    // The old authority is out; the new one is in; the pool address did not move.
    let ix = dix::pool_pause(&PROGRAM_ID, &old.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &old, ix), DpErr::Unauthorized);
    let ix = dix::pool_pause(&PROGRAM_ID, &new.pubkey(), &w.side.pool);
    send_as(&mut w, &new, ix).unwrap();
    // A proposal can be withdrawn.
    let ix = dix::authority_propose(&PROGRAM_ID, &new.pubkey(), &w.side.pool, &other.pubkey());
    send_as(&mut w, &new, ix).unwrap();
    let ix = dix::authority_propose(&PROGRAM_ID, &new.pubkey(), &w.side.pool, &Pubkey::default());
    send_as(&mut w, &new, ix).unwrap();
    let ix = dix::authority_accept(&PROGRAM_ID, &other.pubkey(), &w.side.pool);
    assert_dp_err(send_as(&mut w, &other, ix), DpErr::NotPendingAuthority);
}

#[test]
fn attestor_lifecycle() {
    let mut w = World::new();
    let auth = w.side.authority.insecure_clone();
    let key = kp("attestor", 7).pubkey();
    let stranger = w.wallet("stranger", 1);
    let ix = dix::attestor_add(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &stranger.pubkey(),
        &w.side.pool,
        &key,
    );
    assert_dp_err(send_as(&mut w, &stranger, ix), DpErr::Unauthorized);
    w.add_attestor(&key).unwrap();
    assert_dp_err(w.add_attestor(&key), DpErr::AttestorAlreadyActive);
    assert_eq!(w.pool_state().active_attestor_count, 2);
    let ix = dix::attestor_remove(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &key);
    send_as(&mut w, &auth, ix.clone()).unwrap();
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::AttestorInactive);
    let rec: data_pool::state::Attestor = w
        .env
        .get(&find_attestor_pda(&PROGRAM_ID, &w.side.pool, &key).0)
        .unwrap();
    assert!(!rec.active, "the record stays, deactivated");
    assert_eq!(w.pool_state().active_attestor_count, 1);
    w.add_attestor(&key).unwrap();
    assert_eq!(w.pool_state().active_attestor_count, 2);
}

#[test]
fn attestor_of_another_pool_cannot_be_removed_through_this_one() {
    let mut w = World::new();
    let auth = w.side.authority.insecure_clone();
    // Second pool by the same curator, with its own attestor record.
    let cfg = PoolConfig {
        name: "second".into(),
        ..PoolConfig::default()
    };
    let ix = dix::pool_create(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &auth.pubkey(),
        &w.side.tokens.mint,
        &w.side.tokens.token_program,
        cfg.args(),
    );
    send_as(&mut w, &auth, ix).unwrap();
    let second = find_pool_pda(&PROGRAM_ID, &auth.pubkey(), "second").0;
    let key = w.attestor.pubkey();
    let ix = dix::attestor_add(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &auth.pubkey(),
        &second,
        &key,
    );
    send_as(&mut w, &auth, ix).unwrap();
    let mut ix = dix::attestor_remove(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &key);
    ix.accounts[2].pubkey = find_attestor_pda(&PROGRAM_ID, &second, &key).0;
    assert_dp_err(send_as(&mut w, &auth, ix), DpErr::PoolMismatch);
}
