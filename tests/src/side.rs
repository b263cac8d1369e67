//! A second pool in the same chain (for substitution attacks), and refusals that must change
//! nothing the world knows.

use std::collections::BTreeSet;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions::{self as dix, PoolTokens};
use data_pool_client::pda::*;
use solana_keypair::Keypair;

use crate::*;

impl World {
    /// Creates a second pool in the same chain, with the same payout mint and attestor, run by
    /// `authority_tag`'s keypair. Returns its side (swapped out).
    pub fn second_pool(&mut self, name: &str, authority_tag: &str) -> PoolSide {
        let authority = kp(authority_tag, 0);
        self.env.fund(&authority.pubkey(), 10 * SOL);
        let cfg = PoolConfig {
            name: name.into(),
            ..self.side.cfg.clone()
        };
        let tp = self.side.tokens.token_program;
        let mint = self.side.tokens.mint;
        let pool = find_pool_pda(&PROGRAM_ID, &authority.pubkey(), name).0;
        let vault = find_vault_pda(&PROGRAM_ID, &pool).0;
        let fee_vault = find_fee_vault_pda(&PROGRAM_ID, &pool).0;
        self.token_accounts.insert(vault);
        self.token_accounts.insert(fee_vault);
        let ix = dix::pool_create(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &authority.pubkey(),
            &mint,
            &tp,
            cfg.args(),
        );
        self.env
            .send_paid(&[ix], &[&authority])
            .expect("second pool_create");
        let mut side = PoolSide::new(
            cfg,
            authority,
            pool,
            PoolTokens {
                mint,
                token_program: tp,
                vault,
                fee_vault,
            },
        );
        self.swap_side(&mut side);
        let key = self.attestor.pubkey();
        self.add_attestor(&key).expect("second attestor_add");
        let key = self.custodian.pubkey();
        self.add_custodian(&key).expect("second custodian_add");
        self.swap_side(&mut side);
        side
    }

    /// Exchanges the world's current pool with `side`.
    pub fn swap_side(&mut self, side: &mut PoolSide) {
        std::mem::swap(&mut self.side, side);
    }

    /// Sends `ixs`, which must fail; asserts that nothing this world knows changed, and returns
    /// the failure.
    #[track_caller]
    pub fn refused(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Failure {
        let addrs = self.addresses();
        let before = self.snapshot(&addrs);
        let f = assert_fails(self.env.send_paid(ixs, signers));
        assert_eq!(
            before,
            self.snapshot(&addrs),
            "a refused transaction changed state"
        );
        f
    }

    /// Every address this world's current pool involves (program accounts, token accounts,
    /// wallets), for before/after snapshots.
    pub fn addresses(&self) -> BTreeSet<Pubkey> {
        let mut a: BTreeSet<Pubkey> = [
            self.side.pool,
            self.side.tokens.vault,
            self.side.tokens.fee_vault,
            self.side.tokens.mint,
        ]
        .into_iter()
        .collect();
        a.extend(self.token_accounts.iter().copied());
        a.extend(self.side.wallets.keys().copied());
        for h in &self.side.data_hashes {
            a.insert(cached::contributor(&self.side.pool, h));
        }
        for k in &self.side.attestor_keys {
            a.insert(cached::attestor(&self.side.pool, k));
        }
        for k in &self.side.custodian_keys {
            a.insert(find_custodian_pda(&PROGRAM_ID, &self.side.pool, k).0);
        }
        for o in &self.side.offers {
            a.insert(*o);
            a.insert(cached::escrow(o));
            let (buyer, token) = self.side.offer_buyers[o];
            a.insert(buyer);
            a.insert(token);
        }
        a.remove(&self.env.payer.pubkey()); // pays the fees of failed transactions too
        a
    }

    /// The full state of `addresses`.
    pub fn snapshot(
        &self,
        addresses: &BTreeSet<Pubkey>,
    ) -> Vec<(Pubkey, Option<solana_account::Account>)> {
        addresses
            .iter()
            .map(|a| (*a, self.env.svm.get_account(a)))
            .collect()
    }
}
