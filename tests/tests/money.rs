//! Money: exact balances of buyer, escrow, fee vault, vault and contributors through sales and
//! claims; dust bounds; weights changing; refunds that cannot be delivered; pause.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use data_pool_client::pda::find_escrow_pda;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // fee 5 %: 50,000 to the fee vault, 950,000 to contributors

fn pool_with(weights: &[u64]) -> (World, Vec<Kp>) {
    World::with_members("member", weights)
}

fn sell(w: &mut World, n: u64, price: u64, yes: &[&Kp]) -> Pubkey {
    w.sell(n, price, yes)
}

fn conserve(w: &World) {
    assert_eq!(
        w.tokens_in_existence(),
        w.minted,
        "tokens created or destroyed"
    );
}

#[test]
fn one_sale_pays_exact_shares() {
    let (mut w, ks) = pool_with(&[100, 300, 600]);
    let offer = sell(&mut w, 1, PRICE, &[&ks[2]]);
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    assert!(!w.env.exists(&find_escrow_pda(&PROGRAM_ID, &offer).0));
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 950_000);
    let expected = [95_000, 285_000, 570_000];
    for (k, e) in ks.iter().zip(expected) {
        assert_eq!(w.entitlement(&k.pubkey()), e);
        w.claim(k).unwrap();
        assert_eq!(w.env.balance(&w.side.claim_accounts[&k.pubkey()]), e);
        w.check_invariants();
    }
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    let p = w.pool_state();
    assert_eq!(
        (p.total_distributed, p.total_claimed, p.total_fees),
        (950_000, 950_000, 50_000)
    );
    conserve(&w);
}

#[test]
fn rounding_leaves_dust_in_the_vault_never_overpays() {
    let (mut w, ks) = pool_with(&[1, 1, 1]);
    sell(&mut w, 1, 1_000, &[&ks[0], &ks[1]]); // fee 50, net 950 over 3
    for k in &ks {
        assert_eq!(w.entitlement(&k.pubkey()), 316);
        w.claim(k).unwrap();
    }
    assert_eq!(
        w.env.balance(&w.side.tokens.vault),
        2,
        "dust stays, below contributors + sales"
    );
    for k in &ks {
        assert_dp_err(w.claim(k), DpErr::NothingToClaim);
    }
    // Fractions carry over: after two more identical sales each member is owed 2 × 316.67 → 633.
    sell(&mut w, 2, 1_000, &[&ks[0], &ks[1]]);
    sell(&mut w, 3, 1_000, &[&ks[0], &ks[1]]);
    for k in &ks {
        assert_eq!(w.entitlement(&k.pubkey()), 317 + 316);
    }
    w.check_invariants();
    conserve(&w);
}

#[test]
fn weights_changing_between_sales() {
    let (mut w, ks) = pool_with(&[100, 100]);
    sell(&mut w, 1, PRICE, &[&ks[0], &ks[1]]);
    let c = w.wallet("member", 2);
    w.contribute(&c, 200).unwrap();
    w.contribute(&ks[0], 100).unwrap();
    w.check_invariants();
    sell(&mut w, 2, PRICE, &[&ks[0], &c]);
    assert_eq!(w.entitlement(&ks[0].pubkey()), 475_000 + 380_000);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 475_000 + 190_000);
    assert_eq!(w.entitlement(&c.pubkey()), 380_000);
    // A claim between sales does not change later shares.
    w.claim(&ks[1]).unwrap();
    sell(&mut w, 3, PRICE, &[&ks[0], &c]);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 190_000);
    for k in [&ks[0], &ks[1], &c] {
        w.claim(k).unwrap();
    }
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&ks[0].pubkey()]),
        475_000 + 380_000 + 380_000
    );
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&ks[1].pubkey()]),
        475_000 + 190_000 + 190_000
    );
    assert_eq!(
        w.env.balance(&w.side.claim_accounts[&c.pubkey()]),
        380_000 + 380_000
    );
    w.check_invariants();
    conserve(&w);
}

#[test]
fn leaving_between_sales_pays_what_was_earned() {
    let (mut w, ks) = pool_with(&[100, 100]);
    sell(&mut w, 1, PRICE, &[&ks[0], &ks[1]]);
    let h = w.side.data_hashes[0];
    // Leaving claims the 475,000 earned and closes the record; there is nothing left to leave.
    w.leave(&ks[0], &h).unwrap();
    let dest = w.side.claim_accounts[&ks[0].pubkey()];
    assert_eq!(w.env.balance(&dest), 475_000);
    assert_anchor_err(w.leave(&ks[0], &h), AnchorError::AccountNotInitialized);
    assert_eq!(w.weight(&ks[0].pubkey()), None);
    // Leaving without the claim is refused while anything is owed: nothing is forfeited.
    let h1 = w.side.data_hashes[1];
    let payer = w.env.payer.pubkey();
    let bare = dix::contributor_leave(
        &PROGRAM_ID,
        &ks[1].pubkey(),
        &w.side.pool,
        &payer,
        &person(&h1),
    );
    assert_dp_err(
        w.env.send_paid(&[bare], &[&ks[1]]),
        DpErr::PayoutOutstanding,
    );
    w.check_invariants();
    sell(&mut w, 2, PRICE, &[&ks[1]]);
    assert_eq!(w.entitlement(&ks[0].pubkey()), 0);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 475_000 + 950_000);
    w.claim(&ks[1]).unwrap();
    w.check_invariants();
    conserve(&w);
}

#[test]
fn invalidation_by_attestor_or_authority_between_sales() {
    let (mut w, ks) = pool_with(&[100, 100, 200]);
    sell(&mut w, 1, PRICE, &[&ks[2], &ks[0]]);
    let (h0, h1) = (w.side.data_hashes[0], w.side.data_hashes[1]);
    // A stranger may not invalidate.
    let stranger = w.wallet("stranger", 1);
    let ix = dix::contribution_invalidate(
        &PROGRAM_ID,
        &stranger.pubkey(),
        &w.side.pool,
        &person(&h0),
        &w.attestor.pubkey(),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&stranger]), DpErr::NotInvalidator);
    // Nor may the contributor of another contribution leave with it.
    assert_dp_err(w.leave(&ks[1], &h0), DpErr::ContributionMismatch);
    // The attestor that signed it may.
    let att = w.attestor.insecure_clone();
    let ix = dix::contribution_invalidate(
        &PROGRAM_ID,
        &att.pubkey(),
        &w.side.pool,
        &person(&h0),
        &att.pubkey(),
    );
    w.env.send_paid(std::slice::from_ref(&ix), &[&att]).unwrap();
    assert_dp_err(w.env.send_paid(&[ix], &[&att]), DpErr::ContributionInactive);
    // So may the authority.
    let auth = w.side.authority.insecure_clone();
    let ix = dix::contribution_invalidate(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &person(&h1),
        &w.attestor.pubkey(),
    );
    w.env.send_paid(&[ix], &[&auth]).unwrap();
    w.check_invariants();
    assert_eq!(w.pool_state().total_weight, 200);
    sell(&mut w, 2, PRICE, &[&ks[2]]);
    assert_eq!(w.entitlement(&ks[0].pubkey()), 237_500);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 237_500);
    assert_eq!(w.entitlement(&ks[2].pubkey()), 475_000 + 950_000);
    for k in &ks {
        w.claim(k).unwrap();
    }
    w.check_invariants();
    conserve(&w);
}

#[test]
fn accepted_offer_into_a_pool_that_lost_all_weight_is_refunded() {
    let (mut w, ks) = pool_with(&[100]);
    let b = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&b, PRICE).unwrap();
    w.vote(&ks[0], &offer, true).unwrap(); // decided
    let h = w.side.data_hashes[0];
    w.leave(&ks[0], &h).unwrap();
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Rejected);
    assert_eq!(w.env.balance(&b.token), PRICE);
    w.check_invariants();
    conserve(&w);
}

/// A pool of two members; the first one's vote against buyer 1's offer decided it (half the
/// weight against: 60 % approval is out of reach). Not finalized yet.
fn rejected_offer_ready_to_finalize() -> (World, Buyer, Pubkey) {
    let (mut w, ks) = pool_with(&[100, 100]);
    let b = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&b, PRICE).unwrap();
    w.vote(&ks[0], &offer, false).unwrap();
    assert!(!w.undecided(&offer));
    (w, b, offer)
}

#[test]
fn refund_waits_in_escrow_when_the_refund_account_is_gone() {
    let (mut w, b, offer) = rejected_offer_ready_to_finalize();
    // The buyer closes the (now empty) refund account.
    w.close_token_account(&b.kp, &b.token);
    w.finalize(&offer).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!((o.state, o.refund_pending), (OfferState::Rejected, true));
    w.check_invariants(); // the escrow still holds exactly the price
                          // Someone else cannot take it, nor can the buyer send it to someone else's account.
    let thief = w.buyer(2, 0);
    let ix = dix::offer_refund(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &thief.kp.pubkey(), &thief.token),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&thief.kp]), DpErr::NotBuyer);
    let ix = dix::offer_refund(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &b.kp.pubkey(), &thief.token),
    );
    assert_dp_err(
        w.env.send_paid(&[ix], &[&b.kp]),
        DpErr::WrongTokenAccountOwner,
    );
    // The buyer withdraws to a new account.
    let tp = w.side.tokens.token_program;
    let mint = w.side.tokens.mint;
    let fresh = w.env.create_token_account(&tp, &mint, &b.kp.pubkey());
    w.token_accounts.insert(fresh);
    let ix = dix::offer_refund(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &b.kp.pubkey(), &fresh),
    );
    w.env
        .send_paid(std::slice::from_ref(&ix), &[&b.kp])
        .unwrap();
    assert_eq!(w.env.balance(&fresh), PRICE);
    assert!(!w.offer_state(&offer).refund_pending);
    assert_dp_err(w.env.send_paid(&[ix], &[&b.kp]), DpErr::NothingToRefund);
    w.check_invariants();
    conserve(&w);
}

#[test]
fn refund_waits_when_the_refund_account_is_frozen() {
    let (mut w, b, offer) = rejected_offer_ready_to_finalize();
    let freeze = spl_token_2022::instruction::freeze_account(
        &w.side.tokens.token_program,
        &b.token,
        &w.side.tokens.mint,
        &w.mint_authority.pubkey(),
        &[],
    )
    .unwrap();
    let ma = w.mint_authority.insecure_clone();
    w.env.fund(&ma.pubkey(), SOL);
    w.env.send(&[freeze], &[&ma]).unwrap();
    w.finalize(&offer).unwrap();
    assert!(w.offer_state(&offer).refund_pending);
    w.check_invariants();
    assert_eq!(
        w.env.balance(&find_escrow_pda(&PROGRAM_ID, &offer).0),
        PRICE
    );
}

#[test]
fn pause_never_traps_money() {
    let (mut w, ks) = pool_with(&[100, 100, 100]);
    sell(&mut w, 1, PRICE, &[&ks[0], &ks[1]]);
    let b2 = w.buyer(2, PRICE);
    let (open, _) = w.offer(&b2, PRICE).unwrap();
    let b3 = w.buyer(3, PRICE);
    let (to_cancel, _) = w.offer(&b3, PRICE).unwrap();
    let auth = w.side.authority.insecure_clone();
    let ix = dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    w.env.send_paid(&[ix], &[&auth]).unwrap();
    // New offers and contributions stop.
    let b4 = w.buyer(4, PRICE);
    assert_dp_err(w.offer(&b4, PRICE), DpErr::PoolPaused);
    assert_dp_err(w.contribute(&ks[0], 5), DpErr::PoolPaused);
    // Votes, finalize, cancel, claims and vote closing go on.
    w.vote(&ks[0], &open, false).unwrap();
    if w.undecided(&open) {
        w.vote(&ks[1], &open, false).unwrap();
    }
    w.finalize(&open).unwrap();
    assert_eq!(w.env.balance(&b2.token), PRICE);
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &to_cancel,
        &w.side.tokens,
        &w.refund(&to_cancel, &b3.kp.pubkey(), &b3.token),
    );
    w.env.send_paid(&[ix], &[&b3.kp]).unwrap();
    assert_eq!(w.env.balance(&b3.token), PRICE);
    for k in &ks {
        w.claim(k).unwrap();
    }
    let h = w.side.data_hashes[2];
    w.leave(&ks[2], &h).unwrap();
    w.check_invariants();
    conserve(&w);
}

#[test]
fn claim_errors() {
    let (mut w, ks) = pool_with(&[100, 100]);
    assert_dp_err(w.claim(&ks[0]), DpErr::NothingToClaim);
    sell(&mut w, 1, PRICE, &[&ks[0], &ks[1]]);
    // To someone else's token account.
    let other = w.claim_account(&ks[1].pubkey());
    let record = w.records(&ks[0].pubkey())[0].0;
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &ks[0].pubkey(),
        &w.side.pool,
        &record,
        &w.side.tokens,
        &other,
    );
    assert_dp_err(
        w.env.send_paid(&[ix], &[&ks[0]]),
        DpErr::WrongTokenAccountOwner,
    );
    // To an account of another mint.
    let ma = w.mint_authority.pubkey();
    let tp = w.side.tokens.token_program;
    let other_mint = w.env.create_mint(&tp, &ma, 6, &[]);
    let wrong = w
        .env
        .create_token_account(&tp, &other_mint, &ks[0].pubkey());
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &ks[0].pubkey(),
        &w.side.pool,
        &record,
        &w.side.tokens,
        &wrong,
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&ks[0]]), DpErr::WrongMint);
    // A stranger has no contributor record.
    let stranger = w.wallet("stranger", 1);
    assert_anchor_err(w.claim(&stranger), AnchorError::AccountNotInitialized);
    // Claiming someone else's record by signing as oneself.
    let dest = w.claim_account(&ks[0].pubkey());
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &stranger.pubkey(),
        &w.side.pool,
        &record,
        &w.side.tokens,
        &dest,
    );
    assert_dp_err(
        w.env.send_paid(&[ix], &[&stranger]),
        DpErr::ContributionMismatch,
    );
    w.claim(&ks[0]).unwrap();
    assert_dp_err(w.claim(&ks[0]), DpErr::NothingToClaim);
    w.check_invariants();
}

#[test]
fn offer_create_errors_leave_nothing_behind() {
    let mut w = World::new();
    let b = w.buyer(1, PRICE);
    assert_dp_err(w.offer(&b, PRICE), DpErr::EmptyPool);
    let k = w.wallet("member", 0);
    w.contribute(&k, 10).unwrap();
    assert_dp_err(
        w.offer(&b, w.side.cfg.min_offer_price - 1),
        DpErr::PriceTooLow,
    );
    // More than the buyer holds: the token program refuses, nothing is created.
    assert_fails(w.offer(&b, PRICE + 1));
    assert_eq!(w.pool_state().offer_count, 0);
    // Terms URI too long.
    let ix = w.offer_create_ix(
        &b.kp.pubkey(),
        &b.token,
        &b.token,
        dix::OfferCreateArgs {
            index: 0,
            price: PRICE,
            terms_hash: [1; 32],
            terms_uri: "x".repeat(201),
        },
    );
    assert_fails(w.env.send_paid(&[ix], &[&b.kp]));
    // Refund account owned by someone else.
    let other = w.buyer(2, 0);
    let ix = w.offer_create_ix(
        &b.kp.pubkey(),
        &b.token,
        &other.token,
        dix::OfferCreateArgs {
            index: 0,
            price: PRICE,
            terms_hash: [1; 32],
            terms_uri: String::new(),
        },
    );
    assert_dp_err(
        w.env.send_paid(&[ix], &[&b.kp]),
        DpErr::WrongTokenAccountOwner,
    );
    assert_eq!(w.env.balance(&b.token), PRICE);
    assert_eq!(w.pool_state().offer_count, 0);
    w.offer(&b, PRICE).unwrap();
    w.check_invariants();
}

#[test]
fn token_2022_payout_mint_full_cycle() {
    let cfg = PoolConfig {
        token_program: TOKEN_2022,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let a = w.wallet("member", 0);
    let b = w.wallet("member", 1);
    w.contribute(&a, 250).unwrap();
    w.contribute(&b, 750).unwrap();
    let offer = sell(&mut w, 1, PRICE, &[&b]);
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    w.claim(&a).unwrap();
    w.claim(&b).unwrap();
    assert_eq!(w.env.balance(&w.side.claim_accounts[&a.pubkey()]), 237_500);
    assert_eq!(w.env.balance(&w.side.claim_accounts[&b.pubkey()]), 712_500);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    w.check_invariants();
    conserve(&w);
}

#[test]
fn tiny_pool_sale_then_a_huge_contributor() {
    // docs/PROTOCOL.md: a first sale into a pool of weight 1, then a contributor of weight 10^15.
    let cfg = PoolConfig {
        max_score: 1_000_000_000_000_000,
        fee_bps: 0,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let small = w.wallet("member", 0);
    w.contribute(&small, 1).unwrap();
    let big_price = u64::MAX / 4;
    sell(&mut w, 1, big_price, &[&small]);
    assert_eq!(w.entitlement(&small.pubkey()), big_price);
    let whale = w.wallet("member", 1);
    w.contribute(&whale, 1_000_000_000_000_000).unwrap();
    w.check_invariants();
    sell(&mut w, 2, 1_000_000_000_000_001, &[&whale]);
    assert_eq!(w.entitlement(&whale.pubkey()), 1_000_000_000_000_000);
    assert_eq!(w.entitlement(&small.pubkey()), big_price + 1);
    w.claim(&whale).unwrap();
    w.claim(&small).unwrap();
    w.check_invariants();
    conserve(&w);
}

#[test]
fn escrow_donations_go_to_contributors_and_keep_books_exact() {
    let (mut w, ks) = pool_with(&[100]);
    let b = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&b, PRICE).unwrap();
    // Someone sends extra tokens to the escrow: finalize still empties and closes it.
    let escrow = find_escrow_pda(&PROGRAM_ID, &offer).0;
    w.mint(&escrow, 10);
    w.vote(&ks[0], &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    assert!(!w.env.exists(&escrow));
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    // 950,010 credited; 950,010 × 2^64 / 100 is not whole, so one base unit stays as dust.
    assert_eq!(w.pool_state().total_distributed, 950_010);
    assert_eq!(w.entitlement(&ks[0].pubkey()), 950_009);
    w.check_invariants();
    conserve(&w);
}
