//! The invariants of docs/PROTOCOL.md over a test world, checked by the auditor's own checker.

use std::collections::BTreeSet;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{Attestor, Offer};

use crate::*;

impl World {
    /// The pool as the auditor sees it: every account of the current pool this world created
    /// (contributor records, offers with their escrows and vote bitmaps, attestors), read
    /// from the chain.
    pub fn audit_snapshot(&self) -> data_pool_client::checks::PoolSnapshot {
        let pool = self.pool_state();
        let contributors = self.all_records();
        let offers: Vec<(Pubkey, Offer)> = self
            .side
            .offers
            .iter()
            .filter_map(|k| self.env.get::<Offer>(k).map(|o| (*k, o)))
            .collect();
        let bitmaps = offers
            .iter()
            .map(|(k, _)| {
                let a = self.env.svm.get_account(k).expect("offer exists");
                data_pool_client::accounts::vote_bitmap(&a.data).to_vec()
            })
            .collect();
        let attestors = self
            .side
            .attestor_keys
            .iter()
            .chain(std::iter::once(&self.attestor.pubkey()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|key| {
                let k = cached::attestor(&self.side.pool, key);
                self.env.get::<Attestor>(&k).map(|a| (k, a))
            })
            .collect();
        let custodians = self
            .side
            .custodian_keys
            .iter()
            .filter_map(|key| {
                let k =
                    data_pool_client::pda::find_custodian_pda(&PROGRAM_ID, &self.side.pool, key).0;
                self.env
                    .get::<data_pool::state::Custodian>(&k)
                    .map(|c| (k, c))
            })
            .collect();
        let escrows = offers
            .iter()
            .map(|(o, _)| self.env.token_amount(&cached::escrow(o)))
            .collect();
        data_pool_client::checks::PoolSnapshot {
            address: self.side.pool,
            vault_amount: self.env.balance(&pool.vault),
            fee_vault_amount: self.env.balance(&pool.fee_vault),
            pool,
            contributors,
            offers,
            bitmaps,
            attestors,
            custodians,
            escrows,
        }
    }

    /// Asserts the invariants of docs/PROTOCOL.md through the auditor's own checker
    /// ([`data_pool_client::checks::check_snapshot`]), the one `datapool audit` runs.
    #[track_caller]
    pub fn check_invariants(&self) {
        let checks = data_pool_client::checks::check_snapshot(&self.audit_snapshot());
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}. {}: {} {:?}", c.number, c.name, c.detail, c.findings))
            .collect();
        assert!(
            failed.is_empty(),
            "invariants violated:\n{}",
            failed.join("\n")
        );
    }

    /// Σ of every token account this world knows about, escrows included: must equal `minted`.
    pub fn tokens_in_existence(&self) -> u64 {
        let mut total: u64 = self
            .token_accounts
            .iter()
            .map(|a| self.env.balance(a))
            .sum();
        for offer in &self.side.offers {
            total += self.env.balance(&cached::escrow(offer));
        }
        total
    }
}
