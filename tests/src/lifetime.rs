//! A contributor's lifetime measured on the built program: join with one contribution, vote on
//! one offer, claim the payout, leave — every lamport each party pays and gets back, self-paid
//! and with a relayer paying everything. The benchmark prints it; `tests/tests/rent.rs` pins it.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions as dix;
use data_pool_client::token;
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
    /// Rent of the claim token account (the contributor's own associated token account; it
    /// holds the payout and stays, so it is counted as paid and not returned).
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

    // Join: one attested contribution.
    let hash = w.next_hash();
    let exp = w.env.now() + 600;
    let attestor = w.attestor.insecure_clone();
    let pre = w.attest_ix(&attestor, &me, &hash, 100, exp);
    let submit = dix::contribution_submit(
        &PROGRAM_ID,
        &p,
        &me,
        &w.side.pool,
        &attestor.pubkey(),
        dix::ContributionSubmitArgs {
            data_hash: hash,
            score: 100,
            expires_at: exp,
        },
    );
    let f = send(w, &[pre, submit], &signers(wallet));
    fees += f;
    w.side.data_hashes.push(hash);
    w.side.wallets.insert(me, wallet.insecure_clone());

    // A buyer's offer; vote on it.
    let buyer = w.buyer(77, price);
    let (offer, _) = w.offer(&buyer, price).expect("offer");
    let vote = dix::offer_vote(&PROGRAM_ID, &me, &w.side.pool, &offer, true);
    let f = send(w, &[vote], &signers(wallet));
    fees += f;
    w.side.votes.insert((offer, me));
    w.env.warp(30 * 24 * 3_600);
    w.finalize(&offer).expect("sale");

    // Claim into the contributor's own associated token account, created on the way.
    let t = w.side.tokens;
    let ata = token::associated_address(&me, &t.mint, &t.token_program);
    let create = token::create_associated_idempotent(&p, &me, &t.mint, &t.token_program);
    let claim = dix::payout_claim(&PROGRAM_ID, &me, &w.side.pool, &t, &ata);
    let f = send(w, &[create, claim], &signers(wallet));
    fees += f;
    w.token_accounts.insert(ata);
    w.side.claim_accounts.insert(me, ata);

    // Leave: revoke the contribution.
    let revoke = dix::contribution_revoke(&PROGRAM_ID, &me, &w.side.pool, &hash);
    let f = send(w, &[revoke], &signers(wallet));
    fees += f;

    let net = start_payer - w.env.lamports(&p);
    let me_net = start_me.saturating_sub(w.env.lamports(&me));
    let records = [
        cached::contributor(&w.side.pool, &me),
        cached::contribution(&w.side.pool, &hash),
    ];
    let locked = lamports(w, &records);
    let paid = Paid {
        fees,
        rent_paid: net - fees,
        rent_returned: 0,
        net,
    };
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
    let t = w.side.tokens;
    let ata = token::associated_address(&me.pubkey(), &t.mint, &t.token_program);
    Lifetime {
        self_paid,
        relayer: relayer_paid,
        relayed_contributor_net: relayed_net,
        claim_account_rent: w.env.lamports(&ata),
        locked_after_leaving: locked,
    }
}
