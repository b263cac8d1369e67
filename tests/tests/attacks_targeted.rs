//! Attacks that need a particular setup: duplicate mutable accounts, non-canonical bumps,
//! closing and reviving in one transaction, Ed25519 tricks beyond the basics, and economic
//! attacks. Each asserts the refusal and that nothing changed.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token_2022::spl_token_2022;
use data_pool::state::OfferState;
use data_pool_client::attestation::{
    attestation_message, ed25519_instruction_data, ED25519_PROGRAM_ID,
};
use data_pool_client::instructions::{self as dix, PoolTokens};
use data_pool_client::pda::*;
use data_pool_tests::*;

/// Sends `ixs`, expects failure, and checks the world's state did not move.
#[track_caller]
fn refused(w: &mut World, ixs: &[Instruction], signers: &[&Kp]) -> Failure {
    w.refused(ixs, signers)
}

fn two_member_pool() -> (World, Kp, Kp) {
    let mut w = World::new();
    let a = w.wallet("m", 0);
    let b = w.wallet("m", 1);
    w.contribute(&a, 100).unwrap();
    w.contribute(&b, 300).unwrap();
    (w, a, b)
}

#[test]
fn duplicate_mutable_accounts() {
    let (mut w, _a, b) = two_member_pool();
    let buyer = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&buyer, 10_000).unwrap();
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    // The vault as the claim destination (vault and destination both writable).
    let vault = w.side.tokens.vault;
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &b.pubkey(),
        &w.side.pool,
        &w.records(&b.pubkey())[0].0,
        &w.side.tokens,
        &vault,
    );
    let f = refused(&mut w, &[ix], &[&b]);
    assert_eq!(
        f.custom_code(),
        Some(dp_code(DpErr::WrongTokenAccountOwner))
    );
    // The vault passed as the fee vault of a delivery.
    let buyer2 = w.buyer(2, 10_000);
    let (offer2, _) = w.offer(&buyer2, 10_000).unwrap();
    w.vote(&b, &offer2, true).unwrap();
    w.finalize_only(&offer2).unwrap();
    let mut t = w.side.tokens;
    t.fee_vault = t.vault;
    let c = w.custodian.insecure_clone();
    let ix = dix::offer_deliver(
        &PROGRAM_ID,
        &c.pubkey(),
        &w.side.pool,
        &offer2,
        &t,
        &w.env.payer.pubkey(),
        w.current_receipt(),
    );
    let f = refused(&mut w, &[ix], &[&c]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::InvalidFeeVault)));
    // The escrow as its own refund destination.
    let buyer3 = w.buyer(3, 10_000);
    let (offer3, _) = w.offer(&buyer3, 10_000).unwrap();
    let escrow = find_escrow_pda(&PROGRAM_ID, &offer3).0;
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &offer3,
        &w.side.tokens,
        &w.refund(&offer3, &buyer3.kp.pubkey(), &escrow),
    );
    let f = refused(&mut w, &[ix], &[&buyer3.kp]);
    assert_eq!(
        f.custom_code(),
        Some(dp_code(DpErr::WrongTokenAccountOwner))
    );
    // The escrow as the buyer's paying account.
    let index = w.pool_state().offer_count;
    let next = find_offer_pda(&PROGRAM_ID, &w.side.pool, index).0;
    let next_escrow = find_escrow_pda(&PROGRAM_ID, &next).0;
    let ix = w.offer_create_ix(
        &buyer3.kp.pubkey(),
        &next_escrow,
        &buyer3.token,
        dix::OfferCreateArgs {
            index,
            price: 5_000,
            terms_hash: [0; 32],
            terms_uri: String::new(),
        },
    );
    refused(&mut w, &[ix], &[&buyer3.kp]);
    w.check_invariants();
}

/// A valid program address for `seeds` with a bump below the canonical one.
fn non_canonical(seeds: &[&[u8]]) -> Pubkey {
    let (_, canonical) = Pubkey::find_program_address(seeds, &PROGRAM_ID);
    (0..canonical)
        .rev()
        .find_map(|b| {
            let mut s: Vec<&[u8]> = seeds.to_vec();
            let bump = [b];
            s.push(&bump);
            Pubkey::create_program_address(&s, &PROGRAM_ID).ok()
        })
        .expect("a non-canonical bump exists")
}

#[test]
fn non_canonical_bumps_are_refused() {
    let (mut w, _a, b) = two_member_pool();
    // contribution_submit with a non-canonical contributor record address.
    let k = w.wallet("newcomer", 0);
    let h = hash_of("nc", 0);
    let exp = w.env.now() + 60;
    let att = w.attestor.insecure_clone();
    let mut submit = w.submit_ix(&k.pubkey(), &att.pubkey(), &h, 10, exp);
    submit.accounts[4].pubkey =
        non_canonical(&[data_pool::SEED_CONTRIBUTOR, w.side.pool.as_ref(), &h]);
    let pre = w.attest_ix(&att, &k.pubkey(), &h, 10, exp);
    let f = refused(&mut w, &[pre, submit], &[&k]);
    assert_eq!(f.custom_code(), Some(AnchorError::ConstraintSeeds as u32));
    // (offer_vote creates no account: a vote is a bit of the offer.)
    let buyer = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&buyer, 10_000).unwrap();
    // offer_finalize with a non-canonical escrow address.
    w.vote(&b, &offer, true).unwrap();
    let mut fin = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &buyer.token,
        &w.env.payer.pubkey(),
    );
    fin.accounts[2].pubkey = non_canonical(&[data_pool::SEED_ESCROW, offer.as_ref()]);
    let f = refused(&mut w, &[fin], &[]);
    assert_eq!(f.custom_code(), Some(AnchorError::ConstraintSeeds as u32));
    w.finalize(&offer).unwrap();
    w.check_invariants();
}

#[test]
fn a_vote_counts_once_and_not_after_voting_ends() {
    let (mut w, a, b) = two_member_pool();
    let buyer = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&buyer, 10_000).unwrap();
    // Twice in one transaction (the second a reject): refused whole, nothing counted.
    let record = w.records(&a.pubkey())[0].0;
    let yes = dix::offer_vote(
        &PROGRAM_ID,
        &a.pubkey(),
        &w.side.pool,
        &offer,
        &record,
        true,
    );
    let no = dix::offer_vote(
        &PROGRAM_ID,
        &a.pubkey(),
        &w.side.pool,
        &offer,
        &record,
        false,
    );
    let f = refused(&mut w, &[yes, no.clone()], &[&a]);
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::AlreadyVoted)));
    assert_eq!(w.offer_state(&offer).voter_count, 0);
    w.vote(&a, &offer, true).unwrap();
    assert_dp_err(w.env.send_paid(&[no], &[&a]), DpErr::AlreadyVoted);
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    // The bitmap is gone with the vote: lamports sent to the offer do not bring votes back.
    let top_up = system_instruction::transfer(&w.env.payer.pubkey(), &offer, 1_000_000);
    w.env.send_paid(&[top_up], &[]).unwrap();
    let f = assert_fails(w.vote(&a, &offer, false));
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::OfferNotOpen)));
    let o = w.offer_state(&offer);
    assert_eq!((o.voter_count, o.yes_weight, o.no_weight), (2, 400, 0));
    w.check_invariants();
}

struct Att {
    w: World,
    k: Kp,
    h: [u8; 32],
    exp: i64,
}

fn att_setup() -> Att {
    let mut w = World::new();
    let k = w.wallet("c", 0);
    let h = hash_of("att", 0);
    let exp = w.env.now() + 600;
    Att { w, k, h, exp }
}

#[test]
fn ed25519_offsets_outside_the_instruction_fail_at_the_precompile() {
    let mut t = att_setup();
    let msg = attestation_message(
        &PROGRAM_ID,
        &t.w.side.pool,
        &data_pool_tests::attested(&t.k.pubkey(), &t.h, 10),
        t.exp,
    );
    let sig: [u8; 64] = t.w.attestor.sign_message(&msg).as_ref().try_into().unwrap();
    for field in [0usize, 2, 4, 6] {
        // signature_offset, public_key_offset, message_data_offset, message_data_size
        let at = 2 + [0, 4, 8, 10][field / 2];
        let mut data = ed25519_instruction_data(&t.w.attestor.pubkey().to_bytes(), &sig, &msg);
        data[at..at + 2].copy_from_slice(&u16::MAX.to_le_bytes());
        let v = Instruction {
            program_id: ED25519_PROGRAM_ID,
            accounts: vec![],
            data,
        };
        let submit =
            t.w.submit_ix(&t.k.pubkey(), &t.w.attestor.pubkey(), &t.h, 10, t.exp);
        let k = t.k.insecure_clone();
        let f = refused(&mut t.w, &[v, submit], &[&k]);
        assert_eq!(f.instruction_index(), Some(0));
    }
}

#[test]
fn ed25519_a_second_verify_instruction_over_another_message() {
    let mut t = att_setup();
    let att = t.w.attestor.insecure_clone();
    let good = attestation_message(
        &PROGRAM_ID,
        &t.w.side.pool,
        &data_pool_tests::attested(&t.k.pubkey(), &t.h, 10),
        t.exp,
    );
    let other = b"an unrelated message the attestor once signed".to_vec();
    let ed = |m: &[u8], signer: &Kp| {
        let sig: [u8; 64] = signer.sign_message(m).as_ref().try_into().unwrap();
        Instruction {
            program_id: ED25519_PROGRAM_ID,
            accounts: vec![],
            data: ed25519_instruction_data(&signer.pubkey().to_bytes(), &sig, m),
        }
    };
    let submit = t.w.submit_ix(&t.k.pubkey(), &att.pubkey(), &t.h, 10, t.exp);
    let k = t.k.insecure_clone();
    // The attestation verified first, another message right before us: only the preceding counts.
    let f = refused(
        &mut t.w,
        &[ed(&good, &att), ed(&other, &att), submit.clone()],
        &[&k],
    );
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::SignatureMismatch)));
    // The right message signed by someone else right before us, the real one earlier.
    let impostor = kp("impostor", 0);
    let f = refused(
        &mut t.w,
        &[ed(&good, &att), ed(&good, &impostor), submit.clone()],
        &[&k],
    );
    assert_eq!(f.custom_code(), Some(dp_code(DpErr::WrongAttestor)));
    // The real one right before us works, whatever comes earlier.
    t.w.send_contribution(
        &[ed(&other, &impostor), ed(&good, &att), submit],
        &k,
        &t.h.clone(),
    )
    .unwrap();
}

#[test]
fn economic_vote_leave_and_return_gains_nothing() {
    let (mut w, a, b) = two_member_pool();
    let buyer = w.buyer(1, 100_000);
    let (offer, _) = w.offer(&buyer, 100_000).unwrap();
    w.vote(&a, &offer, true).unwrap(); // 100 of 400: undecided
    let h = w.side.data_hashes[0];
    w.leave(&a, &h).unwrap();
    // Votes are final (docs/PROTOCOL.md): the tally keeps the weight. The same person may come
    // back once they left, as a new record that arrived after the offer: it cannot vote on it
    // again, from the same wallet or any other.
    assert_eq!(w.offer_state(&offer).yes_weight, 100);
    w.contribute_hash(&a, h, 100).unwrap();
    assert_eq!(w.record(&h).unwrap().index, 2);
    assert_dp_err(w.vote(&a, &offer, false), DpErr::NotEligibleToVote);
    assert_eq!(w.offer_state(&offer).voter_count, 1);
    // The person holds weight once at a time: not from another wallet.
    assert_dp_err(w.contribute_hash(&b, h, 100), DpErr::IdentityTaken);
    // The sale pays the weights at settlement: 100 and 300 of 95,000.
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    assert_eq!(w.entitlement(&a.pubkey()), 23_750);
    assert_eq!(w.entitlement(&b.pubkey()), 71_250);
    w.check_invariants();
}

#[test]
fn economic_many_tiny_contributions_farm_no_dust() {
    let mut w = World::new();
    let farmer = w.wallet("farmer", 0);
    let honest = w.wallet("honest", 0);
    for _ in 0..50 {
        w.contribute(&farmer, 1).unwrap();
    }
    w.contribute(&honest, 50).unwrap();
    let buyer = w.buyer(1, 1_000_003);
    let (offer, _) = w.offer(&buyer, 1_000_003).unwrap();
    w.vote(&honest, &offer, true).unwrap();
    // Fifty records vote a transaction's worth at a time, until the votes decide the offer.
    while w.undecided(&offer) {
        w.vote(&farmer, &offer, true).unwrap();
    }
    w.finalize(&offer).unwrap();
    // Each record rounds down on its own: splitting weight can only lose (under a base unit a
    // record), never gain.
    let (f, h) = (
        w.entitlement(&farmer.pubkey()),
        w.entitlement(&honest.pubkey()),
    );
    assert!(f <= h && h - f < 50, "farmer {f}, honest {h}");
    w.check_invariants();
}

#[test]
fn economic_front_running_settlement_pays_the_right_accounts() {
    let (mut w, a, b) = two_member_pool();
    let buyer = w.buyer(1, 100_000);
    let (offer, _) = w.offer(&buyer, 100_000).unwrap();
    w.vote(&b, &offer, true).unwrap();
    // Anyone may finalize the vote (the attacker pays the fee and gains nothing): the offer
    // awaits delivery and the money stays in escrow.
    let attacker = w.buyer(9, 0);
    let ix = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &buyer.token,
        &w.env.payer.pubkey(),
    );
    w.env.send(&[ix], &[&attacker.kp]).unwrap();
    assert_eq!(w.env.balance(&cached::escrow(&offer)), 100_000);
    // A delivery pointing the fee vault or the vault at the attacker is refused, even signed by
    // the real custodian; a delivery signed by the attacker is refused too.
    let c = w.custodian.insecure_clone();
    for redirect in [
        |t: &mut PoolTokens, to| t.fee_vault = to,
        |t: &mut PoolTokens, to| t.vault = to,
    ] {
        let mut t = w.side.tokens;
        redirect(&mut t, attacker.token);
        let ix = dix::offer_deliver(
            &PROGRAM_ID,
            &c.pubkey(),
            &w.side.pool,
            &offer,
            &t,
            &w.env.payer.pubkey(),
            w.current_receipt(),
        );
        refused(&mut w, &[ix], &[&c]);
    }
    let ix = dix::offer_deliver(
        &PROGRAM_ID,
        &attacker.kp.pubkey(),
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &w.env.payer.pubkey(),
        w.current_receipt(),
    );
    refused(&mut w, &[ix], &[&attacker.kp]);
    // The custodian's honest delivery pays the pool.
    w.deliver_by(&c, &offer, w.current_receipt()).unwrap();
    assert_eq!(w.env.balance(&attacker.token), 0);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 5_000);
    assert_eq!(
        w.entitlement(&a.pubkey()) + w.entitlement(&b.pubkey()),
        95_000
    );
    w.check_invariants();
}

#[test]
fn economic_the_authority_cannot_touch_escrows_or_the_vault() {
    let (mut w, a, b) = two_member_pool();
    let auth = w.side.authority.insecure_clone();
    let buyer = w.buyer(1, 100_000);
    let (offer, _) = w.offer(&buyer, 100_000).unwrap();
    let t = w.side.tokens;
    let mint = t.mint;
    let auth_token = w
        .env
        .create_token_account(&t.token_program, &mint, &auth.pubkey());
    w.token_accounts.insert(auth_token);
    // Cancel or refund someone else's offer to itself.
    let ix = dix::offer_cancel(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &t,
        &w.refund(&offer, &auth.pubkey(), &auth_token),
    );
    assert_eq!(
        refused(&mut w, &[ix], &[&auth]).custom_code(),
        Some(dp_code(DpErr::NotBuyer))
    );
    // Move escrow or vault tokens directly with the token program.
    let escrow = find_escrow_pda(&PROGRAM_ID, &offer).0;
    for from in [escrow, t.vault] {
        let ix = spl_token_2022::instruction::transfer_checked(
            &t.token_program,
            &from,
            &mint,
            &auth_token,
            &auth.pubkey(),
            &[],
            1,
            6,
        )
        .unwrap();
        refused(&mut w, &[ix], &[&auth]);
    }
    // Claim a contributor's payout with its own signature.
    w.vote(&b, &offer, true).unwrap();
    w.finalize(&offer).unwrap();
    let a_record = w.records(&a.pubkey())[0].0;
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &a_record,
        &t,
        &auth_token,
    );
    assert_eq!(
        refused(&mut w, &[ix], &[&auth]).custom_code(),
        Some(dp_code(DpErr::ContributionMismatch))
    );
    // Change the rules of an open offer: a later update does not reach it.
    let buyer2 = w.buyer(2, 100_000);
    let (offer2, _) = w.offer(&buyer2, 100_000).unwrap();
    let upd = dix::pool_update(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        w.update_args(|p| {
            p.fee_bps = 10_000;
            p.approval_bps = 10_000;
        }),
    );
    w.env.send_paid(&[upd], &[&auth]).unwrap();
    w.vote(&b, &offer2, true).unwrap();
    w.finalize(&offer2).unwrap();
    let o2 = w.offer_state(&offer2);
    assert_eq!((o2.state, o2.fee_paid), (OfferState::Accepted, 5_000));
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}
