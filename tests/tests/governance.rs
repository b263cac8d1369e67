//! Governance: eligibility, one vote each, deadlines, quorum and approval boundaries, early
//! decisions, cancel, finalize, vote close.

use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000;

/// A pool whose contributors have `weights` (quorum 50 %, approval 60 %), and an open offer.
fn setup(weights: &[u64]) -> (World, Vec<Kp>, Buyer, anchor_lang::prelude::Pubkey) {
    let (mut w, ks) = World::with_members("voter", weights);
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    (w, ks, buyer, offer)
}

fn cast(w: &mut World, ks: &[Kp], offer: &anchor_lang::prelude::Pubkey, votes: &[(usize, bool)]) {
    for &(i, approve) in votes {
        w.vote(&ks[i], offer, approve).unwrap();
    }
}

fn ends_at(w: &World, offer: &anchor_lang::prelude::Pubkey) -> i64 {
    w.offer_state(offer).voting_ends_at
}

/// Votes, checks the offer is undecided before the deadline, then finalizes at the deadline.
fn decide_at_deadline(weights: &[u64], votes: &[(usize, bool)]) -> (World, OfferState) {
    let (mut w, ks, _b, offer) = setup(weights);
    cast(&mut w, &ks, &offer, votes);
    assert_dp_err(w.finalize(&offer), DpErr::OutcomeNotDecided);
    let end = ends_at(&w, &offer);
    w.env.set_time(end);
    w.finalize(&offer).unwrap();
    w.check_invariants();
    let state = w.offer_state(&offer).state;
    (w, state)
}

#[test]
fn quorum_and_approval_exactly_at_thresholds_pass() {
    // voted 500 of 1000 (quorum 50 % exactly), yes 300 of 500 (approval 60 % exactly).
    let (_, s) = decide_at_deadline(&[300, 200, 500], &[(0, true), (1, false)]);
    assert_eq!(s, OfferState::Accepted);
}

#[test]
fn one_unit_below_quorum_fails() {
    let (_, s) = decide_at_deadline(&[300, 199, 501], &[(0, true), (1, false)]);
    assert_eq!(s, OfferState::Rejected);
}

#[test]
fn one_unit_below_approval_fails() {
    let (_, s) = decide_at_deadline(&[299, 201, 500], &[(0, true), (1, false)]);
    assert_eq!(s, OfferState::Rejected);
}

#[test]
fn one_unit_above_both_passes() {
    let (_, s) = decide_at_deadline(&[301, 200, 499], &[(0, true), (1, false)]);
    assert_eq!(s, OfferState::Accepted);
}

#[test]
fn nobody_votes_means_rejected_and_refunded() {
    let (w, s) = decide_at_deadline(&[10, 20], &[]);
    assert_eq!(s, OfferState::Rejected);
    let buyer_token = w.side.offer_buyers[&w.side.offers[0]].1;
    assert_eq!(w.env.balance(&buyer_token), PRICE);
}

#[test]
fn early_acceptance_at_the_threshold() {
    let (mut w, ks, _b, offer) = setup(&[600, 400]);
    cast(&mut w, &ks, &offer, &[(0, true)]);
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    w.check_invariants();
}

#[test]
fn no_early_acceptance_one_unit_short() {
    let (mut w, ks, _b, offer) = setup(&[599, 401]);
    cast(&mut w, &ks, &offer, &[(0, true)]);
    assert_dp_err(w.finalize(&offer), DpErr::OutcomeNotDecided);
}

#[test]
fn early_rejection_when_remaining_weight_cannot_pass() {
    let (mut w, ks, buyer, offer) = setup(&[599, 401]);
    cast(&mut w, &ks, &offer, &[(1, false)]);
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Rejected);
    assert_eq!(w.env.balance(&buyer.token), PRICE);
    w.check_invariants();
}

#[test]
fn no_early_rejection_while_remaining_weight_could_pass() {
    let (mut w, ks, _b, offer) = setup(&[600, 400]);
    cast(&mut w, &ks, &offer, &[(1, false)]);
    assert_dp_err(w.finalize(&offer), DpErr::OutcomeNotDecided);
}

#[test]
fn contributor_who_joined_after_the_offer_cannot_vote() {
    let (mut w, _ks, _b, offer) = setup(&[100, 100]);
    let late = w.wallet("late", 1);
    w.contribute(&late, 500).unwrap();
    assert_dp_err(w.vote(&late, &offer, true), DpErr::NotEligibleToVote);
    // They can vote on the next offer.
    let buyer2 = w.buyer(2, PRICE);
    let (offer2, _) = w.offer(&buyer2, PRICE).unwrap();
    w.vote(&late, &offer2, true).unwrap();
    w.check_invariants();
}

#[test]
fn stranger_and_weightless_contributor_cannot_vote() {
    let (mut w, ks, _b, offer) = setup(&[100, 100]);
    let stranger = w.wallet("stranger", 1);
    assert_dp_err(w.vote(&stranger, &offer, true), DpErr::NotEligibleToVote);
    // ks[0] revokes their only contribution: weight 0.
    let h = w.side.data_hashes[0];
    w.leave(&ks[0], &h).unwrap();
    assert_dp_err(w.vote(&ks[0], &offer, true), DpErr::NotEligibleToVote);
    w.check_invariants();
}

#[test]
fn a_contributor_votes_once() {
    let (mut w, ks, _b, offer) = setup(&[100, 100, 100]);
    w.vote(&ks[0], &offer, true).unwrap();
    assert_dp_err(w.vote(&ks[0], &offer, true), DpErr::AlreadyVoted);
    assert_dp_err(w.vote(&ks[0], &offer, false), DpErr::AlreadyVoted);
    let o = w.offer_state(&offer);
    assert_eq!((o.yes_weight, o.no_weight, o.voter_count), (100, 0, 1));
}

#[test]
fn voting_closes_at_the_deadline() {
    let (mut w, ks, _b, offer) = setup(&[100, 100, 100]);
    let end = ends_at(&w, &offer);
    w.env.set_time(end - 1);
    w.vote(&ks[0], &offer, true).unwrap();
    w.env.set_time(end);
    assert_dp_err(w.vote(&ks[1], &offer, true), DpErr::VotingClosed);
    w.env.set_time(end + 86_400);
    assert_dp_err(w.vote(&ks[2], &offer, false), DpErr::VotingClosed);
}

#[test]
fn weight_added_after_the_offer_does_not_vote_on_it() {
    let (mut w, ks, _b, offer) = setup(&[100, 100, 100]);
    w.contribute(&ks[0], 50).unwrap(); // a second record, after the offer
    w.vote(&ks[0], &offer, true).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!((o.yes_weight, o.voter_count), (100, 1));
    let late = w.records(&ks[0].pubkey())[1].0;
    let ix = dix::offer_vote(
        &PROGRAM_ID,
        &ks[0].pubkey(),
        &w.side.pool,
        &offer,
        &late,
        true,
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&ks[0]]), DpErr::NotEligibleToVote);
    w.check_invariants();
}

#[test]
fn a_wallet_with_several_records_votes_with_each_until_the_offer_is_decided() {
    // Quorum 50 %, approval 60 %: seven records of 100 and another wallet's 300. The sixth yes
    // decides the offer, so the seventh would be refused: the vote sends exactly six.
    let mut w = World::new();
    let many = w.wallet("many", 0);
    let other = w.wallet("other", 0);
    for _ in 0..7 {
        w.contribute(&many, 100).unwrap();
    }
    w.contribute(&other, 300).unwrap();
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!(
        data_pool_client::accounts::votes_that_count(&o, true, &[100; 7]),
        6
    );
    assert_eq!(
        data_pool_client::accounts::votes_that_count(&o, false, &[100; 7]),
        5,
        "500 against of 1,000 makes 60 % approval unreachable"
    );
    w.vote(&many, &offer, true).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!((o.yes_weight, o.voter_count), (600, 6));
    assert!(!w.undecided(&offer));
    assert_dp_err(w.vote(&many, &offer, true), DpErr::OfferAlreadyDecided);
    w.finalize(&offer).unwrap();
    w.check_invariants();
}

#[test]
fn finalize_twice_and_vote_after_finalize() {
    let (mut w, ks, _b, offer) = setup(&[600, 400]);
    cast(&mut w, &ks, &offer, &[(0, true)]);
    w.finalize(&offer).unwrap();
    assert_dp_err(w.finalize(&offer), DpErr::OfferNotOpen);
    assert_dp_err(w.vote(&ks[1], &offer, false), DpErr::OfferNotOpen);
}

fn cancel_ix(
    w: &World,
    buyer: &Buyer,
    offer: &anchor_lang::prelude::Pubkey,
) -> anchor_lang::solana_program::instruction::Instruction {
    dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        offer,
        &w.side.tokens,
        &w.refund(offer, &buyer.kp.pubkey(), &buyer.token),
    )
}

#[test]
fn buyer_cancels_an_undecided_offer() {
    let (mut w, ks, buyer, offer) = setup(&[100, 100, 100]);
    w.vote(&ks[0], &offer, true).unwrap();
    let payer = w.env.payer.pubkey();
    let (buyer_before, payer_before) = (w.env.lamports(&buyer.kp.pubkey()), w.env.lamports(&payer));
    let escrow_rent = w.env.lamports(&cached::escrow(&offer));
    let settled = w
        .env
        .svm
        .minimum_balance_for_rent_exemption(data_pool::state::Offer::BITMAP_AT);
    let bitmap_rent = w.env.lamports(&offer) - settled;
    assert_eq!(bitmap_rent, 6_960, "three voters: one byte");
    let ix = cancel_ix(&w, &buyer, &offer);
    w.env.send_paid(&[ix], &[&buyer.kp]).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!(o.state, OfferState::Cancelled);
    assert_eq!(w.env.balance(&buyer.token), PRICE);
    assert_eq!(w.env.lamports(&buyer.kp.pubkey()), buyer_before);
    assert_eq!(
        w.env.lamports(&payer),
        payer_before + escrow_rent + bitmap_rent - 2 * SIG_FEE,
        "escrow and vote-bitmap rent back to the offer's payer, less the fee of two signatures"
    );
    w.check_invariants();
    assert_dp_err(w.vote(&ks[1], &offer, true), DpErr::OfferNotOpen);
    assert_dp_err(w.finalize(&offer), DpErr::OfferNotOpen);
    let ix = cancel_ix(&w, &buyer, &offer);
    assert_dp_err(w.env.send_paid(&[ix], &[&buyer.kp]), DpErr::OfferNotOpen);
    assert_eq!(w.env.lamports(&offer), settled);
}

#[test]
fn buyer_cannot_cancel_after_early_acceptance_or_deadline() {
    let (mut w, ks, buyer, offer) = setup(&[600, 400]);
    w.vote(&ks[0], &offer, true).unwrap(); // decided: accepted
    let ix = cancel_ix(&w, &buyer, &offer);
    assert_dp_err(
        w.env.send_paid(&[ix], &[&buyer.kp]),
        DpErr::OfferAlreadyDecided,
    );

    let (mut w, _ks, buyer, offer) = setup(&[600, 400]);
    let end = ends_at(&w, &offer);
    w.env.set_time(end);
    let ix = cancel_ix(&w, &buyer, &offer);
    assert_dp_err(
        w.env.send_paid(&[ix], &[&buyer.kp]),
        DpErr::OfferAlreadyDecided,
    );
}

#[test]
fn only_the_buyer_cancels() {
    let (mut w, _ks, buyer, offer) = setup(&[100, 100]);
    let thief = w.buyer(9, 0);
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &thief.kp.pubkey(), &thief.token),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&thief.kp]), DpErr::NotBuyer);
    assert_eq!(w.env.balance(&find_escrow(&offer)), PRICE);
    let _ = buyer;
}

fn find_escrow(offer: &anchor_lang::prelude::Pubkey) -> anchor_lang::prelude::Pubkey {
    data_pool_client::pda::find_escrow_pda(&PROGRAM_ID, offer).0
}

#[test]
fn each_offer_has_its_own_votes() {
    let (mut w, ks, _b, offer) = setup(&[600, 400]);
    let buyer2 = w.buyer(2, PRICE);
    let (offer2, _) = w.offer(&buyer2, PRICE).unwrap();
    w.vote(&ks[1], &offer, false).unwrap();
    // A vote on one offer is no vote on another: the same voter votes on the second, once.
    w.vote(&ks[1], &offer2, true).unwrap();
    assert_dp_err(w.vote(&ks[1], &offer2, false), DpErr::AlreadyVoted);
    assert_dp_err(w.vote(&ks[1], &offer, true), DpErr::AlreadyVoted);
    let (o1, o2) = (w.offer_state(&offer), w.offer_state(&offer2));
    assert_eq!((o1.voter_count, o1.yes_weight, o1.no_weight), (1, 0, 400));
    assert_eq!((o2.voter_count, o2.yes_weight, o2.no_weight), (1, 400, 0));
    w.check_invariants();
}

#[test]
fn pool_update_applies_to_later_offers_only() {
    let (mut w, ks, _b, offer) = setup(&[600, 400]);
    let ix = dix::pool_update(
        &PROGRAM_ID,
        &w.side.authority.pubkey(),
        &w.side.pool,
        w.update_args(|p| {
            p.approval_bps = 10_000;
            p.quorum_bps = 10_000;
        }),
    );
    let a = w.side.authority.insecure_clone();
    w.env.send_paid(&[ix], &[&a]).unwrap();
    // The open offer keeps 50 % / 60 %: 600 yes decides it.
    w.vote(&ks[0], &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    // A new offer needs everyone.
    let b2 = w.buyer(2, PRICE);
    let (offer2, _) = w.offer(&b2, PRICE).unwrap();
    let o2 = w.offer_state(&offer2);
    assert_eq!((o2.quorum_bps, o2.approval_bps), (10_000, 10_000));
    w.vote(&ks[0], &offer2, true).unwrap();
    assert_dp_err(w.finalize(&offer2), DpErr::OutcomeNotDecided);
}
