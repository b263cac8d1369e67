//! A test world's contributor records: one per person, found through the data hashes the world
//! first submitted for them ([`crate::person`]), and the wallet-level actions on them (vote, claim, leave) that send one
//! instruction per record, the way the CLI does.

use std::collections::BTreeSet;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{Contributor, Offer};
use data_pool_client::instructions as dix;
use solana_keypair::Keypair;

use crate::*;

impl World {
    /// The record of `hash` in the current pool, if it is on chain.
    pub fn record(&self, hash: &[u8; 32]) -> Option<Contributor> {
        self.env.get(&cached::contributor(&self.side.pool, hash))
    }

    /// Every record of the current pool on chain (of the data hashes the world submitted), by
    /// arrival index.
    pub fn all_records(&self) -> Vec<(Pubkey, Contributor)> {
        let mut v: Vec<(Pubkey, Contributor)> = self
            .side
            .data_hashes
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|h| {
                let k = cached::contributor(&self.side.pool, h);
                self.env.get::<Contributor>(&k).map(|c| (k, c))
            })
            .collect();
        v.sort_by_key(|(_, c)| c.index);
        v
    }

    /// `wallet`'s records on chain, by arrival index.
    pub fn records(&self, wallet: &Pubkey) -> Vec<(Pubkey, Contributor)> {
        let mut v = self.all_records();
        v.retain(|(_, c)| c.wallet == *wallet);
        v
    }

    /// An attested contribution of fresh data with `score` by `wallet`, its record's rent and
    /// the fee paid by `payer` (the wallet itself, or a relayer). Returns the data hash.
    pub fn contribute_paid_by(
        &mut self,
        payer: &Keypair,
        wallet: &Keypair,
        score: u64,
    ) -> Result<[u8; 32], Failure> {
        let h = self.next_hash();
        let exp = self.env.now() + 600;
        let att = self.attestor.insecure_clone();
        let pre = self.attest_ix(&att, &wallet.pubkey(), &h, score, exp);
        let submit = dix::contribution_submit(
            &PROGRAM_ID,
            &payer.pubkey(),
            &wallet.pubkey(),
            &self.side.pool,
            &att.pubkey(),
            dix::ContributionSubmitArgs {
                identity: crate::person(&h),
                data_hash: h,
                score,
                expires_at: exp,
            },
        );
        let signers: Vec<&Keypair> = if payer.pubkey() == wallet.pubkey() {
            vec![wallet]
        } else {
            vec![payer, wallet]
        };
        self.env.send(&[pre, submit], &signers)?;
        self.side.data_hashes.push(h);
        self.side
            .wallets
            .insert(wallet.pubkey(), wallet.insecure_clone());
        Ok(h)
    }

    /// Σ weight of `wallet`'s records (`None`: it has none on chain).
    pub fn weight(&self, wallet: &Pubkey) -> Option<u64> {
        let r = self.records(wallet);
        (!r.is_empty()).then(|| r.iter().map(|(_, c)| c.weight).sum())
    }

    /// A record address of `wallet` to name in an instruction the program should refuse: its
    /// first record, or an address no record has when it has none.
    fn any_record(&self, wallet: &Pubkey) -> Pubkey {
        self.records(wallet).first().map_or_else(
            || cached::contributor(&self.side.pool, &wallet.to_bytes()),
            |r| r.0,
        )
    }

    /// A resubmission by `wallet` for the person behind its earlier data `first`: data `hash`
    /// with `score` replaces that contribution. Tests still name the record by `first`.
    pub fn resubmit(
        &mut self,
        wallet: &Keypair,
        first: &[u8; 32],
        hash: [u8; 32],
        score: u64,
    ) -> Result<u64, Failure> {
        let expires = self.env.now() + 3600;
        let att = self.attestor.insecure_clone();
        let who = crate::person(first);
        let ixs = [
            self.attest_person_ix(&att, &wallet.pubkey(), &who, &hash, score, expires),
            self.submit_person_ix(&wallet.pubkey(), &att.pubkey(), &who, &hash, score, expires),
        ];
        self.env.send_paid(&ixs, &[wallet])
    }

    /// A pool with one member per weight in `weights` (wallets `(tag, i)`), each with one
    /// contribution of fresh data.
    pub fn with_members(tag: &str, weights: &[u64]) -> (World, Vec<Keypair>) {
        let mut w = World::new();
        let mut ks = vec![];
        for (i, &wt) in weights.iter().enumerate() {
            let k = w.wallet(tag, i as u64);
            w.contribute(&k, wt).unwrap();
            ks.push(k);
        }
        (w, ks)
    }

    /// The authority invalidates the contribution of data `hash` (attested by the world's
    /// attestor).
    pub fn invalidate(&mut self, hash: &[u8; 32]) -> Result<u64, Failure> {
        let auth = self.side.authority.insecure_clone();
        let ix = dix::contribution_invalidate(
            &PROGRAM_ID,
            &auth.pubkey(),
            &self.side.pool,
            &crate::person(hash),
            &self.attestor.pubkey(),
        );
        self.env.send_paid(&[ix], &[&auth])
    }

    /// An offer by buyer `n` at `price`, voted for by `yes` (until the votes decide it; the
    /// rest abstain) and finalized at its deadline; the invariants are checked after.
    pub fn sell(&mut self, n: u64, price: u64, yes: &[&Keypair]) -> Pubkey {
        let b = self.buyer(n, price);
        let (offer, _) = self.offer(&b, price).unwrap();
        assert_eq!(self.env.balance(&b.token), 0);
        assert_eq!(self.env.balance(&cached::escrow(&offer)), price);
        for k in yes {
            if self.undecided(&offer) {
                self.vote(k, &offer, true).unwrap();
            }
        }
        let end = self.offer_state(&offer).voting_ends_at;
        if self.env.now() < end {
            self.env.set_time(end);
        }
        self.finalize(&offer).unwrap();
        self.check_invariants();
        offer
    }

    /// `voter` votes on `offer` with each of its records that may (joined before the offer,
    /// with weight, not voted yet) and that count (until the votes decide the offer), in one
    /// transaction, the way the CLI does; with none, one vote the program refuses.
    pub fn vote(&mut self, voter: &Keypair, offer: &Pubkey, approve: bool) -> Result<u64, Failure> {
        let o: Offer = self.offer_state(offer);
        let bitmap = self
            .env
            .svm
            .get_account(offer)
            .map(|a| data_pool_client::accounts::vote_bitmap(&a.data).to_vec())
            .unwrap_or_default();
        let eligible: Vec<(Pubkey, Contributor)> = self
            .records(&voter.pubkey())
            .into_iter()
            .filter(|(_, c)| {
                c.index < o.snapshot_contributor_count
                    && c.weight > 0
                    && !data_pool_client::accounts::has_voted(&bitmap, c.index)
            })
            .collect();
        let weights: Vec<u64> = eligible.iter().map(|(_, c)| c.weight).collect();
        let counted = data_pool_client::accounts::votes_that_count(&o, approve, &weights)
            .clamp(1, data_pool_client::accounts::RECORDS_PER_TRANSACTION);
        let mut records: Vec<Pubkey> = eligible.iter().take(counted).map(|(k, _)| *k).collect();
        if records.is_empty() {
            records.push(self.any_record(&voter.pubkey()));
        }
        let ixs: Vec<Instruction> = records
            .iter()
            .map(|r| {
                dix::offer_vote(
                    &PROGRAM_ID,
                    &voter.pubkey(),
                    &self.side.pool,
                    offer,
                    r,
                    approve,
                )
            })
            .collect();
        let r = self.env.send_paid(&ixs, &[voter]);
        if r.is_ok() {
            self.side.votes.insert((*offer, voter.pubkey()));
        }
        r
    }

    /// `payout_claim` of record `record` of `wallet` to its claim account.
    pub fn claim_ix(&mut self, wallet: &Pubkey, record: &Pubkey) -> Instruction {
        let dest = self.claim_account(wallet);
        dix::payout_claim(
            &PROGRAM_ID,
            wallet,
            &self.side.pool,
            record,
            &self.side.tokens,
            &dest,
        )
    }

    /// `wallet` claims what each of its records is owed to its claim account, a transaction's
    /// worth of records at a time; owed nothing, one claim the program refuses
    /// (`NothingToClaim`). Returns the compute units of the last transaction.
    pub fn claim(&mut self, wallet: &Keypair) -> Result<u64, Failure> {
        let acc = self.pool_state().acc_reward_per_weight;
        let mut records: Vec<Pubkey> = self
            .records(&wallet.pubkey())
            .into_iter()
            .filter(|(_, c)| c.entitlement(acc).unwrap_or(0) > 0)
            .map(|(k, _)| k)
            .collect();
        if records.is_empty() {
            records.push(self.any_record(&wallet.pubkey()));
        }
        let mut cu = 0;
        for chunk in records.chunks(data_pool_client::accounts::RECORDS_PER_TRANSACTION) {
            let ixs: Vec<Instruction> = chunk
                .iter()
                .map(|r| self.claim_ix(&wallet.pubkey(), r))
                .collect();
            cu = self.env.send_paid(&ixs, &[wallet])?;
        }
        Ok(cu)
    }

    /// What `wallet` could claim now over its records, computed off-chain from state.
    pub fn entitlement(&self, wallet: &Pubkey) -> u64 {
        let acc = self.pool_state().acc_reward_per_weight;
        self.records(wallet)
            .iter()
            .map(|(_, c)| c.entitlement(acc).expect("entitlement"))
            .sum()
    }

    /// The instructions of `wallet` leaving with the record of `hash`: a claim first when it is
    /// owed anything, then `contributor_leave` with the record's rent payer (the env payer when
    /// the record is gone, so the program names what is wrong).
    pub fn leave_ixs(&mut self, wallet: &Pubkey, hash: &[u8; 32]) -> Vec<Instruction> {
        let acc = self.pool_state().acc_reward_per_weight;
        let record = cached::contributor(&self.side.pool, hash);
        let c = self.record(hash);
        let mut ixs = vec![];
        if c.as_ref().and_then(|c| c.entitlement(acc)).unwrap_or(0) > 0 {
            ixs.push(self.claim_ix(wallet, &record));
        }
        let payer = c.map_or(self.env.payer.pubkey(), |c| c.payer);
        ixs.push(dix::contributor_leave(
            &PROGRAM_ID,
            wallet,
            &self.side.pool,
            &payer,
            &crate::person(hash),
        ));
        ixs
    }

    /// Every attestor and custodian record of the current pool with its rent payer: what
    /// `pool_close` takes after its named accounts.
    pub fn registry(&self) -> Vec<(Pubkey, Pubkey)> {
        use data_pool::state::{Attestor, Custodian};
        use data_pool_client::pda::{find_attestor_pda, find_custodian_pda};
        let pool = self.side.pool;
        let mut keys = self.side.attestor_keys.clone();
        keys.insert(self.attestor.pubkey());
        let mut out: Vec<(Pubkey, Pubkey)> = keys
            .iter()
            .filter_map(|k| {
                let r = find_attestor_pda(&PROGRAM_ID, &pool, k).0;
                self.env.get::<Attestor>(&r).map(|a| (r, a.payer))
            })
            .collect();
        let mut keys = self.side.custodian_keys.clone();
        keys.insert(self.custodian.pubkey());
        out.extend(keys.iter().filter_map(|k| {
            let r = find_custodian_pda(&PROGRAM_ID, &pool, k).0;
            self.env.get::<Custodian>(&r).map(|c| (r, c.payer))
        }));
        out
    }
}
