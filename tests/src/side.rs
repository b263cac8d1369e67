//! A second pool in the same chain (for substitution attacks), and refusals that must change
//! nothing the world knows.

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions::{self as dix, PoolTokens};
use data_pool_client::pda::*;
use solana_keypair::Keypair;

use crate::*;

/// The per-pool half of a [`World`]: swap it in with [`World::swap_side`] to act on a second pool
/// in the same chain (an attacker's pool, for substitution tests).
pub struct PoolSide {
    /// The config of this pool.
    pub cfg: PoolConfig,
    /// Its authority.
    pub authority: Keypair,
    /// Its address.
    pub pool: Pubkey,
    /// Its tokens.
    pub tokens: PoolTokens,
    /// Its contributor wallets.
    pub wallets: BTreeMap<Pubkey, Keypair>,
    /// Its data hashes.
    pub data_hashes: Vec<[u8; 32]>,
    /// Its offers.
    pub offers: Vec<Pubkey>,
    /// Buyers by offer.
    pub offer_buyers: BTreeMap<Pubkey, (Pubkey, Pubkey)>,
    /// Votes cast.
    pub votes: BTreeSet<(Pubkey, Pubkey)>,
    /// Claim accounts.
    pub claim_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Attestor keys.
    pub attestor_keys: BTreeSet<Pubkey>,
}

impl World {
    /// Creates a second pool in the same chain, with the same payout mint and attestor, run by
    /// `authority_tag`'s keypair. Returns its side (swapped out).
    pub fn second_pool(&mut self, name: &str, authority_tag: &str) -> PoolSide {
        let authority = kp(authority_tag, 0);
        self.env.fund(&authority.pubkey(), 10 * SOL);
        let cfg = PoolConfig {
            name: name.into(),
            ..self.cfg.clone()
        };
        let tp = self.tokens.token_program;
        let mint = self.tokens.mint;
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
        let mut side = PoolSide {
            cfg,
            authority,
            pool,
            tokens: PoolTokens {
                mint,
                token_program: tp,
                vault,
                fee_vault,
            },
            wallets: BTreeMap::new(),
            data_hashes: vec![],
            offers: vec![],
            offer_buyers: BTreeMap::new(),
            votes: BTreeSet::new(),
            claim_accounts: BTreeMap::new(),
            attestor_keys: BTreeSet::new(),
        };
        self.swap_side(&mut side);
        let key = self.attestor.pubkey();
        self.add_attestor(&key).expect("second attestor_add");
        self.swap_side(&mut side);
        side
    }

    /// Exchanges the world's current pool with `side`.
    pub fn swap_side(&mut self, side: &mut PoolSide) {
        std::mem::swap(&mut self.cfg, &mut side.cfg);
        std::mem::swap(&mut self.authority, &mut side.authority);
        std::mem::swap(&mut self.pool, &mut side.pool);
        std::mem::swap(&mut self.tokens, &mut side.tokens);
        std::mem::swap(&mut self.wallets, &mut side.wallets);
        std::mem::swap(&mut self.data_hashes, &mut side.data_hashes);
        std::mem::swap(&mut self.offers, &mut side.offers);
        std::mem::swap(&mut self.offer_buyers, &mut side.offer_buyers);
        std::mem::swap(&mut self.votes, &mut side.votes);
        std::mem::swap(&mut self.claim_accounts, &mut side.claim_accounts);
        std::mem::swap(&mut self.attestor_keys, &mut side.attestor_keys);
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
            self.pool,
            self.tokens.vault,
            self.tokens.fee_vault,
            self.tokens.mint,
        ]
        .into_iter()
        .collect();
        a.extend(self.token_accounts.iter().copied());
        for w in self.wallets.keys() {
            a.insert(*w);
            a.insert(cached::contributor(&self.pool, w));
        }
        for h in &self.data_hashes {
            a.insert(cached::contribution(&self.pool, h));
        }
        for k in &self.attestor_keys {
            a.insert(cached::attestor(&self.pool, k));
        }
        for o in &self.offers {
            a.insert(*o);
            a.insert(cached::escrow(o));
            let (buyer, token) = self.offer_buyers[o];
            a.insert(buyer);
            a.insert(token);
        }
        for (o, v) in &self.votes {
            a.insert(cached::vote(o, v));
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
