//! The arena the attack matrix runs in, and the valid case of every instruction.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions as dix;
use data_pool_client::pda::*;
use data_pool_tests::*;

/// Pool A (the victim: the world's pool) and pool B (the attacker's), with the same shape:
/// contributors c0 (100) and c1 (300); offer 0 open with c0's yes vote; offer 1 accepted with
/// c1's vote; offer 2 rejected with its refund pending.
pub struct Arena {
    pub w: World,
    pub b: PoolSide,
    pub c: Vec<Kp>,
    pub buyers: Vec<Buyer>,
    /// Pool B's contributors and buyers.
    pub bc: Vec<Kp>,
    pub bbuyers: Vec<Buyer>,
    pub other_mint: Pubkey,
}

fn populate(w: &mut World, tag: &str) -> (Vec<Kp>, Vec<Buyer>) {
    let c0 = w.wallet(tag, 0);
    let c1 = w.wallet(tag, 1);
    w.contribute(&c0, 100).unwrap();
    w.contribute(&c1, 300).unwrap();
    let n = if tag == "a" { 0 } else { 10 };
    let b0 = w.buyer(n, 50_000);
    let b1 = w.buyer(n + 1, 50_000);
    let b2 = w.buyer(n + 2, 50_000);
    let (o0, _) = w.offer(&b0, 10_000).unwrap();
    w.vote(&c0, &o0, true).unwrap();
    let (o1, _) = w.offer(&b1, 10_000).unwrap();
    w.vote(&c1, &o1, true).unwrap();
    w.finalize(&o1).unwrap();
    // Offer 2: rejected while its refund account is closed → refund pending.
    let (o2, _) = w.offer(&b2, 50_000).unwrap();
    w.vote(&c1, &o2, false).unwrap();
    w.close_token_account(&b2.kp, &b2.token);
    w.finalize(&o2).unwrap();
    assert!(w.offer_state(&o2).refund_pending);
    (vec![c0, c1], vec![b0, b1, b2])
}

pub fn arena() -> Arena {
    let mut w = World::new();
    let (c, buyers) = populate(&mut w, "a");
    let mut b = w.second_pool("attacker-pool", "attacker");
    w.swap_side(&mut b);
    let (bc, bbuyers) = populate(&mut w, "b");
    w.swap_side(&mut b);
    let ma = w.mint_authority.pubkey();
    let other_mint = w.env.create_mint(&TOKEN, &ma, 6, &[]);
    Arena {
        w,
        b,
        c,
        buyers,
        bc,
        bbuyers,
        other_mint,
    }
}

/// A transaction that succeeds: instructions before the target, the target, and its signers.
pub struct Case {
    pub pre: Vec<Instruction>,
    pub ix: Instruction,
    pub signers: Vec<Kp>,
}

fn case(ix: Instruction, signers: &[&Kp]) -> Case {
    Case {
        pre: vec![],
        ix,
        signers: signers.iter().map(|k| k.insecure_clone()).collect(),
    }
}

/// `offer_refund` of offer 2 (rejected, refund pending) to a fresh token account of its buyer.
fn refund_offer_2(w: &mut World, b: &Buyer) -> Instruction {
    let t = w.side.tokens;
    let fresh = w
        .env
        .create_token_account(&t.token_program, &t.mint, &b.kp.pubkey());
    w.token_accounts.insert(fresh);
    let o2 = find_offer_pda(&PROGRAM_ID, &w.side.pool, 2).0;
    let refund = w.refund(&o2, &b.kp.pubkey(), &fresh);
    dix::offer_refund(&PROGRAM_ID, &w.side.pool, &o2, &t, &refund)
}

/// The buyer withdraws offer 0, the arena's one open offer.
fn cancel_open_offer(a: &mut Arena) {
    let w = &mut a.w;
    let b = &a.buyers[0];
    let o0 = find_offer_pda(&PROGRAM_ID, &w.side.pool, 0).0;
    let refund = w.refund(&o0, &b.kp.pubkey(), &b.token);
    let cancel = dix::offer_cancel(&PROGRAM_ID, &w.side.pool, &o0, &w.side.tokens, &refund);
    w.env.send_paid(&[cancel], &[&b.kp]).unwrap();
}

/// Pool A wound down (its open offer withdrawn first) and its claim window over.
fn past_claim_window(a: &mut Arena) {
    cancel_open_offer(a);
    let w = &mut a.w;
    let auth = w.side.authority.insecure_clone();
    let ix = dix::pool_wind_down(&PROGRAM_ID, &auth.pubkey(), &w.side.pool);
    w.env.send_paid(&[ix], &[&auth]).unwrap();
    w.env.warp(dix::DEFAULT_CLAIM_WINDOW);
}

/// The valid case of instruction `name` in arena `a` (some prepare state first).
pub fn valid_case(a: &mut Arena, name: &str) -> Case {
    let w = &mut a.w;
    let p = &PROGRAM_ID;
    let payer = w.env.payer.pubkey();
    let auth = w.side.authority.insecure_clone();
    let pool = w.side.pool;
    let t = w.side.tokens;
    let rent_payer = w.env.payer.pubkey();
    let o = |i: usize| find_offer_pda(p, &pool, i as u64).0;
    match name {
        "pool_create" => {
            let args = PoolConfig {
                name: "fresh".into(),
                ..PoolConfig::default()
            }
            .args();
            case(
                dix::pool_create(p, &payer, &auth.pubkey(), &t.mint, &t.token_program, args),
                &[&auth],
            )
        }
        "pool_update" => {
            let args = w.update_args(|p| {
                p.fee_bps = 100;
            });
            case(dix::pool_update(p, &auth.pubkey(), &pool, args), &[&auth])
        }
        "pool_pause" => case(dix::pool_pause(p, &auth.pubkey(), &pool), &[&auth]),
        "pool_unpause" => {
            w.env
                .send_paid(&[dix::pool_pause(p, &auth.pubkey(), &pool)], &[&auth])
                .unwrap();
            case(dix::pool_unpause(p, &auth.pubkey(), &pool), &[&auth])
        }
        "authority_propose" => case(
            dix::authority_propose(p, &auth.pubkey(), &pool, &kp("successor", 0).pubkey()),
            &[&auth],
        ),
        "authority_accept" => {
            let succ = w.wallet("successor", 0);
            let ix = dix::authority_propose(p, &auth.pubkey(), &pool, &succ.pubkey());
            w.env.send_paid(&[ix], &[&auth]).unwrap();
            case(dix::authority_accept(p, &succ.pubkey(), &pool), &[&succ])
        }
        "attestor_add" => case(
            dix::attestor_add(
                p,
                &payer,
                &auth.pubkey(),
                &pool,
                &kp("new-attestor", 0).pubkey(),
            ),
            &[&auth],
        ),
        "attestor_remove" => case(
            dix::attestor_remove(p, &auth.pubkey(), &pool, &w.attestor.pubkey()),
            &[&auth],
        ),
        "custodian_add" => case(
            dix::custodian_add(
                p,
                &payer,
                &auth.pubkey(),
                &pool,
                &kp("new-custodian", 0).pubkey(),
            ),
            &[&auth],
        ),
        "custodian_remove" => case(
            dix::custodian_remove(p, &auth.pubkey(), &pool, &w.custodian.pubkey()),
            &[&auth],
        ),
        "contribution_submit" => {
            let k = w.wallet("newcomer", 0);
            let h = hash_of("newcomer-data", 0);
            let exp = w.env.now() + 600;
            let att = w.attestor.insecure_clone();
            w.side.data_hashes.push(h); // tracked for the snapshots and the final invariant check
            Case {
                pre: vec![w.attest_ix(&att, &k.pubkey(), &h, 50, exp)],
                ix: w.submit_ix(&k.pubkey(), &att.pubkey(), &h, 50, exp),
                signers: vec![k],
            }
        }
        "contributor_leave" => {
            // c0 is owed its share of offer 1: it claims first.
            w.claim(&a.c[0]).unwrap();
            let h = w.side.data_hashes[0];
            case(
                dix::contributor_leave(p, &a.c[0].pubkey(), &pool, &rent_payer, &person(&h)),
                &[&a.c[0]],
            )
        }
        "contribution_invalidate" => {
            // Invalidation waits until no offer is open: the buyer withdraws offer 0 first.
            let b = &a.buyers[0];
            let cancel = dix::offer_cancel(
                p,
                &pool,
                &o(0),
                &t,
                &w.refund(&o(0), &b.kp.pubkey(), &b.token),
            );
            w.env.send_paid(&[cancel], &[&b.kp]).unwrap();
            let h = w.side.data_hashes[1];
            let att = w.attestor.pubkey();
            case(
                dix::contribution_invalidate(p, &auth.pubkey(), &pool, &person(&h), &att),
                &[&auth],
            )
        }
        "pool_wind_down" => {
            // No offer may be open: the buyer withdraws offer 0 first.
            cancel_open_offer(a);
            case(dix::pool_wind_down(p, &auth.pubkey(), &pool), &[&auth])
        }
        "contributor_reap" => {
            past_claim_window(a);
            let w = &mut a.w;
            let h = w.side.data_hashes[1];
            // Anyone reaps: here a buyer, who is no party to the record.
            let closer = a.buyers[1].kp.insecure_clone();
            case(
                dix::contributor_reap(p, &closer.pubkey(), &pool, &rent_payer, &person(&h)),
                &[&closer],
            )
        }
        "pool_close" => {
            past_claim_window(a);
            let w = &mut a.w;
            // Offer 2's refund is withdrawn and it closes; every record is reaped.
            let ix = refund_offer_2(w, &a.buyers[2]);
            w.env.send_paid(&[ix], &[&a.buyers[2].kp]).unwrap();
            for i in [0, 2] {
                let ix = dix::offer_close(p, &pool, &o(i), &rent_payer);
                w.env.send_paid(&[ix], &[]).unwrap();
            }
            w.side.offers.retain(|x| *x == o(1));
            for h in w.side.data_hashes.clone() {
                let ix = dix::contributor_reap(p, &payer, &pool, &rent_payer, &person(&h));
                w.env.send_paid(&[ix], &[]).unwrap();
            }
            let dest = w.claim_account(&auth.pubkey());
            let registry = [
                (
                    find_attestor_pda(p, &pool, &w.attestor.pubkey()).0,
                    rent_payer,
                ),
                (
                    find_custodian_pda(p, &pool, &w.custodian.pubkey()).0,
                    rent_payer,
                ),
            ];
            case(
                dix::pool_close(p, &auth.pubkey(), &pool, &rent_payer, &t, &dest, &registry),
                &[&auth],
            )
        }
        "fees_withdraw" => {
            let dest = w.claim_account(&auth.pubkey());
            case(
                dix::fees_withdraw(p, &auth.pubkey(), &pool, &t, &dest, None),
                &[&auth],
            )
        }
        "offer_create" => {
            let b = &a.buyers[0];
            // Tracked as the world's fourth offer, so the invariants cover it once made.
            w.side.offers.push(o(3));
            w.side.offer_buyers.insert(o(3), (b.kp.pubkey(), b.token));
            let args = dix::OfferCreateArgs {
                index: 3,
                price: 5_000,
                terms_hash: [3; 32],
                terms_uri: String::new(),
            };
            case(
                dix::offer_create(
                    p,
                    &payer,
                    &b.kp.pubkey(),
                    &pool,
                    &t,
                    &b.token,
                    &b.token,
                    args,
                ),
                &[&b.kp],
            )
        }
        "offer_vote" => {
            w.side.votes.insert((o(0), a.c[1].pubkey())); // tracked for snapshots and invariants
            let record = find_contributor_pda(p, &pool, &person(&w.side.data_hashes[1])).0;
            case(
                dix::offer_vote(p, &a.c[1].pubkey(), &pool, &o(0), &record, true),
                &[&a.c[1]],
            )
        }
        "offer_finalize" => {
            w.vote(&a.c[1], &o(0), true).unwrap(); // decides offer 0
            let b = &a.buyers[0];
            case(
                dix::offer_finalize(p, &pool, &o(0), &t, &b.token, &rent_payer),
                &[],
            )
        }
        "offer_deliver" => {
            w.vote(&a.c[1], &o(0), true).unwrap(); // decides offer 0
            w.finalize_only(&o(0)).unwrap(); // approved: awaiting delivery
            let c = w.custodian.insecure_clone();
            let receipt = w.current_receipt();
            case(
                dix::offer_deliver(p, &c.pubkey(), &pool, &o(0), &t, &rent_payer, receipt),
                &[&c],
            )
        }
        "offer_refund" => {
            let ix = refund_offer_2(w, &a.buyers[2]);
            case(ix, &[&a.buyers[2].kp])
        }
        "offer_cancel" => {
            let b = &a.buyers[0];
            case(
                dix::offer_cancel(
                    p,
                    &pool,
                    &o(0),
                    &t,
                    &w.refund(&o(0), &b.kp.pubkey(), &b.token),
                ),
                &[&b.kp],
            )
        }
        "offer_close" => {
            // Offer 2 (rejected, refund pending): the buyer takes the price back; then the
            // offer can close.
            let ix = refund_offer_2(w, &a.buyers[2]);
            w.env.send_paid(&[ix], &[&a.buyers[2].kp]).unwrap();
            case(dix::offer_close(p, &pool, &o(2), &rent_payer), &[])
        }
        "payout_claim" => {
            let dest = w.claim_account(&a.c[1].pubkey());
            let record = find_contributor_pda(p, &pool, &person(&w.side.data_hashes[1])).0;
            case(
                dix::payout_claim(p, &a.c[1].pubkey(), &pool, &record, &t, &dest),
                &[&a.c[1]],
            )
        }
        other => panic!("no case for {other}"),
    }
}
