//! A contributor's lifetime measured on the built program: join with one contribution, vote on
//! one offer, then claim the payout and leave in one transaction — every lamport each party pays
//! and gets back, self-paid and with a relayer paying everything. The payout goes to a token
//! account the contributor already holds (its own, outside the lifetime: its rent is reported
//! apart, in `claim_account_rent`). The benchmark prints it; `tests/tests/rent.rs` pins it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions as dix;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::*;

/// What one party paid over the lifetime, in lamports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paid {
    /// Transaction fees (5,000 per signature, the attestation's precompile signature included).
    pub fees: u64,
    /// Rent deposits paid.
    pub rent_paid: u64,
    /// Rent deposits returned.
    pub rent_returned: u64,
    /// Net: what the party's balance fell by.
    pub net: u64,
}

/// The lifetime of one contributor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    /// The contributor, paying for itself.
    pub self_paid: Paid,
    /// A relayer paying every fee and deposit of another contributor's lifetime.
    pub relayer: Paid,
    /// What that relayed contributor's balance fell by (0: it signs and pays nothing).
    pub relayed_contributor_net: u64,
    /// Rent of a token account of the payout mint, for a wallet that has none yet: it is the
    /// contributor's own account, holds the payout and stays theirs (its rent comes back to
    /// them when they close it), so it is not part of the lifetime.
    pub claim_account_rent: u64,
    /// The deposit still locked in program records after the contributor left.
    pub locked_after_leaving: u64,
}

/// The lamports every account holds now, summed over `keys`.
fn lamports(w: &World, keys: &[Pubkey]) -> u64 {
    keys.iter().map(|k| w.env.lamports(k)).sum()
}

/// Runs one contributor's lifetime with `payer` paying fees and rent (`payer` may be the
/// contributor) and returns what `payer` paid and what the contributor's balance fell by.
fn run(w: &mut World, wallet: &Keypair, payer: &Keypair, price: u64) -> (Paid, u64, u64) {
    let me = wallet.pubkey();
    let p = payer.pubkey();
    let signers = |w: &Keypair| -> Vec<Keypair> {
        if w.pubkey() == p {
            vec![w.insecure_clone()]
        } else {
            vec![payer.insecure_clone(), w.insecure_clone()]
        }
    };
    let mut fees = 0;
    let send = |w: &mut World, ixs: &[Instruction], sigs: &[Keypair]| {
        let refs: Vec<&Keypair> = sigs.iter().collect();
        w.env.send(ixs, &refs).expect("lifetime step");
        // Every signature costs 5,000, and so does every signature a precompile verifies.
        let precompiled = ixs
            .iter()
            .filter(|i| i.program_id == data_pool::attestation::ED25519_PROGRAM_ID)
            .count() as u64;
        (sigs.len() as u64 + precompiled) * SIG_FEE
    };
    let (start_payer, start_me) = (w.env.lamports(&p), w.env.lamports(&me));

    // Join: one attested contribution (the wallet's signature and the attestation's).
    let hash = w.contribute_paid_by(payer, wallet, 100).expect("join");
    fees += (signers(wallet).len() as u64 + 1) * SIG_FEE;
    let record = cached::contributor(&w.side.pool, &hash);
    let deposit = w.env.lamports(&record);

    // A buyer's offer; vote on it.
    let buyer = w.buyer(77, price);
    let (offer, _) = w.offer(&buyer, price).expect("offer");
    let vote = dix::offer_vote(&PROGRAM_ID, &me, &w.side.pool, &offer, &record, true);
    let f = send(w, &[vote], &signers(wallet));
    fees += f;
    w.side.votes.insert((offer, me));
    w.env.warp(30 * 24 * 3_600);
    w.finalize(&offer).expect("sale");

    // Claim into the contributor's own token account and leave, in one transaction.
    let dest = w.claim_account(&me);
    let claim = dix::payout_claim(
        &PROGRAM_ID,
        &me,
        &w.side.pool,
        &record,
        &w.side.tokens,
        &dest,
    );
    let leave = dix::contributor_leave(&PROGRAM_ID, &me, &w.side.pool, &p, &crate::person(&hash));
    let f = send(w, &[claim, leave], &signers(wallet));
    fees += f;
    assert!(w.env.balance(&dest) > 0, "the payout arrived");

    let net = start_payer - w.env.lamports(&p);
    let me_net = start_me.saturating_sub(w.env.lamports(&me));
    let locked = lamports(w, &[record]);
    let paid = Paid {
        fees,
        rent_paid: deposit,
        rent_returned: deposit - locked,
        net,
    };
    assert_eq!(net, fees + deposit - paid.rent_returned, "books balance");
    (paid, if me == p { net } else { me_net }, locked)
}

/// Measures the lifetime on a fresh pool where one other contributor holds weight 100.
pub fn measure() -> Lifetime {
    let mut w = World::new();
    let other = w.wallet("lifetime-other", 0);
    w.contribute(&other, 100).expect("other");
    let me = w.wallet("lifetime-self", 0);
    let (self_paid, _, locked) = run(&mut w, &me.insecure_clone(), &me, 1_000_000);
    let relayed = w.wallet("lifetime-relayed", 0);
    let relayer = w.wallet("lifetime-relayer", 0);
    let (relayer_paid, relayed_net, _) = run(&mut w, &relayed, &relayer, 1_000_000);
    w.check_invariants();
    let dest = w.claim_account(&me.pubkey());
    Lifetime {
        self_paid,
        relayer: relayer_paid,
        relayed_contributor_net: relayed_net,
        claim_account_rent: w.env.lamports(&dest),
        locked_after_leaving: locked,
    }
}
