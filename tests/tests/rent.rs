//! Rent is a deposit: every record that closes gives its rent back to whoever paid it, with exact
//! lamport and token balances for every party, self-paid and relayer-paid; closing someone
//! else's record, closing early, redirecting a deposit and reviving a closed record are refused.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{Offer, OfferState};
use data_pool_client::instructions as dix;
use data_pool_client::pda::{find_escrow_pda, find_offer_pda};
use data_pool_tests::*;

const PRICE: u64 = 1_000_000;

/// Rent-exempt minimum of an account of `len` bytes.
fn rent(w: &World, len: usize) -> u64 {
    w.env.svm.minimum_balance_for_rent_exemption(len)
}

/// The deposits an offer takes from whoever pays for it: the offer's rent with its vote bitmap
/// (one bit per contributor of the snapshot), the part of it left once voting ends and the
/// bitmap is released, and the escrow's (the pool token program's account size).
fn offer_deposit(w: &World) -> (u64, u64, u64) {
    let snapshot = w.pool_state().contributor_count;
    let voting = rent(w, Offer::space(snapshot));
    let settled = rent(w, Offer::BITMAP_AT);
    let escrow = rent(w, TOKEN_ACCOUNT_LEN);
    (voting, settled, escrow)
}

/// Size of an SPL Token account (the world's payout mint is an SPL Token mint).
const TOKEN_ACCOUNT_LEN: usize = 165;

/// A pool with one contributor (weight 100) and a funded relayer.
fn setup() -> (World, Kp, Kp) {
    let mut w = World::new();
    let c = w.wallet("member", 0);
    w.contribute(&c, 100).unwrap();
    let relayer = w.wallet("relayer", 0);
    (w, c, relayer)
}

/// `offer_create` of `buyer`'s offer at `index`, its rent paid by `relayer`.
fn create_ix(w: &World, relayer: &Kp, buyer: &Buyer, index: u64) -> Instruction {
    let args = dix::OfferCreateArgs {
        index,
        price: PRICE,
        terms_hash: [7; 32],
        terms_uri: String::new(),
    };
    dix::offer_create(
        &PROGRAM_ID,
        &relayer.pubkey(),
        &buyer.kp.pubkey(),
        &w.side.pool,
        &w.side.tokens,
        &buyer.token,
        &buyer.token,
        args,
    )
}

/// `buyer`'s offer at the pool's next index, its rent paid by `relayer` (who also pays the fee).
fn relayed_offer(w: &mut World, relayer: &Kp, buyer: &Buyer) -> Pubkey {
    let index = w.pool_state().offer_count;
    let ix = create_ix(w, relayer, buyer, index);
    w.env.send(&[ix], &[relayer, &buyer.kp]).unwrap();
    let offer = find_offer_pda(&PROGRAM_ID, &w.side.pool, index).0;
    w.side.offers.push(offer);
    w.side
        .offer_buyers
        .insert(offer, (buyer.kp.pubkey(), buyer.token));
    offer
}

fn close_ix(w: &World, offer: &Pubkey, payer: &Pubkey) -> Instruction {
    dix::offer_close(&PROGRAM_ID, &w.side.pool, offer, payer)
}

#[test]
fn a_relayed_offer_returns_every_lamport_but_the_fees() {
    let (mut w, _, relayer) = setup();
    let b = w.buyer(1, PRICE);
    let closer = w.wallet("closer", 0);
    let (offer_rent, settled_rent, escrow_rent) = offer_deposit(&w);
    assert!(offer_rent > settled_rent, "the bitmap has a byte");
    let r0 = w.env.lamports(&relayer.pubkey());
    let b0 = w.env.lamports(&b.kp.pubkey());
    let k0 = w.env.lamports(&closer.pubkey());

    let offer = relayed_offer(&mut w, &relayer, &b);
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 - offer_rent - escrow_rent - 2 * SIG_FEE,
        "the relayer paid both deposits and the fee of two signatures"
    );
    assert_eq!(w.offer_state(&offer).payer, relayer.pubkey());
    let escrow = find_escrow_pda(&PROGRAM_ID, &offer).0;
    assert_eq!(w.env.lamports(&escrow), escrow_rent);
    assert_eq!(w.env.lamports(&offer), offer_rent);
    assert_eq!(w.env.balance(&b.token), 0);

    // The buyer withdraws it (paying its own fee): the price comes back, the escrow's rent and
    // the vote bitmap's go to the relayer, not to the buyer.
    let refund = w.refund(&offer, &b.kp.pubkey(), &b.token);
    let cancel = dix::offer_cancel(&PROGRAM_ID, &w.side.pool, &offer, &w.side.tokens, &refund);
    w.env.send(&[cancel], &[&b.kp]).unwrap();
    assert_eq!(w.env.balance(&b.token), PRICE);
    assert_eq!(w.env.lamports(&b.kp.pubkey()), b0 - SIG_FEE);
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 - settled_rent - 2 * SIG_FEE
    );
    assert_eq!(w.env.lamports(&offer), settled_rent);

    // Anyone closes the record; its rent goes to the relayer.
    let ix = close_ix(&w, &offer, &relayer.pubkey());
    w.env.send(&[ix], &[&closer]).unwrap();
    assert!(!w.env.exists(&offer), "the offer record is gone");
    assert!(!w.env.exists(&find_escrow_pda(&PROGRAM_ID, &offer).0));
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 - 2 * SIG_FEE,
        "all but the fees"
    );
    assert_eq!(w.env.lamports(&b.kp.pubkey()), b0 - SIG_FEE);
    assert_eq!(w.env.lamports(&closer.pubkey()), k0 - SIG_FEE);
    let event = w.env.last_events();
    assert!(
        matches!(
            event.as_slice(),
            [data_pool_client::events::DataPoolEvent::OfferClosed(e)]
                if e.offer == offer && e.payer == relayer.pubkey() && e.lamports == settled_rent
                    && e.state == OfferState::Cancelled
        ),
        "{event:?}"
    );
    let pool = w.pool_state();
    assert_eq!((pool.offer_count, pool.closed_offer_count), (1, 1));
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn a_rejected_offer_closes_once_refunded() {
    let (mut w, c, relayer) = setup();
    let b = w.buyer(1, PRICE);
    let (offer_rent, settled_rent, escrow_rent) = offer_deposit(&w);
    let offer = relayed_offer(&mut w, &relayer, &b);
    w.vote(&c, &offer, false).unwrap();
    // The refund account is gone, so the price waits in escrow.
    w.close_token_account(&b.kp, &b.token);
    let r_before = w.env.lamports(&relayer.pubkey());
    w.finalize(&offer).unwrap();
    // Voting is over: the bitmap's rent is back with the relayer at once.
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r_before + offer_rent - settled_rent
    );
    let o = w.offer_state(&offer);
    assert_eq!((o.state, o.refund_pending), (OfferState::Rejected, true));

    let r0 = w.env.lamports(&relayer.pubkey());
    let ix = close_ix(&w, &offer, &relayer.pubkey());
    assert_dp_err(
        w.env.send_paid(std::slice::from_ref(&ix), &[]),
        DpErr::OfferNotClosable,
    );

    // The buyer takes the price back into a new account; the escrow's rent goes to the relayer.
    let fresh = w.env.create_token_account(
        &w.side.tokens.token_program,
        &w.side.tokens.mint,
        &b.kp.pubkey(),
    );
    w.token_accounts.insert(fresh);
    let refund = w.refund(&offer, &b.kp.pubkey(), &fresh);
    let ix_refund = dix::offer_refund(&PROGRAM_ID, &w.side.pool, &offer, &w.side.tokens, &refund);
    w.env.send_paid(&[ix_refund], &[&b.kp]).unwrap();
    assert_eq!(w.env.balance(&fresh), PRICE);
    assert_eq!(w.env.lamports(&relayer.pubkey()), r0 + escrow_rent);

    w.env.send_paid(&[ix], &[]).unwrap();
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 + escrow_rent + settled_rent
    );
    assert!(!w.env.exists(&offer));
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn open_approved_and_accepted_offers_never_close() {
    let (mut w, c, _) = setup();
    let b = w.buyer(1, 3 * PRICE);
    let (open, _) = w.offer(&b, PRICE).unwrap();
    let payer = w.env.payer.pubkey();
    let ix = close_ix(&w, &open, &payer);
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::OfferNotClosable);

    let (sold, _) = w.offer(&b, PRICE).unwrap();
    w.vote(&c, &sold, true).unwrap();
    w.finalize_only(&sold).unwrap();
    assert_eq!(w.offer_state(&sold).state, OfferState::AwaitingDelivery);
    let ix = close_ix(&w, &sold, &payer);
    assert_dp_err(
        w.env.send_paid(std::slice::from_ref(&ix), &[]),
        DpErr::OfferNotClosable,
    );
    let custodian = w.custodian.insecure_clone();
    w.deliver_by(&custodian, &sold, w.current_receipt())
        .unwrap();
    assert_eq!(w.offer_state(&sold).state, OfferState::Accepted);
    // The accepted offer is the buyer's license: it stays.
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::OfferNotClosable);
    assert!(w.env.exists(&sold));
    w.check_invariants();
}

#[test]
fn deposits_cannot_be_redirected_and_closed_offers_stay_closed() {
    let (mut w, _, relayer) = setup();
    let b = w.buyer(1, PRICE);
    let offer = relayed_offer(&mut w, &relayer, &b);
    let refund = w.refund(&offer, &b.kp.pubkey(), &b.token);

    // Settling with another account as the rent payer is refused: the escrow's rent would go
    // to a stranger.
    let thief = w.wallet("thief", 0);
    let stolen = dix::Refund {
        payer: thief.pubkey(),
        ..refund
    };
    let ix = dix::offer_cancel(&PROGRAM_ID, &w.side.pool, &offer, &w.side.tokens, &stolen);
    assert_dp_err(w.env.send(&[ix], &[&b.kp]), DpErr::NotRentPayer);
    let ix = dix::offer_cancel(&PROGRAM_ID, &w.side.pool, &offer, &w.side.tokens, &refund);
    w.env.send(&[ix], &[&b.kp]).unwrap();

    // Closing to the thief (or the buyer) is refused; to the relayer it works, once.
    let t0 = w.env.lamports(&thief.pubkey());
    let ix = close_ix(&w, &offer, &thief.pubkey());
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::NotRentPayer);
    let ix = close_ix(&w, &offer, &b.kp.pubkey());
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::NotRentPayer);
    assert_eq!(w.env.lamports(&thief.pubkey()), t0);
    let ix = close_ix(&w, &offer, &relayer.pubkey());
    w.env.send_paid(std::slice::from_ref(&ix), &[]).unwrap();
    // Closing again finds nothing to close, even with lamports sent to the address.
    assert_anchor_err(
        w.env.send_paid(std::slice::from_ref(&ix), &[]),
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    w.env.fund(&offer, 10_000_000);
    assert_anchor_err(
        w.env.send_paid(&[ix], &[]),
        anchor_lang::error::ErrorCode::AccountOwnedByWrongProgram,
    );

    // Reviving the closed offer at its index is refused: new offers take the next index.
    let revive = create_ix(&w, &relayer, &b, 0);
    assert_dp_err(
        w.env.send(&[revive], &[&relayer, &b.kp]),
        DpErr::StaleOfferIndex,
    );
    let pool = w.pool_state();
    assert_eq!((pool.offer_count, pool.closed_offer_count), (1, 1));
}

/// A pool of `n` contributors of weight 100 each.
fn pool_of(n: usize) -> (World, Vec<Kp>) {
    let mut w = World::new();
    let ks: Vec<Kp> = (0..n).map(|i| w.wallet("m", i as u64)).collect();
    for k in &ks {
        w.contribute(k, 100).unwrap();
    }
    (w, ks)
}

#[test]
fn votes_cost_no_rent_and_the_bitmap_rent_returns_when_voting_ends() {
    let (mut w, ks) = pool_of(20);
    let relayer = w.wallet("relayer", 0);
    let b = w.buyer(1, PRICE);
    let (offer_rent, settled_rent, escrow_rent) = offer_deposit(&w);
    assert_eq!(Offer::space(20), Offer::BITMAP_AT + 3, "20 voters, 3 bytes");
    assert_eq!(
        offer_rent - settled_rent,
        3 * 6_960,
        "6,960 lamports a byte"
    );
    let offer = relayed_offer(&mut w, &relayer, &b);
    assert_eq!(
        w.env.svm.get_account(&offer).unwrap().data.len(),
        Offer::space(20)
    );

    // Every vote is relayed: the relayer pays the fee, nobody pays rent, no account appears.
    let r0 = w.env.lamports(&relayer.pubkey());
    let accounts0 = w.env.svm.get_account(&offer).unwrap().lamports;
    for k in ks.iter().take(12) {
        let before = w.env.lamports(&k.pubkey());
        let record = w.records(&k.pubkey())[0].0;
        let ix = dix::offer_vote(
            &PROGRAM_ID,
            &k.pubkey(),
            &w.side.pool,
            &offer,
            &record,
            true,
        );
        w.env.send(&[ix], &[&relayer, k]).unwrap();
        w.side.votes.insert((offer, k.pubkey()));
        assert_eq!(
            w.env.lamports(&k.pubkey()),
            before,
            "the voter pays nothing"
        );
    }
    assert_eq!(w.env.lamports(&relayer.pubkey()), r0 - 12 * 2 * SIG_FEE);
    assert_eq!(
        w.env.lamports(&offer),
        accounts0,
        "a vote moves no lamports"
    );
    w.check_invariants();

    // The votes (12 of 20: the approval threshold) approve it; settling it releases the bitmap to
    // the relayer.
    let r1 = w.env.lamports(&relayer.pubkey());
    w.finalize_only(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::AwaitingDelivery);
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r1 + offer_rent - settled_rent
    );
    assert_eq!(w.env.lamports(&offer), settled_rent);
    assert_eq!(
        w.env.svm.get_account(&offer).unwrap().data.len(),
        Offer::BITMAP_AT
    );
    assert!(w.env.last_events().iter().any(|e| matches!(e,
        data_pool_client::events::DataPoolEvent::VoteBitmapReleased(r)
            if r.offer == offer && r.payer == relayer.pubkey() && r.bytes == 3
                && r.lamports == offer_rent - settled_rent)));
    let _ = escrow_rent;
    w.check_invariants();
}

#[test]
fn the_vote_bitmap_rent_goes_only_to_the_rent_payer() {
    let (mut w, ks) = pool_of(9);
    let relayer = w.wallet("relayer", 0);
    let b = w.buyer(1, PRICE);
    let offer = relayed_offer(&mut w, &relayer, &b);
    w.vote(&ks[0], &offer, false).unwrap();
    // A stranger's lamports sent to the offer while it is open go to the rent payer with the
    // bitmap's: the offer keeps exactly its settled rent.
    w.env.fund(&offer, 1_234);
    let (_, settled_rent, _) = offer_deposit(&w);
    let thief = w.wallet("thief", 0);
    let stolen = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &b.token,
        &thief.pubkey(),
    );
    w.env.warp(7 * 24 * 3_600);
    assert_dp_err(w.env.send_paid(&[stolen], &[]), DpErr::NotRentPayer);
    let (r0, o0) = (w.env.lamports(&relayer.pubkey()), w.env.lamports(&offer));
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Rejected);
    assert_eq!(w.env.lamports(&offer), settled_rent);
    let escrow_rent = rent(&w, TOKEN_ACCOUNT_LEN);
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 + o0 - settled_rent + escrow_rent
    );
    w.check_invariants();
}

#[test]
fn the_vote_bitmap_is_bounded_by_the_largest_account_a_program_can_create() {
    let (mut w, _) = pool_of(1);
    let b = w.buyer(1, 2 * PRICE);
    // Pretend the pool has seen 76,616 and then 76,617 contributors (arrival indices).
    let set_count = |w: &mut World, n: u64| {
        let pool = w.side.pool;
        let mut acc = w.env.svm.get_account(&pool).unwrap();
        let at = data_pool::state::view::pool::CONTRIBUTOR_COUNT;
        acc.data[at..at + 8].copy_from_slice(&n.to_le_bytes());
        w.env.svm.set_account(pool, acc).unwrap();
    };
    set_count(&mut w, 76_616);
    let (offer, _) = w.offer(&b, PRICE).unwrap();
    assert_eq!(w.env.svm.get_account(&offer).unwrap().data.len(), 10_240);
    set_count(&mut w, 76_617);
    assert_dp_err(w.offer(&b, PRICE).map(|_| ()), DpErr::TooManyVoters);
}

#[test]
fn a_contributors_lifetime_to_the_lamport() {
    let l = data_pool_tests::lifetime::measure();
    eprintln!("{l:#?}");
    // Fees: contribute (wallet + the attestation's precompile signature), vote, claim and leave
    // in one transaction.
    assert_eq!(l.self_paid.fees, 4 * SIG_FEE);
    // The relayer pays the same, with one more signature on each transaction (its own).
    assert_eq!(l.relayer.fees, 7 * SIG_FEE);
    assert_eq!(
        l.relayed_contributor_net, 0,
        "a relayed contributor pays nothing"
    );
    // Every deposit comes back: what is left is fees, for both.
    for p in [l.self_paid, l.relayer] {
        assert_eq!(p.rent_paid, 2_192_400, "one 187-byte record");
        assert_eq!(p.rent_returned, p.rent_paid);
        assert_eq!(p.net, p.fees);
    }
    assert_eq!(l.locked_after_leaving, 0);
    assert!(
        l.self_paid.net <= 333_333,
        "the issue's target: 1 % of a $5 payout"
    );
}

/// Lamports sent to an address before the program creates its account there (`create_account`
/// refuses an address that holds any, so this could block creation; the runtime makes a gift at
/// least the rent of an empty account) only lower what the payer puts in: the offer, its escrow and a registry record are topped up to their rent, allocated
/// and assigned, and a gift past the rent stays in the account (and goes to its payer at close).
#[test]
fn prefunded_addresses_are_topped_up_not_blocked() {
    let (mut w, _, relayer) = setup();
    let b = w.buyer(1, PRICE);
    let (offer_rent, _, escrow_rent) = offer_deposit(&w);
    let index = w.pool_state().offer_count;
    let offer = find_offer_pda(&PROGRAM_ID, &w.side.pool, index).0;
    let escrow = find_escrow_pda(&PROGRAM_ID, &offer).0;
    let griefer = w.wallet("griefer", 0);
    let g0 = w.env.lamports(&griefer.pubkey());
    let gift = |w: &mut World, to: &Pubkey, lamports: u64| {
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &griefer.pubkey(),
            to,
            lamports,
        );
        w.env.send(&[ix], &[&griefer]).unwrap();
    };
    gift(&mut w, &offer, 1_000_000);
    gift(&mut w, &escrow, escrow_rent + 7);
    assert_eq!(
        w.env.lamports(&griefer.pubkey()),
        g0 - 1_000_000 - escrow_rent - 7 - 2 * SIG_FEE
    );

    let r0 = w.env.lamports(&relayer.pubkey());
    relayed_offer(&mut w, &relayer, &b);
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 - (offer_rent - 1_000_000) - 2 * SIG_FEE,
        "the relayer tops the offer up and pays nothing for the overfunded escrow"
    );
    assert_eq!(w.env.lamports(&offer), offer_rent);
    assert_eq!(w.env.lamports(&escrow), escrow_rent + 7);
    assert_eq!(w.offer_state(&offer).state, OfferState::Open);
    assert_eq!(w.offer_state(&offer).payer, relayer.pubkey());
    assert_eq!(w.env.balance(&escrow), PRICE);
    assert_eq!(w.env.balance(&b.token), 0);

    // A registry record: the curator's payer tops it up.
    let key = Pubkey::new_unique();
    let record = data_pool_client::pda::find_attestor_pda(&PROGRAM_ID, &w.side.pool, &key).0;
    let record_rent = rent(
        &w,
        8 + <data_pool::state::Attestor as anchor_lang::Space>::INIT_SPACE,
    );
    gift(&mut w, &record, 900_000);
    let p0 = w.env.lamports(&w.env.payer.pubkey());
    w.add_attestor(&key).unwrap();
    assert_eq!(
        w.env.lamports(&w.env.payer.pubkey()),
        p0 - (record_rent - 900_000) - 2 * SIG_FEE
    );
    assert_eq!(w.env.lamports(&record), record_rent);
    let pool = w.pool_state();
    assert_eq!(pool.attestor_records, 2);
    w.check_invariants();
}
