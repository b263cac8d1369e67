//! The five attacks an outside review proved against the built program (driving the `.so` from
//! its IDL alone), and the early-decision flip. Each is performed as the review described it and
//! must now fail with a named error and no state change, or settle correctly.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::extension::{memo_transfer, ExtensionType};
use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use data_pool_client::pda::{find_escrow_pda, find_pool_pda};
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // 5 % fee: 50,000; net 950,000

fn invalidate(w: &World, by: &Kp, hash: &[u8; 32]) -> Instruction {
    dix::contribution_invalidate(
        &PROGRAM_ID,
        &by.pubkey(),
        &w.side.pool,
        &person(hash),
        &w.attestor.pubkey(),
    )
}

fn finalize_ix(w: &World, offer: &Pubkey) -> Instruction {
    let o = w.offer_state(offer);
    dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        offer,
        &w.side.tokens,
        &o.refund_account,
        &o.payer,
    )
}

/// Attack 1: The authority removes a compromised attestor key; that key then tries to invalidate a
/// contribution it signed.
#[test]
fn a_removed_attestor_cannot_invalidate() {
    let mut w = World::new();
    let alice = w.wallet("alice", 0);
    w.contribute(&alice, 100).unwrap();
    let h = w.side.data_hashes[0];
    let auth = w.side.authority.insecure_clone();
    let att = w.attestor.insecure_clone();
    let remove = dix::attestor_remove(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &att.pubkey());
    w.env.send_paid(&[remove], &[&auth]).unwrap();

    let f = w.refused(&[invalidate(&w, &att, &h)], &[&att]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::AttestorInactive)));
    // Another pool's attestor record of the same key does not stand in for this one.
    let mut ix = invalidate(&w, &att, &h);
    let side = w.second_pool("other", "other-curator");
    ix.accounts[3].pubkey =
        data_pool_client::pda::find_attestor_pda(&PROGRAM_ID, &side.pool, &att.pubkey()).0;
    let f = w.refused(&[ix], &[&att]);
    assert_eq!(
        f.custom_code(),
        Some(anchor_lang::error::ErrorCode::ConstraintSeeds as u32)
    );
    assert_eq!(w.weight(&alice.pubkey()), Some(100));

    // Re-activated, the same key may invalidate again; the authority always may.
    let add = dix::attestor_add(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &auth.pubkey(),
        &w.side.pool,
        &att.pubkey(),
    );
    w.env.send_paid(&[add], &[&auth]).unwrap();
    w.env
        .send_paid(&[invalidate(&w, &att, &h)], &[&att])
        .unwrap();
    assert_eq!(w.pool_state().total_weight, 0);
    w.check_invariants();
}

/// A pool of an honest contributor (99) and the curator's own wallet (1), and an offer the
/// honest contributor's yes vote has decided.
fn honest_and_curator() -> (World, Kp, Kp, Buyer, Pubkey) {
    let mut w = World::new();
    let alice = w.wallet("alice", 0);
    let mallory = w.wallet("curators-own-wallet", 0);
    w.contribute(&alice, 99).unwrap();
    w.contribute(&mallory, 1).unwrap();
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&alice, &offer, true).unwrap();
    assert!(!w.undecided(&offer), "decided early by alice's 99 %");
    (w, alice, mallory, buyer, offer)
}

/// Attack 2: After alice voted yes, the curator invalidates her just before finalize, so its own
/// weight-1 wallet would take the whole net: directly, by the attestor, and inside the
/// finalizing transaction.
#[test]
fn the_curator_cannot_take_a_sale_by_invalidating_voters() {
    let (mut w, alice, mallory, _buyer, offer) = honest_and_curator();
    let h = w.side.data_hashes[0];
    let auth = w.side.authority.insecure_clone();
    let att = w.attestor.insecure_clone();
    assert_eq!(w.pool_state().open_offer_count, 1);
    for by in [&auth, &att] {
        let f = w.refused(&[invalidate(&w, by, &h)], &[by]);
        assert_eq!(f.custom_code(), Some(dp_code(DpErr::OffersOpen)));
    }
    // [contribution_invalidate(alice), offer_finalize] in one transaction.
    let ixs = [invalidate(&w, &auth, &h), finalize_ix(&w, &offer)];
    let f = w.refused(&ixs, &[&auth]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::OffersOpen)));
    assert_eq!(f.instruction_index(), Some(0));
    // Pausing does not help: the offer is still open.
    let pause = dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    w.env.send_paid(&[pause], &[&auth]).unwrap();
    let f = w.refused(&[invalidate(&w, &auth, &h)], &[&auth]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::OffersOpen)));

    // The sale settles at the weights it was made with: alice 99 %, the curator's wallet 1 %.
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    assert_eq!(w.pool_state().open_offer_count, 0);
    assert_eq!(w.entitlement(&alice.pubkey()), 940_500);
    assert_eq!(w.entitlement(&mallory.pubkey()), 9_500);
    // Once nothing is open the curator may strike out fraud; what alice earned stays hers.
    w.env
        .send_paid(&[invalidate(&w, &auth, &h)], &[&auth])
        .unwrap();
    w.claim(&alice).unwrap();
    w.claim(&mallory).unwrap();
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&alice.pubkey()]),
        940_500
    );
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&mallory.pubkey()]),
        9_500
    );
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

/// A contributor may still leave with their own contribution while an offer is open.
#[test]
fn leaving_stays_allowed_during_an_offer() {
    let (mut w, alice, mallory, _buyer, offer) = honest_and_curator();
    let h = w.side.data_hashes[1];
    w.leave(&mallory, &h).unwrap();
    w.finalize(&offer).unwrap();
    // All of the net to alice (less under one base unit of accumulator rounding).
    assert_eq!(w.entitlement(&alice.pubkey()), 949_999);
    assert_eq!(w.entitlement(&mallory.pubkey()), 0);
    w.check_invariants();
}

/// Attack 3: Whoever owned the treasury could close it, freeze it or require memos on it, and every
/// accepted finalize reverted. Fees now go to the pool's own fee vault: the curator's accounts
/// being closed, frozen or memo-gated block nothing but their own withdrawal.
#[test]
fn nobody_outside_the_program_can_block_settlement_through_fees() {
    let mut w = World::with_config(PoolConfig {
        token_program: TOKEN_2022,
        ..PoolConfig::default()
    });
    let alice = w.wallet("alice", 0);
    w.contribute(&alice, 100).unwrap();
    let auth = w.side.authority.insecure_clone();
    // The curator's accounts, each unable to receive in its own way.
    let fees = FeeDestinations::new(&mut w, &auth);
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&alice, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    assert!(!w.env.exists(&find_escrow_pda(&PROGRAM_ID, &offer).0));
    assert_eq!(w.env.balance(&buyer.token), 0);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 950_000);

    // Withdrawing into those accounts fails and changes nothing; into a good one it works.
    let withdraw = |w: &World, to: &Pubkey, amount| {
        dix::fees_withdraw(
            &PROGRAM_ID,
            &auth.pubkey(),
            &w.side.pool,
            &w.side.tokens,
            to,
            amount,
        )
    };
    for bad in [fees.closed, fees.frozen, fees.memo] {
        w.refused(&[withdraw(&w, &bad, None)], &[&auth]);
    }
    // Only the authority, and never more than the fees.
    let mut ix = withdraw(&w, &buyer.token, None);
    ix.accounts[0].pubkey = buyer.kp.pubkey();
    let f = w.refused(&[ix], &[&buyer.kp]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::Unauthorized)));
    let good = fees.good;
    let f = w.refused(&[withdraw(&w, &good, Some(50_001))], &[&auth]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::NothingToWithdraw)));
    w.env
        .send_paid(&[withdraw(&w, &good, Some(20_000))], &[&auth])
        .unwrap();
    w.env
        .send_paid(&[withdraw(&w, &good, None)], &[&auth])
        .unwrap();
    assert_eq!(w.env.balance(&good), 50_000);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 0);
    let f = w.refused(&[withdraw(&w, &good, None)], &[&auth]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::NothingToWithdraw)));
    let p = w.pool_state();
    assert_eq!((p.total_fees, p.total_fees_withdrawn), (50_000, 50_000));
    w.claim(&alice).unwrap();
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&alice.pubkey()]),
        950_000
    );
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

/// Attack 4: A Token-2022 mint with a close authority: closed at supply 0 and recreated at the same
/// address with a permanent delegate, it let the delegate drain the vault. Refused at pool
/// creation; and wherever new money enters, the mint is checked again.
#[test]
fn a_mint_that_can_be_closed_and_recreated_is_refused() {
    let mut env = Env::new();
    let curator = kp("authority", 0);
    env.fund(&curator.pubkey(), SOL);
    let mint = env.create_mint(
        &TOKEN_2022,
        &curator.pubkey(),
        6,
        &[ExtensionType::MintCloseAuthority],
    );
    let ix = dix::pool_create(
        &PROGRAM_ID,
        &env.payer.pubkey(),
        &curator.pubkey(),
        &mint,
        &TOKEN_2022,
        PoolConfig::default().args(),
    );
    assert_dp_err(
        env.send_paid(&[ix], &[&curator]),
        DpErr::MintHasCloseAuthority,
    );
    let pool = find_pool_pda(&PROGRAM_ID, &curator.pubkey(), "unwrapped").0;
    assert!(!env.exists(&pool));
}

/// The second layer: a pool whose payout mint account is no longer what it accepted (however
/// that came about) takes no new money.
#[test]
fn offer_create_rechecks_the_payout_mint() {
    for (replacement, err) in [
        (
            vec![ExtensionType::PermanentDelegate],
            DpErr::MintHasPermanentDelegate,
        ),
        (
            vec![ExtensionType::TransferFeeConfig],
            DpErr::MintHasTransferFee,
        ),
        (vec![], DpErr::MintChanged),
    ] {
        let mut w = World::with_config(PoolConfig {
            token_program: TOKEN_2022,
            ..PoolConfig::default()
        });
        let alice = w.wallet("alice", 0);
        w.contribute(&alice, 100).unwrap();
        let buyer = w.buyer(1, PRICE);
        // The same address now holds a mint with other extensions (or other decimals).
        let ma = w.mint_authority.pubkey();
        let decimals = if replacement.is_empty() { 9 } else { 6 };
        let other = w.env.create_mint(&TOKEN_2022, &ma, decimals, &replacement);
        let mut account = w.env.svm.get_account(&other).unwrap();
        let old = w.env.svm.get_account(&w.side.tokens.mint).unwrap();
        account.lamports = account.lamports.max(old.lamports);
        w.env.svm.set_account(w.side.tokens.mint, account).unwrap();
        let f = match w.offer(&buyer, PRICE) {
            Ok(_) => panic!("an offer was made over a changed mint"),
            Err(f) => f,
        };
        assert_eq!(f.custom_code(), Some(dp_code(err)), "{replacement:?}");
        assert_eq!(w.pool_state().offer_count, 0);
        assert_eq!(w.env.balance(&buyer.token), PRICE);
    }
}

/// Attack 5: A refund account that requires incoming memos made a rejected offer's finalize revert,
/// which also blocked `vote_close`. Now the offer settles as rejected with the refund pending.
#[test]
fn a_memo_gated_refund_account_does_not_block_a_rejection() {
    let mut w = World::with_config(PoolConfig {
        token_program: TOKEN_2022,
        ..PoolConfig::default()
    });
    let alice = w.wallet("alice", 0);
    w.contribute(&alice, 100).unwrap();
    let buyer = w.buyer(1, 0);
    let (tp, mint) = (w.side.tokens.token_program, w.side.tokens.mint);
    let refund = w.env.create_token_account_with(
        &tp,
        &mint,
        &buyer.kp.pubkey(),
        &[ExtensionType::MemoTransfer],
    );
    w.token_accounts.insert(refund);
    w.mint(&refund, PRICE);
    let index = w.pool_state().offer_count;
    let args = dix::OfferCreateArgs {
        index,
        price: PRICE,
        terms_hash: [7; 32],
        terms_uri: String::new(),
    };
    let ix = w.offer_create_ix(&buyer.kp.pubkey(), &refund, &refund, args);
    w.env.send_paid(&[ix], &[&buyer.kp]).unwrap();
    let offer = data_pool_client::pda::find_offer_pda(&PROGRAM_ID, &w.side.pool, index).0;
    w.side.offers.push(offer);
    w.side
        .offer_buyers
        .insert(offer, (buyer.kp.pubkey(), refund));
    // After paying, the buyer makes its refund account require memos, then the pool says no.
    let require = memo_transfer::instruction::enable_required_transfer_memos(
        &tp,
        &refund,
        &buyer.kp.pubkey(),
        &[],
    )
    .unwrap();
    w.env.send_paid(&[require], &[&buyer.kp]).unwrap();
    w.vote(&alice, &offer, false).unwrap();
    w.finalize(&offer).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!((o.state, o.refund_pending), (OfferState::Rejected, true));
    assert_eq!(
        w.env.balance(&find_escrow_pda(&PROGRAM_ID, &offer).0),
        PRICE
    );
    assert_eq!(w.pool_state().open_offer_count, 0);
    // The buyer takes the refund to an account of its choice.
    let other = w.env.create_token_account(&tp, &mint, &buyer.kp.pubkey());
    w.token_accounts.insert(other);
    let ix = dix::offer_refund(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &buyer.kp.pubkey(), &other),
    );
    w.env.send_paid(&[ix], &[&buyer.kp]).unwrap();
    assert_eq!(w.env.balance(&other), PRICE);
    assert_eq!(w.env.balance(&refund), 0);
    assert!(!w.env.exists(&find_escrow_pda(&PROGRAM_ID, &offer).0));
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

/// Early decisions are final: weight added after the snapshot used to flip an early acceptance
/// (T = max(snapshot, voted) is no upper bound), and the buyer's right to cancel with it.
#[test]
fn an_early_decision_cannot_be_flipped() {
    let mut w = World::new(); // quorum 50 %, approval 60 %
    let alice = w.wallet("alice", 0);
    let bob = w.wallet("bob", 0);
    w.contribute(&alice, 600).unwrap();
    w.contribute(&bob, 400).unwrap();
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&alice, &offer, true).unwrap();
    assert!(!w.undecided(&offer), "600 of 1,000 decides it at 60 %");
    // Bob, eligible, adds 2,000 of weight after the snapshot and votes no with 2,400: that
    // would make yes 20 % of the voted weight at the deadline.
    w.contribute(&bob, 2_000).unwrap();
    let bob_first = cached::contributor(&w.side.pool, &w.side.data_hashes[1]);
    let ix = dix::offer_vote(
        &PROGRAM_ID,
        &bob.pubkey(),
        &w.side.pool,
        &offer,
        &bob_first,
        false,
    );
    let f = w.refused(&[ix], &[&bob]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::OfferAlreadyDecided)));
    // The buyer cannot run from the accepted sale either.
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &buyer.kp.pubkey(), &buyer.token),
    );
    let f = w.refused(&[ix], &[&buyer.kp]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::OfferAlreadyDecided)));
    // At the deadline the decision is the same.
    let end = w.offer_state(&offer).voting_ends_at;
    w.env.set_time(end);
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    w.check_invariants();
}

/// No sequence of votes, contributions and departures after an early decision changes it:
/// seeded random runs over many pools.
#[test]
fn early_decisions_hold_under_random_activity() {
    let mut rng = Rng::new(0xdec1_0001);
    let mut decided = 0;
    for run in 0..24u64 {
        let mut w = World::with_config(PoolConfig {
            name: format!("flip-{run}"),
            quorum_bps: [0, 2_000, 5_000][run as usize % 3],
            approval_bps: [5_000, 6_000, 9_000][run as usize / 3 % 3],
            ..PoolConfig::default()
        });
        let people: Vec<Kp> = (0..6).map(|i| w.wallet(&format!("p{run}"), i)).collect();
        for k in &people {
            w.contribute(k, 1 + rng.below(500)).unwrap();
        }
        let buyer = w.buyer(run, PRICE);
        let (offer, _) = w.offer(&buyer, PRICE).unwrap();
        let mut first = None;
        for _ in 0..40 {
            let k = rng.pick(&people).unwrap().insecure_clone();
            let r = match rng.below(3) {
                0 => w.vote(&k, &offer, rng.chance(50)),
                1 => w.contribute(&k, 1 + rng.below(3_000)),
                _ => {
                    let h = *rng.pick(&w.side.data_hashes).unwrap();
                    w.leave(&k, &h)
                }
            };
            let _ = r; // refusals (double votes, someone else's data) are part of the noise
            let now = w.env.now();
            let o = w.offer_state(&offer);
            match (first, o.outcome(now)) {
                (None, Some(d)) => first = Some(d),
                (Some(d), now_d) => assert_eq!(Some(d), now_d, "run {run}: decision flipped"),
                (None, None) => {}
            }
            w.env.warp(60);
        }
        if let Some(d) = first {
            decided += 1;
            let end = w.offer_state(&offer).voting_ends_at;
            w.env.set_time(end);
            assert_eq!(w.offer_state(&offer).outcome(end), Some(d), "run {run}");
            w.finalize(&offer).unwrap();
            let state = w.offer_state(&offer).state;
            let expected = match d {
                data_pool::math::Outcome::Accepted => OfferState::Accepted,
                data_pool::math::Outcome::Rejected => OfferState::Rejected,
            };
            assert_eq!(state, expected, "run {run}");
        }
        w.check_invariants();
    }
    assert!(decided >= 12, "only {decided} of 24 runs decided early");
}

/// An offer nobody approved is never accepted, even with a quorum of 0.
#[test]
fn an_offer_nobody_approved_is_refunded() {
    let mut w = World::with_config(PoolConfig {
        quorum_bps: 0,
        ..PoolConfig::default()
    });
    let alice = w.wallet("alice", 0);
    w.contribute(&alice, 100).unwrap();
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    assert!(w.undecided(&offer));
    let end = w.offer_state(&offer).voting_ends_at;
    w.env.set_time(end);
    w.finalize(&offer).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!((o.state, o.refund_pending), (OfferState::Rejected, false));
    assert_eq!(w.env.balance(&buyer.token), PRICE);
    assert_eq!(w.pool_state().total_distributed, 0);
    w.check_invariants();
}
