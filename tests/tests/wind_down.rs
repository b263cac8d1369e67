//! A pool winds down and closes: the claim window set at creation protects every contributor's
//! money until it ends; then records left behind are reaped (rent to whoever paid it, an
//! invalidated record's to the incinerator), what nobody claimed is swept, and the vaults, the
//! registry records and the pool close, rent back to whoever paid it — exact balances for every
//! party.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::constants::INCINERATOR;
use data_pool_client::instructions as dix;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // 5 % fee: 50,000; net 950,000
const RECORD_RENT: u64 = 2_192_400;

/// A pool where `a` (100), `b` (300, relayed by `relayer`) and `c` (100) contributed, a sale of
/// `PRICE` was delivered, and `c` was then invalidated.
struct Life {
    w: World,
    a: Kp,
    b: Kp,
    c: Kp,
    relayer: Kp,
    hashes: [[u8; 32]; 3],
}

fn life() -> Life {
    let mut w = World::new();
    let (a, c) = (w.wallet("a", 0), w.wallet("c", 0));
    let (b, relayer) = (kp("b", 0), w.wallet("relayer", 0));
    w.contribute(&a, 100).unwrap();
    let hb = w.contribute_paid_by(&relayer, &b, 300).unwrap();
    w.contribute(&c, 100).unwrap();
    let hashes = [w.side.data_hashes[0], hb, w.side.data_hashes[2]];
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&a, &offer, true).unwrap();
    w.vote(&c, &offer, true).unwrap();
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    w.invalidate(&hashes[2]).unwrap();
    Life {
        w,
        a,
        b,
        c,
        relayer,
        hashes,
    }
}

fn wind_down_ix(w: &World) -> Instruction {
    dix::pool_wind_down(&PROGRAM_ID, &w.side.authority.pubkey(), &w.side.pool)
}

fn reap_ix(w: &World, hash: &[u8; 32], rent_to: &Pubkey) -> Instruction {
    dix::contributor_reap(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &w.side.pool,
        rent_to,
        &person(hash),
    )
}

fn close_ix(w: &World, dest: &Pubkey, registry: &[(Pubkey, Pubkey)]) -> Instruction {
    let payer = w.pool_state().payer;
    dix::pool_close(
        &PROGRAM_ID,
        &w.side.authority.pubkey(),
        &w.side.pool,
        &payer,
        &w.side.tokens,
        dest,
        registry,
    )
}

#[test]
fn a_pool_winds_down_and_closes_with_every_lamport_and_token_accounted_for() {
    let Life {
        mut w,
        a,
        b,
        c,
        relayer,
        hashes,
    } = life();
    let auth = w.side.authority.insecure_clone();
    // An open offer blocks the wind-down: its sale would pay the weights at settlement.
    let buyer = w.buyer(2, PRICE);
    let (open, _) = w.offer(&buyer, PRICE).unwrap();
    assert_dp_err(
        w.env.send_paid(&[wind_down_ix(&w)], &[&auth]),
        DpErr::OffersOpen,
    );
    let cancel = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &open,
        &w.side.tokens,
        &w.refund(&open, &buyer.kp.pubkey(), &buyer.token),
    );
    w.env.send_paid(&[cancel], &[&buyer.kp]).unwrap();
    let close_offer = dix::offer_close(&PROGRAM_ID, &w.side.pool, &open, &w.env.payer.pubkey());
    w.env.send_paid(&[close_offer], &[]).unwrap();
    w.side.offers.retain(|o| *o != open);

    // Wind down: no contributions, offers or unpausing from now on; only once.
    let stranger = w.wallet("stranger", 0);
    let by_stranger = dix::pool_wind_down(&PROGRAM_ID, &stranger.pubkey(), &w.side.pool);
    assert_dp_err(
        w.env.send_paid(&[by_stranger], &[&stranger]),
        DpErr::Unauthorized,
    );
    w.env.send_paid(&[wind_down_ix(&w)], &[&auth]).unwrap();
    let p = w.pool_state();
    assert_eq!(
        p.claims_end(),
        Some(w.env.now() + dix::DEFAULT_CLAIM_WINDOW)
    );
    assert!(p.paused);
    assert_dp_err(
        w.env.send_paid(&[wind_down_ix(&w)], &[&auth]),
        DpErr::PoolWoundDown,
    );
    let unpause = dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    assert_dp_err(w.env.send_paid(&[unpause], &[&auth]), DpErr::PoolWoundDown);
    assert_dp_err(w.contribute(&a, 10), DpErr::PoolPaused);
    assert_dp_err(w.offer(&buyer, PRICE).map(|_| ()), DpErr::PoolPaused);

    // During the window nothing can be taken: contributors claim and leave as before; nobody
    // reaps a record and the pool cannot close.
    w.leave(&a, &hashes[0]).unwrap();
    let a_paid = w.env.balance(&w.side.claim_accounts[&a.pubkey()]);
    assert_eq!(a_paid, 190_000, "100 of 500 of 950,000");
    let dest = w.claim_account(&auth.pubkey());
    let reg = w.registry();
    assert_dp_err(
        w.env
            .send_paid(&[reap_ix(&w, &hashes[1], &relayer.pubkey())], &[]),
        DpErr::ClaimWindowOpen,
    );
    assert_dp_err(
        w.env.send_paid(&[close_ix(&w, &dest, &reg)], &[&auth]),
        DpErr::ClaimWindowOpen,
    );
    w.env.warp(dix::DEFAULT_CLAIM_WINDOW - 1);
    assert_dp_err(
        w.env
            .send_paid(&[reap_ix(&w, &hashes[1], &relayer.pubkey())], &[]),
        DpErr::ClaimWindowOpen,
    );
    w.env.warp(1);

    // The window is over. Records left behind block the close until reaped.
    assert_dp_err(
        w.env.send_paid(&[close_ix(&w, &dest, &reg)], &[&auth]),
        DpErr::RecordsRemain,
    );
    // b never claimed its 570,000: its record closes, rent to the relayer who paid it, and its
    // payout is forfeited. Nobody else may take the rent.
    assert_dp_err(
        w.env
            .send_paid(&[reap_ix(&w, &hashes[1], &b.pubkey())], &[]),
        DpErr::NotRentPayer,
    );
    let r0 = w.env.lamports(&relayer.pubkey());
    w.env
        .send_paid(&[reap_ix(&w, &hashes[1], &relayer.pubkey())], &[])
        .unwrap();
    assert_eq!(w.env.lamports(&relayer.pubkey()), r0 + RECORD_RENT);
    assert_eq!(w.pool_state().total_forfeited, 570_000);
    // c was invalidated: its rent is forfeited to the incinerator, not to its payer; what it
    // earned before the invalidation (190,000) was never claimed, so it is forfeited too.
    let payer = w.env.payer.pubkey();
    assert_dp_err(
        w.env.send_paid(&[reap_ix(&w, &hashes[2], &payer)], &[]),
        DpErr::NotRentPayer,
    );
    let i0 = w.env.lamports(&INCINERATOR);
    w.env
        .send_paid(&[reap_ix(&w, &hashes[2], &INCINERATOR)], &[])
        .unwrap();
    assert_eq!(w.env.lamports(&INCINERATOR), i0 + RECORD_RENT);
    assert_eq!(w.pool_state().total_forfeited, 570_000 + 190_000);
    let _ = &c;
    w.check_invariants();

    // Close: every registry record must come along, each to its own payer.
    assert_dp_err(
        w.env.send_paid(&[close_ix(&w, &dest, &reg[1..])], &[&auth]),
        DpErr::RecordsRemain,
    );
    let mut wrong = reg.clone();
    wrong[0].1 = stranger.pubkey();
    assert_dp_err(
        w.env.send_paid(&[close_ix(&w, &dest, &wrong)], &[&auth]),
        DpErr::NotRentPayer,
    );
    let p = w.pool_state();
    let (vault, fees) = (w.env.balance(&p.vault), w.env.balance(&p.fee_vault));
    assert_eq!((vault, fees), (760_000, 50_000));
    let rent: u64 = [w.side.pool, p.vault, p.fee_vault]
        .iter()
        .map(|k| w.env.lamports(k))
        .sum();
    let registry_rent: u64 = reg.iter().map(|(k, _)| w.env.lamports(k)).sum();
    assert_eq!(
        p.payer, payer,
        "the env payer paid for the pool and its registry"
    );
    let p0 = w.env.lamports(&payer);
    w.env
        .send_paid(&[close_ix(&w, &dest, &reg)], &[&auth])
        .unwrap();
    assert_eq!(w.env.balance(&dest), 760_000 + 50_000);
    assert_eq!(
        w.env.lamports(&payer),
        p0 + rent + registry_rent - 2 * SIG_FEE
    );
    for k in [w.side.pool, p.vault, p.fee_vault] {
        assert!(!w.env.exists(&k), "{k} closed");
    }
    for (k, _) in &reg {
        assert!(!w.env.exists(k), "{k} closed");
    }
    // The accepted offer stays: it is the buyer's license.
    assert!(w.env.exists(&w.side.offers[0]));
    assert_eq!(w.tokens_in_existence(), w.minted);
}
