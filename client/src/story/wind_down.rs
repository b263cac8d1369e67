//! The end of a pool in a story: every contributor leaves with its deposit, the curator winds
//! the pool down and, once the claim window is over, closes it with its vaults and registry
//! records, so every lamport of rent goes back to whoever paid it.

use anchor_lang::prelude::Pubkey;
use serde::Serialize;
use solana_signer::Signer;

use super::{Person, Stage, StoryError};
use crate::chain::Chain;
use crate::instructions::{self as ix, PoolTokens};
use crate::pda::find_contributor_pda;
use crate::query;

/// How a pool ended in a story.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ending {
    /// Contributors who left, closing their records.
    pub left: u64,
    /// Lamports of their records' deposits returned to whoever paid them.
    pub deposits_returned: u64,
    /// When contributors' claim window ends (unix seconds).
    pub claims_end: i64,
    /// Whether the pool was closed (after its claim window; the embedded chain's clock is moved
    /// there, a node's is not waited for).
    pub closed: bool,
    /// Lamports of the pool's, its vaults' and its registry records' rent returned at the close.
    pub close_returned: u64,
    /// Base units swept from the vaults at the close (rounding dust and unwithdrawn fees).
    pub swept: u64,
    /// Lamports still held by the pool's accounts at the end (the accepted offers, each the
    /// buyer's license, and everything when the pool could not close yet).
    pub still_locked: u64,
}

impl<'a, C: Chain> Stage<'a, C> {
    /// Every person leaves `pool` (owed nothing: claim first): each record closes and its
    /// deposit goes back to the payer. Returns the lamports returned.
    pub async fn leave(
        &self,
        pool: &Pubkey,
        people: Vec<&Person>,
        concurrency: usize,
    ) -> Result<u64, StoryError> {
        let p = &self.program_id;
        let records: Vec<Pubkey> = people
            .iter()
            .map(|person| find_contributor_pda(p, pool, &person.identity).0)
            .collect();
        let deposits = lamports(self.chain, &records).await?;
        let payer = self.payer.pubkey();
        self.each("leaving", concurrency, people, |person| async move {
            let k = &person.wallet;
            let leave = ix::contributor_leave(p, &k.pubkey(), pool, &payer, &person.identity);
            self.send(&[leave], &[k]).await.map(|_| ())
        })
        .await?;
        Ok(deposits)
    }

    /// The curator (the payer) winds `pool` down; on the embedded chain it then moves the clock
    /// past the claim window and closes the pool, sweeping what is left in its vaults to `to`.
    /// `offers` are the pool's offers, for what stays locked.
    pub async fn wind_down(
        &self,
        pool: &Pubkey,
        to: &Pubkey,
        offers: &[Pubkey],
    ) -> Result<Ending, StoryError> {
        let p = &self.program_id;
        let curator = self.payer.pubkey();
        self.send(&[ix::pool_wind_down(p, &curator, pool)], &[])
            .await?;
        let state = query::pool(self.chain, p, pool).await?;
        let claims_end = state.claims_end().unwrap_or_default();
        let mut ending = Ending {
            claims_end,
            ..Ending::default()
        };
        if self.chain.is_embedded() {
            let wait = claims_end.saturating_sub(self.chain.unix_time().await?);
            self.chain.advance_time(wait.saturating_add(1)).await?;
            let tokens = PoolTokens::of(&state);
            let rewards = query::token_account(self.chain, &state.vault).await?.amount;
            let fees = query::token_account(self.chain, &state.fee_vault)
                .await?
                .amount;
            let registry = query::registry(self.chain, p, pool).await?;
            let mut closing = vec![*pool, state.vault, state.fee_vault];
            closing.extend(registry.iter().map(|(record, _)| *record));
            let rent = lamports(self.chain, &closing).await?;
            let close = ix::pool_close(p, &curator, pool, &state.payer, &tokens, to, &registry);
            self.send(&[close], &[]).await?;
            ending.closed = true;
            ending.swept = rewards.saturating_add(fees);
            ending.close_returned = rent;
        } else {
            self.progress.note(&format!(
                "pool wound down; after its claim window, `datapool pool close {pool}` returns its rent"
            ));
        }
        let mut held = offers.to_vec();
        if !ending.closed {
            held.extend([*pool, state.vault, state.fee_vault]);
        }
        ending.still_locked = lamports(self.chain, &held).await?;
        Ok(ending)
    }
}

/// Σ lamports of `accounts` (0 for those that do not exist).
async fn lamports<C: Chain>(chain: &C, accounts: &[Pubkey]) -> Result<u64, StoryError> {
    Ok(chain
        .get_multiple_accounts(accounts)
        .await?
        .into_iter()
        .flatten()
        .map(|a| a.lamports)
        .fold(0u64, u64::saturating_add))
}
