//! Exact lamport books of the instructions that release deposits (settling an offer, a
//! contributor leaving): every deposit goes to whoever paid it, to the lamport, and nobody
//! else's balance moves but by fees.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{Contributor, Offer, OfferState};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::*;

impl World {
    /// Sends `ixs` (fee paid by the env payer, signed by `signers` too), which may settle the
    /// offer `o`, and asserts its lamports exactly: the env payer pays 5,000 per signature; once
    /// voting is over the offer holds exactly the rent of its fields (the vote bitmap's rent and
    /// any lamports sent to it went back); the escrow, once closed, held nothing back; and the
    /// offer's rent payer received exactly what the offer and its escrow released.
    pub fn send_settling(
        &mut self,
        o: &Pubkey,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<u64, Failure> {
        let payer = self.offer_state(o).payer;
        let fee_payer = self.env.payer.pubkey();
        let escrow = cached::escrow(o);
        let before = |w: &World| {
            (
                w.env.lamports(&payer),
                w.env.lamports(&fee_payer),
                w.env.lamports(o),
                w.env.lamports(&escrow),
            )
        };
        let (p0, f0, o0, e0) = before(self);
        let r = self.env.send_paid(ixs, signers);
        let fee = SIG_FEE * (1 + signers.len() as u64);
        let (p1, f1, o1, e1) = before(self);
        let settled_rent = self
            .env
            .svm
            .minimum_balance_for_rent_exemption(Offer::BITMAP_AT);
        if self.offer_state(o).state != OfferState::Open {
            assert_eq!(
                o1, settled_rent,
                "a settled offer keeps only its fields' rent"
            );
        }
        let released = (o0 - o1) + (e0 - e1);
        if r.is_err() {
            assert_eq!((o1, e1), (o0, e0), "a refused settlement moves nothing");
        }
        if payer == fee_payer {
            assert_eq!(p1 + fee, p0 + released, "deposits back to the rent payer");
        } else {
            assert_eq!(p1, p0 + released, "deposits back to the rent payer");
            assert_eq!(f1 + fee, f0, "the fee payer pays only fees");
        }
        r
    }

    /// `wallet` leaves with the record of `hash` (claiming first when it is owed), in one
    /// transaction paid by the env payer, and asserts the books exactly: on success the record
    /// is gone, its rent payer received exactly its lamports, the wallet's claim account exactly
    /// what the record was owed, and the fee payer paid only fees; on failure nothing moved.
    pub fn leave(&mut self, wallet: &Keypair, hash: &[u8; 32]) -> Result<u64, Failure> {
        let record = cached::contributor(&self.side.pool, hash);
        let c: Option<Contributor> = self.record(hash);
        let acc = self.pool_state().acc_reward_per_weight;
        let owed = c.as_ref().and_then(|c| c.entitlement(acc)).unwrap_or(0);
        let ixs = self.leave_ixs(&wallet.pubkey(), hash);
        let payer = c.as_ref().map_or(self.env.payer.pubkey(), |c| c.payer);
        let fee_payer = self.env.payer.pubkey();
        let dest = self.claim_account(&wallet.pubkey());
        let books = |w: &World| {
            (
                w.env.lamports(&payer),
                w.env.lamports(&fee_payer),
                w.env.lamports(&record),
                w.env.balance(&dest),
                w.env.balance(&w.side.tokens.vault),
            )
        };
        let (p0, f0, r0, d0, v0) = books(self);
        let r = self.env.send_paid(&ixs, &[wallet]);
        let (p1, f1, r1, d1, v1) = books(self);
        let fee = SIG_FEE * 2;
        if r.is_err() {
            assert_eq!((r1, d1, v1), (r0, d0, v0), "a refused leave moves nothing");
            return r;
        }
        assert_eq!(r1, 0, "the record is closed");
        assert!(self.record(hash).is_none());
        assert_eq!(
            (d1, v0),
            (d0 + owed, v1 + owed),
            "paid exactly what was owed"
        );
        if payer == fee_payer {
            assert_eq!(p1 + fee, p0 + r0, "the deposit goes back to its payer");
        } else {
            assert_eq!(p1, p0 + r0, "the deposit goes back to its payer");
            assert_eq!(f1 + fee, f0, "the fee payer pays only fees");
        }
        r
    }
}
