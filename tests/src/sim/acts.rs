//! The fuzzer's compound actions: settling offers whatever their state, deliveries by right and
//! wrong custodians, invalidations by the authority and attestors, buyers taking money back. Each
//! checks that the program allowed exactly what the rules allow.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{ContributionStatus, OfferState};
use data_pool_client::instructions as dix;
use data_pool_client::pda::*;
use solana_keypair::Keypair as Kp;
use solana_signer::Signer;

use crate::*;

use super::Stats;

/// The buyer of `offer` sends `build` (`offer_cancel` or `offer_refund`), paid back into its own
/// token account.
pub(super) fn buyer_sends(
    w: &mut World,
    buyers: &[Buyer],
    offer: &Pubkey,
    build: fn(&Pubkey, &Pubkey, &Pubkey, &dix::PoolTokens, &dix::Refund) -> Instruction,
) -> Result<u64, Failure> {
    let (buyer, token) = w.side.offer_buyers[offer];
    let b = buyers.iter().find(|b| b.kp.pubkey() == buyer).unwrap();
    let refund = w.refund(offer, &buyer, &token);
    let ix = build(&PROGRAM_ID, &w.side.pool, offer, &w.side.tokens, &refund);
    let kp = b.kp.insecure_clone();
    w.send_settling(offer, &[ix], &[&kp])
}

/// Settles `o` whatever its state allows now: finalizes an open offer whose vote is decided
/// (an approved one is then delivered by the world's custodian), delivers an approved one before
/// its deadline, refunds it as undelivered after.
pub(super) fn settle(w: &mut World, o: &Pubkey, stats: &mut Stats) {
    let s = w.offer_state(o);
    match s.state {
        OfferState::Open => {
            let r = w.finalize(o);
            stats.record("finalize", r);
        }
        OfferState::AwaitingDelivery if w.env.now() < s.delivery_deadline => {
            let c = w.custodian.insecure_clone();
            let r = w.deliver_by(&c, o, w.current_receipt());
            let failed = r.is_err();
            stats.record("deliver", r);
            if failed {
                // Nothing left to deliver (every contribution left): the deadline refunds it.
                w.env.set_time(s.delivery_deadline);
                let r = w.finalize_only(o);
                stats.record("finalize-undelivered", r);
            }
        }
        OfferState::AwaitingDelivery => {
            let r = w.finalize_only(o);
            stats.record("finalize-undelivered", r);
        }
        _ => {}
    }
}

/// Whether `o`'s price is still to be settled (open or awaiting delivery).
pub(super) fn unsettled(w: &World, o: &Pubkey) -> bool {
    matches!(
        w.offer_state(o).state,
        OfferState::Open | OfferState::AwaitingDelivery
    )
}

/// A custodian (the world's, the second one, or a key never registered) tries to deliver `o`
/// with the current receipt or one off by a little; the program must allow exactly what the
/// rules allow, and a refusal changes nothing.
pub(super) fn deliver(w: &mut World, stats: &mut Stats, o: &Pubkey, second: &Kp, rng: &mut Rng) {
    let by = match rng.below(10) {
        0..=6 => w.custodian.insecure_clone(),
        7..=8 => second.insecure_clone(),
        _ => kp("stranger-custodian", 0),
    };
    let mut receipt = w.current_receipt();
    let tampered = rng.chance(20);
    if tampered {
        match rng.below(3) {
            0 => receipt.contribution_count += 1,
            1 => receipt.total_weight = receipt.total_weight.wrapping_sub(1),
            _ => receipt.set_hash[rng.below(32) as usize] ^= 1,
        }
    }
    let s = w.offer_state(o);
    let record = find_custodian_pda(&PROGRAM_ID, &w.side.pool, &by.pubkey()).0;
    let active = w
        .env
        .get::<data_pool::state::Custodian>(&record)
        .is_some_and(|c| c.active);
    let allowed = s.state == OfferState::AwaitingDelivery
        && w.env.now() < s.delivery_deadline
        && active
        && !tampered
        && w.pool_state().total_weight > 0;
    let r = if allowed {
        w.deliver_by(&by, o, receipt)
    } else {
        let ix = dix::offer_deliver(
            &PROGRAM_ID,
            &by.pubkey(),
            &w.side.pool,
            o,
            &w.side.tokens,
            &s.payer,
            receipt,
        );
        let f = w.refused(&[ix], &[&by]);
        if tampered
            && active
            && s.state == OfferState::AwaitingDelivery
            && w.env.now() < s.delivery_deadline
        {
            assert_eq!(f.custom_code(), Some(dp_code(DpErr::DeliverySetMismatch)));
        }
        Err(f)
    };
    assert_eq!(r.is_ok(), allowed, "deliver allowed: {allowed}");
    stats.record(
        if tampered {
            "deliver-tampered"
        } else {
            "deliver"
        },
        r,
    );
}

/// The authority pauses the pool (no new offers), waits out the open offers' voting and
/// finalizes them (delivering the approved ones), so that nothing is open any more.
pub(super) fn settle_open_offers(w: &mut World, auth: &Kp, stats: &mut Stats) {
    if !w.pool_state().paused {
        let ix = dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
        let r = w.env.send_paid(&[ix], &[auth]);
        stats.record("pause-toggle", r);
    }
    let open: Vec<Pubkey> = w
        .side
        .offers
        .iter()
        .copied()
        .filter(|o| unsettled(w, o))
        .collect();
    let end = open
        .iter()
        .map(|o| w.offer_state(o).voting_ends_at)
        .max()
        .unwrap_or(0);
    if w.env.now() < end {
        w.env.set_time(end);
    }
    for o in open {
        settle(w, &o, stats);
    }
    assert_eq!(w.pool_state().open_offer_count, 0);
}

/// The authority, or the contribution's attestor (active or removed), tries to invalidate `c`;
/// the program must allow exactly what the rules allow, and a refusal changes nothing.
#[allow(clippy::too_many_arguments)]
pub(super) fn invalidate(
    w: &mut World,
    stats: &mut Stats,
    h: &[u8; 32],
    c: &data_pool::state::Contributor,
    auth: &Kp,
    second_attestor: &Kp,
    rng: &mut Rng,
) {
    let active = c.status == ContributionStatus::Active;
    let by = if rng.chance(50) {
        auth.insecure_clone()
    } else if c.attestor == second_attestor.pubkey() {
        second_attestor.insecure_clone()
    } else {
        w.attestor.insecure_clone()
    };
    let ix = dix::contribution_invalidate(
        &PROGRAM_ID,
        &by.pubkey(),
        &w.side.pool,
        &crate::person(h),
        &c.attestor,
    );
    let pool = w.pool_state();
    let attestor_active = w
        .env
        .get::<data_pool::state::Attestor>(&cached::attestor(&w.side.pool, &c.attestor))
        .is_some_and(|a| a.active);
    let addrs = w.addresses();
    let before = w.snapshot(&addrs);
    let r = w.env.send_paid(&[ix], &[&by]);
    // The rules, checked against what the program did.
    let may =
        active && pool.open_offer_count == 0 && (by.pubkey() == auth.pubkey() || attestor_active);
    assert_eq!(r.is_ok(), may, "invalidation by {} (open offers {}, attestor active {attestor_active}, contribution active {active})", by.pubkey(), pool.open_offer_count);
    if r.is_err() {
        assert_eq!(
            before,
            w.snapshot(&addrs),
            "a refused invalidation changed state"
        );
    }
    let name = match (&r, pool.open_offer_count) {
        (Ok(_), _) => "invalidate",
        (Err(_), 0) => "invalidate-refused",
        (Err(_), _) => "invalidate-during-offer",
    };
    stats.record(name, r);
}

/// Anyone closes `o` (the env payer signs and pays the fee). The program must allow exactly the
/// offers that ended without a sale and are refunded; a close moves
/// exactly the offer's rent to its payer and nothing else; a refusal moves only the fee.
pub(super) fn close_offer(w: &mut World, o: &Pubkey) -> Result<u64, Failure> {
    let s = w.offer_state(o);
    let closable = matches!(
        s.state,
        OfferState::Rejected | OfferState::Cancelled | OfferState::Undelivered
    ) && !s.refund_pending;
    let fee_payer = w.env.payer.pubkey();
    assert_eq!(
        s.payer, fee_payer,
        "the world's offers are paid by the env payer"
    );
    let (payer0, rent) = (w.env.lamports(&fee_payer), w.env.lamports(o));
    let closed0 = w.pool_state().closed_offer_count;
    let ix = dix::offer_close(&PROGRAM_ID, &w.side.pool, o, &s.payer);
    let r = w.env.send_paid(&[ix], &[]);
    assert_eq!(r.is_ok(), closable, "offer_close on {:?}: {r:?}", s.state);
    if r.is_ok() {
        assert_eq!(w.env.lamports(&fee_payer), payer0 + rent - SIG_FEE);
        assert!(!w.env.exists(o));
        assert_eq!(w.pool_state().closed_offer_count, closed0 + 1);
        w.side.offers.retain(|x| x != o);
    } else {
        assert_eq!(w.env.lamports(&fee_payer), payer0 - SIG_FEE);
        assert_eq!(w.env.lamports(o), rent);
    }
    r
}

/// Closes `o` if it can close.
pub(super) fn wind_down_offer(w: &mut World, o: &Pubkey, stats: &mut Stats) {
    let s = w.offer_state(o);
    if s.state != OfferState::Accepted && !s.refund_pending {
        let r = close_offer(w, o);
        stats.record("offer_close", r);
    }
}
