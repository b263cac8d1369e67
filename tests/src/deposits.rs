//! Exact lamport books of the instructions that settle an offer: every deposit it releases goes
//! to the offer's rent payer, to the lamport, and nobody else's balance moves but by fees.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{Offer, OfferState};
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
}
