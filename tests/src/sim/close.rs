//! The end of a fuzzed pool's life: pending refunds withdrawn, unsold offers closed, the pool
//! wound down, the claim window over, every record left behind reaped, and the pool closed with
//! its registry — each deposit to the lamport where it belongs, each token accounted for.

use anchor_lang::prelude::Pubkey;
use data_pool::constants::INCINERATOR;
use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use solana_keypair::Keypair as Kp;
use solana_signer::Signer;

use super::acts::close_offer;
use super::Stats;
use crate::*;

/// Withdraws every pending refund to a fresh account of its buyer, then closes the offer.
fn end_pending_refunds(w: &mut World, buyers: &[Buyer], stats: &mut Stats) {
    for o in w.side.offers.clone() {
        if !w.offer_state(&o).refund_pending {
            continue;
        }
        let (buyer, _) = w.side.offer_buyers[&o];
        let b = buyers
            .iter()
            .find(|b| b.kp.pubkey() == buyer)
            .expect("buyer");
        let tp = w.side.tokens.token_program;
        let fresh = w.env.create_token_account(&tp, &w.side.tokens.mint, &buyer);
        w.token_accounts.insert(fresh);
        let refund = w.refund(&o, &buyer, &fresh);
        let ix = dix::offer_refund(&PROGRAM_ID, &w.side.pool, &o, &w.side.tokens, &refund);
        let kp = b.kp.insecure_clone();
        w.send_settling(&o, &[ix], &[&kp]).expect("refund");
        let r = close_offer(w, &o);
        stats.record("offer_close", r);
    }
}

/// Winds the pool down and closes it (no offer may be unsettled). Returns the account the
/// vaults were swept to.
pub(super) fn close_pool(w: &mut World, auth: &Kp, buyers: &[Buyer], stats: &mut Stats) -> Pubkey {
    end_pending_refunds(w, buyers, stats);
    assert!(w
        .side
        .offers
        .iter()
        .all(|o| w.offer_state(o).state == OfferState::Accepted));
    let ix = dix::pool_wind_down(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    w.env.send_paid(&[ix], &[auth]).expect("wind down");
    w.env.warp(w.pool_state().claim_window);
    // Every record left behind: its rent to its payer, an invalidated one's to the incinerator.
    let closer = w.env.payer.pubkey();
    for (record, c) in w.all_records() {
        let hash = w
            .side
            .data_hashes
            .iter()
            .copied()
            .find(|h| cached::contributor(&w.side.pool, h) == record)
            .expect("hash");
        let to = if c.is_active() { c.payer } else { INCINERATOR };
        let (to0, rent) = (w.env.lamports(&to), w.env.lamports(&record));
        let ix = dix::contributor_reap(
            &PROGRAM_ID,
            &closer,
            &w.side.pool,
            &to,
            &crate::person(&hash),
        );
        let r = w.env.send_paid(&[ix], &[]);
        assert!(r.is_ok(), "reap: {r:?}");
        let fee = if to == closer { SIG_FEE } else { 0 };
        assert_eq!(w.env.lamports(&to) + fee, to0 + rent, "rent to its payer");
        stats.record("reap", r);
    }
    w.check_invariants();
    let p = w.pool_state();
    let swept = w.env.balance(&p.vault) + w.env.balance(&p.fee_vault);
    let dest = w.claim_account(&auth.pubkey());
    let d0 = w.env.balance(&dest);
    let reg = w.registry();
    let ix = dix::pool_close(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &p.payer,
        &w.side.tokens,
        &dest,
        &reg,
    );
    let r = w.env.send_paid(&[ix], &[auth]);
    assert!(r.is_ok(), "pool_close: {r:?}");
    stats.record("pool_close", r);
    assert_eq!(w.env.balance(&dest), d0 + swept, "the sweep, exactly");
    assert!(!w.env.exists(&w.side.pool));
    dest
}
