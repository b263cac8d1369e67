//! A contributor leaves: `contributor_leave` closes its record and returns the rent to whoever
//! paid it, with exact lamport and token balances for every party, self-paid and relayer-paid.
//! Leaving with someone else's record, while owed, to steal the deposit, or to revive the record
//! are refused; an invalidated record stays and its data never comes back.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use data_pool::state::Contributor;
use data_pool_client::instructions as dix;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // 5 % fee: 950,000 to contributors
const RECORD_RENT: u64 = 2_192_400; // 187 bytes

/// A pool where `a` (100) and `b` (300) contributed, their records paid by the env payer, and a
/// sale of `PRICE` settled.
fn sold() -> (World, Kp, Kp) {
    let mut w = World::new();
    let a = w.wallet("a", 0);
    let b = w.wallet("b", 0);
    w.contribute(&a, 100).unwrap();
    w.contribute(&b, 300).unwrap();
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    (w, a, b)
}

/// `wallet`'s bare `contributor_leave` of `hash`, naming `payer` as the rent payer.
fn leave_ix(w: &World, wallet: &Kp, hash: &[u8; 32], payer: &Pubkey) -> Instruction {
    dix::contributor_leave(
        &PROGRAM_ID,
        &wallet.pubkey(),
        &w.side.pool,
        payer,
        &person(hash),
    )
}

#[test]
fn a_self_paid_contributor_leaves_with_everything_it_paid_and_earned() {
    let mut w = World::new();
    let a = w.wallet("a", 0);
    // `a` pays its own record's rent and the fees (its signature and the attestation's).
    let before = w.env.lamports(&a.pubkey());
    let h = w.contribute_paid_by(&a, &a, 100).unwrap();
    assert_eq!(
        w.env.lamports(&a.pubkey()),
        before - RECORD_RENT - 2 * SIG_FEE
    );
    let c: Contributor = w.record(&h).unwrap();
    assert_eq!(c.payer, a.pubkey());
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&a, &offer, true).unwrap();
    w.finalize(&offer).unwrap();

    // Claim and leave in one transaction, `a` paying the fee: it ends with its deposit back,
    // less that one fee, and the whole net of the sale.
    let dest = w.claim_account(&a.pubkey());
    let record = cached::contributor(&w.side.pool, &h);
    let ixs = [
        w.claim_ix(&a.pubkey(), &record),
        leave_ix(&w, &a, &h, &a.pubkey()),
    ];
    let (l0, v0) = (
        w.env.lamports(&a.pubkey()),
        w.env.balance(&w.side.tokens.vault),
    );
    w.env.send(&ixs, &[&a]).unwrap();
    assert_eq!(w.env.lamports(&a.pubkey()), l0 + RECORD_RENT - SIG_FEE);
    assert_eq!(w.env.balance(&dest), 950_000, "the whole net");
    assert_eq!(w.env.balance(&w.side.tokens.vault), v0 - 950_000);
    assert!(!w.env.exists(&record));
    let p = w.pool_state();
    assert_eq!(
        (
            p.contributor_count,
            p.closed_contributor_count,
            p.total_weight
        ),
        (1, 1, 0)
    );
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn a_relayer_gets_its_deposit_back_and_the_contributor_pays_nothing() {
    let mut w = World::new();
    let relayer = w.wallet("relayer", 0);
    let c = kp("no-sol", 0); // never funded
    let r0 = w.env.lamports(&relayer.pubkey());
    let h = w.contribute_paid_by(&relayer, &c, 100).unwrap();
    assert_eq!(w.record(&h).unwrap().payer, relayer.pubkey());
    // The relayer pays the fee of the leave too; its deposit comes back whole.
    let ix = leave_ix(&w, &c, &h, &relayer.pubkey());
    w.env.send(&[ix], &[&relayer, &c]).unwrap();
    assert_eq!(
        w.env.lamports(&relayer.pubkey()),
        r0 - 3 * SIG_FEE - 2 * SIG_FEE
    );
    assert_eq!(
        w.env.lamports(&c.pubkey()),
        0,
        "the contributor never paid a lamport"
    );
    w.check_invariants();
}

#[test]
fn nobody_leaves_with_someone_elses_record_or_takes_its_deposit() {
    let (mut w, a, b) = sold();
    let (ha, hb) = (w.side.data_hashes[0], w.side.data_hashes[1]);
    let payer = w.env.payer.pubkey();
    // `b` signs to leave with `a`'s record.
    let f = w.refused(&[leave_ix(&w, &b, &ha, &payer)], &[&b]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::ContributionMismatch)));
    // `a` names itself as the rent payer of a record the env payer paid for.
    let f = w.refused(&[leave_ix(&w, &a, &ha, &a.pubkey())], &[&a]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::NotRentPayer)));
    // `a` names its own record with `b`'s data hash: the seeds do not match.
    let mut ix = leave_ix(&w, &a, &ha, &payer);
    ix.data = leave_ix(&w, &a, &hb, &payer).data;
    let f = w.refused(&[ix], &[&a]);
    assert_eq!(
        f.custom_code(),
        Some(anchor_lang::error::ErrorCode::ConstraintSeeds as u32)
    );
    // Owed 237,500 and not claimed in the same transaction: refused, nothing is forfeited.
    let f = w.refused(&[leave_ix(&w, &a, &ha, &payer)], &[&a]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::PayoutOutstanding)));
    assert_eq!(w.entitlement(&a.pubkey()), 237_500);
    // With the claim first it goes through, paying exactly what was owed.
    w.leave(&a, &ha).unwrap();
    assert_eq!(w.env.balance(&w.side.claim_accounts[&a.pubkey()]), 237_500);
    w.check_invariants();
}

#[test]
fn a_closed_record_cannot_be_revived_and_its_data_returns_only_as_a_new_record() {
    let (mut w, a, b) = sold();
    let ha = w.side.data_hashes[0];
    let record = cached::contributor(&w.side.pool, &ha);
    let buyer = w.buyer(2, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    // Leave, refund the record's address with lamports and vote with it, in one transaction.
    let mut ixs = w.leave_ixs(&a.pubkey(), &ha);
    ixs.push(system_instruction::transfer(
        &w.env.payer.pubkey(),
        &record,
        RECORD_RENT,
    ));
    ixs.push(dix::offer_vote(
        &PROGRAM_ID,
        &a.pubkey(),
        &w.side.pool,
        &offer,
        &record,
        true,
    ));
    let f = w.refused(&ixs, &[&a]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::NotEligibleToVote)));
    // Leave, then claim with the closed record in the same transaction: nothing to pay twice.
    let mut ixs = w.leave_ixs(&a.pubkey(), &ha);
    ixs.push(w.claim_ix(&a.pubkey(), &record));
    assert!(w.env.send_paid(&ixs, &[&a]).is_err());
    // Leave for real; the data comes back as a new record, after the offer: it cannot vote on it.
    w.leave(&a, &ha).unwrap();
    w.contribute_hash(&a, ha, 100).unwrap();
    let c = w.record(&ha).unwrap();
    assert_eq!((c.index, c.weight), (2, 100));
    assert_dp_err(w.vote(&a, &offer, true), DpErr::NotEligibleToVote);
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

#[test]
fn an_invalidated_record_stays_keeps_its_earnings_and_its_data_never_returns() {
    let (mut w, a, _b) = sold();
    let ha = w.side.data_hashes[0];
    w.invalidate(&ha).unwrap();
    let record = cached::contributor(&w.side.pool, &ha);
    let rent = w.env.lamports(&record);
    assert_eq!(rent, RECORD_RENT);
    // It cannot leave (its rent is forfeited: the record is what keeps the data out) ...
    assert_dp_err(w.leave(&a, &ha), DpErr::ContributionInactive);
    // ... its data cannot come back, from any wallet ...
    assert_dp_err(w.contribute_hash(&a, ha, 100), DpErr::DataInvalidated);
    let c = w.wallet("c", 0);
    assert_dp_err(w.contribute_hash(&c, ha, 100), DpErr::DataInvalidated);
    // ... and what it earned before the invalidation is still paid.
    w.claim(&a).unwrap();
    assert_eq!(w.env.balance(&w.side.claim_accounts[&a.pubkey()]), 237_500);
    assert_eq!(w.env.lamports(&record), rent);
    w.check_invariants();
}

#[test]
fn leaving_works_while_paused_and_while_an_offer_is_open() {
    let (mut w, a, b) = sold();
    let buyer = w.buyer(2, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    let auth = w.side.authority.insecure_clone();
    let pause = dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    w.env.send_paid(&[pause], &[&auth]).unwrap();
    let ha = w.side.data_hashes[0];
    w.leave(&a, &ha).unwrap();
    // The open offer settles on the weight that stayed: all of the net to `b`, less under one
    // base unit of accumulator rounding.
    let before = w.entitlement(&b.pubkey());
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    assert_eq!(w.entitlement(&b.pubkey()) - before, 949_999);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}
