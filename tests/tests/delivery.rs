//! Pay on delivery: an approved offer keeps its price in escrow until a registered custodian
//! records a delivery of exactly the pool's active set, which settles the sale; without a delivery
//! by the deadline the buyer gets the price back. Exact balances for every party.

use anchor_lang::prelude::Pubkey;
use data_pool::events::RejectReason;
use data_pool::state::{DeliveryReceipt, OfferState};
use data_pool_client::delivery::Commitment;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions as dix;
use data_pool_client::pda::find_custodian_pda;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // fee 5 %: 50,000 to the fee vault, 950,000 to contributors
const DAY: i64 = 86_400;

/// Three contributors (weights 100 / 300 / 600) and an offer the heaviest approves, finalized:
/// it awaits delivery.
fn approved() -> (World, Vec<Kp>, Buyer, Pubkey) {
    let mut w = World::new();
    let ks: Vec<Kp> = [100, 300, 600]
        .iter()
        .enumerate()
        .map(|(i, &wt)| {
            let k = w.wallet("member", i as u64);
            w.contribute(&k, wt).unwrap();
            k
        })
        .collect();
    let b = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&b, PRICE).unwrap();
    w.vote(&ks[2], &offer, true).unwrap();
    w.finalize_only(&offer).unwrap();
    (w, ks, b, offer)
}

fn deliver(w: &mut World, offer: &Pubkey, receipt: DeliveryReceipt) -> Result<u64, Failure> {
    let c = w.custodian.insecure_clone();
    w.deliver_by(&c, offer, receipt)
}

#[test]
fn an_approved_offer_waits_in_escrow_then_delivery_pays_exactly() {
    let (mut w, ks, b, offer) = approved();
    let o = w.offer_state(&offer);
    assert_eq!(o.state, OfferState::AwaitingDelivery);
    assert_eq!(o.delivery_deadline, o.decided_at + 7 * DAY);
    let approved = w.env.last_events();
    assert!(
        matches!(&approved[..], [DataPoolEvent::OfferApproved(e), DataPoolEvent::VoteBitmapReleased(r)]
        if e.offer == offer && e.delivery_deadline == o.delivery_deadline && e.price == PRICE
            && r.offer == offer && r.bytes == 1)
    );
    // Nothing has moved: the price is in escrow, no fee, nothing owed.
    assert_eq!(w.env.balance(&cached::escrow(&offer)), PRICE);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 0);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    assert_eq!(w.env.balance(&b.token), 0);
    for k in &ks {
        assert_eq!(w.entitlement(&k.pubkey()), 0);
    }
    assert_eq!(w.pool_state().open_offer_count, 1);
    w.check_invariants();
    // Not cancellable by the buyer now, not refundable before the deadline.
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &b.kp.pubkey(), &b.token),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&b.kp]), DpErr::OfferNotOpen);
    assert_dp_err(w.finalize_only(&offer), DpErr::DeliveryPending);

    // The custodian delivers the pool's set as it is now: the sale settles.
    let buyer_lamports = w.env.lamports(&b.kp.pubkey());
    // The env payer paid the offer's rent (and pays each fee below): the escrow's comes back.
    let payer = w.env.payer.pubkey();
    let payer_lamports = w.env.lamports(&payer);
    let escrow_rent = w.env.lamports(&cached::escrow(&offer));
    let receipt = w.current_receipt();
    deliver(&mut w, &offer, receipt).unwrap();
    let ev = w.env.last_events();
    let DataPoolEvent::OfferAccepted(e) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!((e.fee, e.net, e.receipt), (50_000, 950_000, receipt));
    assert_eq!(e.custodian, w.custodian.pubkey());
    let o = w.offer_state(&offer);
    assert_eq!(o.state, OfferState::Accepted);
    assert_eq!(o.receipt, receipt);
    assert_eq!(o.custodian, w.custodian.pubkey());
    assert_eq!(o.delivered_at, w.env.now());
    assert_eq!((o.fee_paid, o.net_distributed), (50_000, 950_000));
    assert_eq!(receipt.contribution_count, 3);
    assert_eq!(receipt.total_weight, 1_000);
    assert!(!w.env.exists(&cached::escrow(&offer)));
    assert_eq!(w.env.lamports(&b.kp.pubkey()), buyer_lamports);
    assert_eq!(
        w.env.lamports(&payer),
        payer_lamports + escrow_rent - 2 * SIG_FEE,
        "escrow rent back to the offer's payer, less the fee of the payer's and custodian's signatures"
    );
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 50_000);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 950_000);
    let expected = [95_000, 285_000, 570_000];
    for (k, e) in ks.iter().zip(expected) {
        assert_eq!(w.entitlement(&k.pubkey()), e);
        w.claim(k).unwrap();
        assert_eq!(w.env.balance(&w.side.claim_accounts[&k.pubkey()]), e);
    }
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    assert_eq!(w.pool_state().open_offer_count, 0);
    let record = find_custodian_pda(&PROGRAM_ID, &w.side.pool, &w.custodian.pubkey()).0;
    let c: data_pool::state::Custodian = w.env.get(&record).unwrap();
    assert_eq!(c.delivered_count, 1);
    // Delivered once: never again.
    assert_dp_err(deliver(&mut w, &offer, receipt), DpErr::NotAwaitingDelivery);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn no_delivery_by_the_deadline_refunds_the_buyer_in_full() {
    let (mut w, ks, b, offer) = approved();
    let deadline = w.offer_state(&offer).delivery_deadline;
    w.env.set_time(deadline - 1);
    assert_dp_err(w.finalize_only(&offer), DpErr::DeliveryPending);
    w.env.set_time(deadline);
    // Too late to deliver.
    let receipt = w.current_receipt();
    assert_dp_err(
        deliver(&mut w, &offer, receipt),
        DpErr::DeliveryDeadlinePassed,
    );
    let buyer_lamports = w.env.lamports(&b.kp.pubkey());
    // The env payer paid the offer's rent (and pays each fee below): the escrow's comes back.
    let payer = w.env.payer.pubkey();
    let payer_lamports = w.env.lamports(&payer);
    let escrow_rent = w.env.lamports(&cached::escrow(&offer));
    // Anyone settles it as undelivered; the price goes back.
    w.finalize_only(&offer).unwrap();
    let ev = w.env.last_events();
    assert!(matches!(&ev[..], [DataPoolEvent::OfferRejected(e)]
        if e.reason == RejectReason::Undelivered && e.refunded && e.price == PRICE));
    let o = w.offer_state(&offer);
    assert_eq!(o.state, OfferState::Undelivered);
    assert!(!o.refund_pending);
    assert_eq!(o.receipt, DeliveryReceipt::default());
    assert_eq!(w.env.balance(&b.token), PRICE);
    assert_eq!(w.env.lamports(&b.kp.pubkey()), buyer_lamports);
    assert_eq!(
        w.env.lamports(&payer),
        payer_lamports + escrow_rent - SIG_FEE,
        "escrow rent back to the offer's payer, less the finalize fee"
    );
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 0);
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    for k in &ks {
        assert_eq!(w.entitlement(&k.pubkey()), 0);
    }
    assert_eq!(w.pool_state().open_offer_count, 0);
    assert_eq!(w.pool_state().accepted_offer_count, 0);
    assert_dp_err(w.finalize_only(&offer), DpErr::OfferNotOpen);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn an_undelivered_refund_waits_when_the_buyer_cannot_receive() {
    let (mut w, _ks, b, offer) = approved();
    let deadline = w.offer_state(&offer).delivery_deadline;
    w.env.set_time(deadline);
    w.close_token_account(&b.kp, &b.token);
    w.finalize_only(&offer).unwrap();
    let o = w.offer_state(&offer);
    assert_eq!(o.state, OfferState::Undelivered);
    assert!(o.refund_pending);
    assert_eq!(w.env.balance(&cached::escrow(&offer)), PRICE);
    w.check_invariants();
    let fresh = w.env.create_token_account(
        &w.side.tokens.token_program,
        &w.side.tokens.mint,
        &b.kp.pubkey(),
    );
    w.token_accounts.insert(fresh);
    let ix = dix::offer_refund(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.refund(&offer, &b.kp.pubkey(), &fresh),
    );
    w.env.send_paid(&[ix], &[&b.kp]).unwrap();
    assert_eq!(w.env.balance(&fresh), PRICE);
    assert!(!w.offer_state(&offer).refund_pending);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn a_delivery_built_from_another_set_is_refused_and_the_custodian_rebuilds() {
    let (mut w, ks, _b, offer) = approved();
    let stale = w.current_receipt();
    // A contributor leaves after the custodian read the set.
    let h = w.side.data_hashes[0];
    w.leave(&ks[0], &h).unwrap();
    let f = w.refused(
        &[dix::offer_deliver(
            &PROGRAM_ID,
            &w.custodian.pubkey(),
            &w.side.pool,
            &offer,
            &w.side.tokens,
            &w.offer_state(&offer).payer,
            stale,
        )],
        &[&w.custodian.insecure_clone()],
    );
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::DeliverySetMismatch)));
    // Each part of the commitment is checked: count, weight, set hash.
    let now = w.current_receipt();
    for tamper in [
        |r: &mut DeliveryReceipt| r.contribution_count += 1,
        |r: &mut DeliveryReceipt| r.total_weight -= 1,
        |r: &mut DeliveryReceipt| r.set_hash[31] ^= 1,
    ] {
        let mut r = now;
        tamper(&mut r);
        assert_dp_err(deliver(&mut w, &offer, r), DpErr::DeliverySetMismatch);
    }
    // Rebuilt over the set as it is now: paid to the two who remain, by weight 300 / 600.
    deliver(&mut w, &offer, now).unwrap();
    assert_eq!(w.offer_state(&offer).receipt.contribution_count, 2);
    assert_eq!(w.entitlement(&ks[0].pubkey()), 0);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 316_666);
    assert_eq!(w.entitlement(&ks[2].pubkey()), 633_333);
    w.check_invariants();
}

#[test]
fn the_set_commitment_follows_every_change() {
    let mut w = World::new();
    let a = w.wallet("member", 0);
    let b = w.wallet("member", 1);
    let empty = Commitment::of_pool(&w.pool_state());
    assert_eq!(empty, Commitment::default());
    w.contribute(&a, 10).unwrap();
    let one = Commitment::of_pool(&w.pool_state());
    w.contribute(&b, 20).unwrap();
    let two = Commitment::of_pool(&w.pool_state());
    assert_eq!((two.contribution_count, two.total_weight), (2, 30));
    assert_ne!(one.set_hash, two.set_hash);
    // The events carry each step's hash, and the log replays to the pool's commitment.
    let h = w.side.data_hashes[0];
    w.leave(&a, &h).unwrap();
    let ev = w.env.last_events();
    let DataPoolEvent::ContributionRemoved(e) = &ev[0] else {
        panic!("{ev:?}")
    };
    let after = Commitment::of_pool(&w.pool_state());
    assert_eq!((e.identity, e.set_hash), (person(&h), after.set_hash));
    assert_eq!((after.contribution_count, after.total_weight), (1, 20));
    // The same member set as `two` minus `a`, yet a different hash than a pool where only `b`
    // ever contributed: the hash commits to the history, which the manifest carries.
    assert_ne!(after.set_hash, one.set_hash);
    w.check_invariants();
}

#[test]
fn only_an_active_registered_custodian_delivers() {
    let (mut w, _ks, _b, offer) = approved();
    let receipt = w.current_receipt();
    let auth = w.side.authority.insecure_clone();
    // A key never registered: its record does not exist.
    let stranger = kp("stranger", 0);
    let r = w.deliver_by(&stranger, &offer, receipt);
    assert_anchor_err(r, AnchorError::AccountNotInitialized);
    // A removed custodian.
    let ix = dix::custodian_remove(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &w.custodian.pubkey(),
    );
    w.env
        .send_paid(std::slice::from_ref(&ix), &[&auth])
        .unwrap();
    assert_eq!(w.pool_state().active_custodian_count, 0);
    assert_dp_err(w.env.send_paid(&[ix], &[&auth]), DpErr::CustodianInactive);
    assert_dp_err(deliver(&mut w, &offer, receipt), DpErr::CustodianInactive);
    // Re-added, it delivers; adding it twice is refused.
    let key = w.custodian.pubkey();
    w.add_custodian(&key).unwrap();
    assert_dp_err(w.add_custodian(&key), DpErr::CustodianAlreadyActive);
    deliver(&mut w, &offer, receipt).unwrap();
    w.check_invariants();
}

#[test]
fn a_pool_without_a_custodian_takes_no_offers() {
    let mut w = World::new();
    let a = w.wallet("member", 0);
    w.contribute(&a, 10).unwrap();
    let auth = w.side.authority.insecure_clone();
    let ix = dix::custodian_remove(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &w.custodian.pubkey(),
    );
    w.env.send_paid(&[ix], &[&auth]).unwrap();
    let b = w.buyer(1, PRICE);
    assert_dp_err(w.offer(&b, PRICE), DpErr::NoCustodian);
    assert_eq!(w.env.balance(&b.token), PRICE);
}

#[test]
fn no_invalidation_while_a_sale_awaits_delivery_and_its_vote_bitmap_is_released() {
    let (mut w, _ks, _b, offer) = approved();
    let auth = w.side.authority.insecure_clone();
    let h = w.side.data_hashes[0];
    let ix = dix::contribution_invalidate(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &person(&h),
        &w.attestor.pubkey(),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&auth]), DpErr::OffersOpen);
    // Voting is over: the offer carries no vote bitmap any more.
    let len = w.env.svm.get_account(&offer).unwrap().data.len();
    assert_eq!(len, data_pool::state::Offer::BITMAP_AT);
    w.check_invariants();
}
