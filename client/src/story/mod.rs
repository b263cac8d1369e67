//! The sale cycle as a story any chain can be told: one engine behind the `datapool demo`, the
//! benchmark's full cycle and throughput runs, and the validator end-to-end test.
//!
//! A [`Stage`] holds the chain, the program, who pays and how to send; its steps are the acts of
//! the story (a market with a payout mint and a funded buyer, a pool with attestors, attested
//! contributions, an offer, votes, finalize, claims, the fee withdrawal), each sending as many
//! transactions at once as asked. [`unwrapped`] strings them together into the Unwrapped sale.
//! Progress goes to a [`Progress`] the caller chooses (a terminal bar, a log line, nothing).

mod data;
pub mod unwrapped;
mod wind_down;

pub use data::synthetic_records;
pub use wind_down::Ending;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use futures::stream::{self, StreamExt};
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::attestation::{sign_attestation, Attested};
use crate::chain::{Chain, ChainError};
use crate::events::DataPoolEvent;
use crate::instructions::{self as ix, ContributionSubmitArgs, PoolCreateArgs, PoolTokens};
use crate::query::{self, QueryError};
use crate::send::{self, SendError, SendOptions, Sent};
use crate::token;

/// Lamports in one SOL.
pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;

/// Why a story stopped.
#[derive(Debug, thiserror::Error)]
pub enum StoryError {
    /// A parameter is out of range; nothing was sent.
    #[error("{0}")]
    Input(String),
    /// A transaction failed or could not be sent.
    #[error(transparent)]
    Send(#[from] SendError),
    /// Reading the chain failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The node could not be used.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Something the story expected did not happen.
    #[error("{0}")]
    Failed(String),
    /// The store could not be used.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl StoryError {
    /// The name of the program error behind it, when there is one.
    pub fn program_error(&self) -> Option<&str> {
        match self {
            StoryError::Send(e) => e.failure().map(|f| f.name.as_str()),
            _ => None,
        }
    }
}

/// Where a story reports its progress: a phase starts with a number of steps, steps finish, the
/// phase ends. Implementations must be cheap; steps finish concurrently.
pub trait Progress: Sync {
    /// A phase of `total` steps begins.
    fn start(&self, _label: &'static str, _total: u64) {}
    /// One step of the current phase finished.
    fn step(&self) {}
    /// The current phase ended.
    fn finish(&self) {}
    /// A line worth telling (the pool's address, a wait).
    fn note(&self, _line: &str) {}
}

/// Progress that goes nowhere.
pub struct Silent;

impl Progress for Silent {}

/// Progress as plain lines on stderr (for logs and CI).
pub struct Lines;

impl Progress for Lines {
    fn start(&self, label: &'static str, total: u64) {
        eprintln!("  {label:<14} {total} to do");
    }
    fn note(&self, line: &str) {
        eprintln!("  {line}");
    }
}

/// Transactions sent by a stage and the compute units they used.
#[derive(Debug, Default)]
pub struct Tally {
    transactions: AtomicU64,
    compute_units: AtomicU64,
}

impl Tally {
    /// Transactions sent so far.
    pub fn transactions(&self) -> u64 {
        self.transactions.load(Relaxed)
    }
    /// Compute units used so far.
    pub fn compute_units(&self) -> u64 {
        self.compute_units.load(Relaxed)
    }
    fn add(&self, s: &Sent) {
        self.transactions.fetch_add(1, Relaxed);
        self.compute_units.fetch_add(s.compute_units, Relaxed);
    }
}

/// A payout mint, its authority's token account and a funded buyer.
pub struct Market {
    /// The mint (SPL Token, its authority is the stage's payer).
    pub mint: Keypair,
    /// Its decimals.
    pub decimals: u8,
    /// Token program.
    pub token_program: Pubkey,
    /// The payer's associated token account (fees are withdrawn to it).
    pub payer_account: Pubkey,
    /// The buyer.
    pub buyer: Keypair,
    /// The buyer's associated token account, holding the funds.
    pub buyer_account: Pubkey,
}

/// A contributor of a story: a wallet, the hash of its data and its attested score.
pub struct Person {
    /// The wallet.
    pub wallet: Keypair,
    /// The person's identity commitment (what an attestor derives from their export).
    pub identity: [u8; 32],
    /// Canonical data hash.
    pub data_hash: [u8; 32],
    /// Attested score.
    pub score: u64,
}

/// A keypair derived from a label, so a seeded story replays with the same wallets.
pub fn derived_keypair(label: &str) -> Keypair {
    let h: [u8; 32] = Sha256::digest(label.as_bytes()).into();
    Keypair::new_from_array(h)
}

/// The chain, the program, who pays, how to send, and where progress goes.
pub struct Stage<'a, C: Chain> {
    /// The chain.
    pub chain: &'a C,
    /// The data-pool program id.
    pub program_id: Pubkey,
    /// Pays every fee and rent (the relayer pattern: contributors and voters need no SOL).
    pub payer: Keypair,
    /// How transactions are sent.
    pub send_opts: SendOptions,
    /// Where progress goes.
    pub progress: &'a dyn Progress,
    /// Transactions sent and compute units used.
    pub tally: Tally,
}

impl<'a, C: Chain> Stage<'a, C> {
    /// A stage paid for by `payer`.
    pub fn new(
        chain: &'a C,
        program_id: Pubkey,
        payer: Keypair,
        progress: &'a dyn Progress,
    ) -> Self {
        Stage {
            chain,
            program_id,
            payer,
            send_opts: SendOptions::default(),
            progress,
            tally: Tally::default(),
        }
    }

    /// Makes sure the payer holds `lamports`, from the faucet if it does not.
    pub async fn ensure_funded(&self, lamports: u64) -> Result<(), StoryError> {
        let who = self.payer.pubkey();
        let have = self.chain.balance(&who).await?;
        if have < lamports {
            self.chain.airdrop(&who, lamports - have).await.map_err(|e| {
                StoryError::Failed(format!(
                    "{who} holds {} lamports, the story needs about {lamports}, and the faucet refused: {e}",
                    have
                ))
            })?;
        }
        Ok(())
    }

    /// Sends `ixs` paid by the payer and signed by `signers`, counting it in the tally.
    pub async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, StoryError> {
        let mut all = vec![&self.payer];
        all.extend_from_slice(signers);
        let sent = send::send(
            self.chain,
            &self.program_id,
            ixs,
            &self.payer.pubkey(),
            &all,
            &self.send_opts,
        )
        .await?;
        self.tally.add(&sent);
        Ok(sent)
    }

    /// Runs `f` on every item, `concurrency` at a time, as phase `label`; fails on the first
    /// error, and returns the results in the order the items were given.
    pub async fn each<I, R, Fut>(
        &self,
        label: &'static str,
        concurrency: usize,
        items: Vec<I>,
        f: impl Fn(I) -> Fut,
    ) -> Result<Vec<R>, StoryError>
    where
        Fut: std::future::Future<Output = Result<R, StoryError>>,
    {
        self.progress.start(label, items.len() as u64);
        let mut results: Vec<(usize, Result<R, StoryError>)> =
            stream::iter(items.into_iter().enumerate())
                .map(|(i, item)| {
                    let fut = f(item);
                    async move {
                        let r = fut.await;
                        self.progress.step();
                        (i, r)
                    }
                })
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
        self.progress.finish();
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    /// A new payout mint (SPL Token, `decimals`), the payer's token account, and a buyer holding
    /// `buyer_funds` base units.
    pub async fn market(
        &self,
        decimals: u8,
        buyer: Keypair,
        buyer_funds: u64,
    ) -> Result<Market, StoryError> {
        let mint = Keypair::new();
        let tp = anchor_spl::token::ID;
        let me = self.payer.pubkey();
        let rent = self.chain.rent_exempt_minimum(token::MINT_LEN).await?;
        let mut ixs = token::create_mint(&me, &mint.pubkey(), &me, decimals, &tp, rent)
            .map_err(StoryError::Failed)?;
        let payer_account = token::associated_address(&me, &mint.pubkey(), &tp);
        ixs.push(token::create_associated_idempotent(
            &me,
            &me,
            &mint.pubkey(),
            &tp,
        ));
        let buyer_account = token::associated_address(&buyer.pubkey(), &mint.pubkey(), &tp);
        ixs.push(token::create_associated_idempotent(
            &me,
            &buyer.pubkey(),
            &mint.pubkey(),
            &tp,
        ));
        ixs.push(
            token::mint_to(
                &tp,
                &mint.pubkey(),
                &buyer_account,
                &me,
                buyer_funds,
                decimals,
            )
            .map_err(StoryError::Failed)?,
        );
        self.send(&ixs, &[&mint]).await?;
        Ok(Market {
            mint,
            decimals,
            token_program: tp,
            payer_account,
            buyer,
            buyer_account,
        })
    }

    /// A pool of `market`'s mint curated by the payer, with `attestors` and `custodians`
    /// registered.
    pub async fn pool(
        &self,
        market: &Market,
        args: PoolCreateArgs,
        attestors: &[Keypair],
        custodians: &[Keypair],
    ) -> Result<Pubkey, StoryError> {
        let me = self.payer.pubkey();
        let p = &self.program_id;
        let create = ix::pool_create(
            p,
            &me,
            &me,
            &market.mint.pubkey(),
            &market.token_program,
            args,
        );
        let pool = create.accounts[2].pubkey;
        let mut ixs = vec![create];
        ixs.extend(
            attestors
                .iter()
                .map(|k| ix::attestor_add(p, &me, &me, &pool, &k.pubkey())),
        );
        ixs.extend(
            custodians
                .iter()
                .map(|k| ix::custodian_add(p, &me, &me, &pool, &k.pubkey())),
        );
        self.send(&ixs, &[]).await?;
        Ok(pool)
    }

    /// Every person contributes, attested by `attestors` in turn, `concurrency` at a time.
    pub async fn contribute(
        &self,
        pool: &Pubkey,
        people: &[Person],
        attestors: &[Keypair],
        concurrency: usize,
    ) -> Result<(), StoryError> {
        if attestors.is_empty() {
            return Err(StoryError::Input(
                "a story needs at least one attestor".into(),
            ));
        }
        let expires_at = self.chain.unix_time().await?.saturating_add(3_600);
        let p = &self.program_id;
        let items: Vec<_> = people.iter().enumerate().collect();
        self.each(
            "contributions",
            concurrency,
            items,
            |(i, person)| async move {
                let attested = Attested {
                    contributor: person.wallet.pubkey(),
                    identity: person.identity,
                    data_hash: person.data_hash,
                    score: person.score,
                };
                let att = sign_attestation(
                    p,
                    pool,
                    &attested,
                    expires_at,
                    &attestors[i % attestors.len()],
                );
                let args = ContributionSubmitArgs {
                    identity: person.identity,
                    data_hash: person.data_hash,
                    score: person.score,
                    expires_at,
                };
                let submit = ix::contribution_submit(
                    p,
                    &self.payer.pubkey(),
                    &person.wallet.pubkey(),
                    pool,
                    &att.attestor,
                    args,
                );
                self.send(&[att.verify_ix(), submit], &[&person.wallet])
                    .await
                    .map(|_| ())
            },
        )
        .await?;
        Ok(())
    }

    /// Casts `votes`, `concurrency` at a time. Returns, per vote, whether it counted: once the
    /// votes decide the offer the program takes no more, and a vote then refused
    /// (`OfferAlreadyDecided`) is reported as `false`.
    pub async fn vote(
        &self,
        pool: &Pubkey,
        offer: &Pubkey,
        votes: Vec<(&Person, bool)>,
        concurrency: usize,
    ) -> Result<Vec<bool>, StoryError> {
        let p = &self.program_id;
        self.each(
            "votes",
            concurrency,
            votes,
            |(person, approve)| async move {
                let k = &person.wallet;
                let record = crate::pda::find_contributor_pda(p, pool, &person.identity).0;
                let i = ix::offer_vote(p, &k.pubkey(), pool, offer, &record, approve);
                match self.send(&[i], &[k]).await {
                    Ok(_) => Ok(true),
                    Err(e) if e.program_error() == Some("OfferAlreadyDecided") => Ok(false),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }

    /// Waits until `offer` is decided (advancing the clock on an embedded chain), then settles it.
    pub async fn finalize(
        &self,
        pool: &Pubkey,
        offer: &Pubkey,
    ) -> Result<data_pool::state::Offer, StoryError> {
        let p = &self.program_id;
        let o = query::offer(self.chain, p, offer).await?;
        if o.outcome(self.chain.unix_time().await?).is_none() {
            let wait = o.voting_ends_at - self.chain.unix_time().await? + 1;
            if self.chain.is_embedded() {
                self.chain.advance_time(wait).await?;
            } else {
                self.progress
                    .note(&format!("waiting {wait} s for the voting period to end"));
                while o.outcome(self.chain.unix_time().await?).is_none() {
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                }
            }
        }
        let tokens = PoolTokens::of(&query::pool(self.chain, p, pool).await?);
        let fin = ix::offer_finalize(p, pool, offer, &tokens, &o.refund_account, &o.payer);
        self.send(&[fin], &[]).await?;
        Ok(query::offer(self.chain, p, offer).await?)
    }

    /// Every person claims what its record is owed into its wallet's associated token account
    /// (created in the same transaction), `concurrency` at a time. Returns the amounts, in the
    /// given order; a record owed nothing gets 0.
    pub async fn claim(
        &self,
        pool: &Pubkey,
        people: Vec<&Person>,
        concurrency: usize,
    ) -> Result<Vec<u64>, StoryError> {
        let p = &self.program_id;
        let tokens = PoolTokens::of(&query::pool(self.chain, p, pool).await?);
        let tokens = &tokens;
        self.each("claims", concurrency, people, |person| async move {
            let k = &person.wallet;
            let record = crate::pda::find_contributor_pda(p, pool, &person.identity).0;
            let ata = token::associated_address(&k.pubkey(), &tokens.mint, &tokens.token_program);
            let ixs = [
                token::create_associated_idempotent(
                    &self.payer.pubkey(),
                    &k.pubkey(),
                    &tokens.mint,
                    &tokens.token_program,
                ),
                ix::payout_claim(p, &k.pubkey(), pool, &record, tokens, &ata),
            ];
            match self.send(&ixs, &[k]).await {
                Ok(s) => match s.events.iter().find_map(|e| match e {
                    DataPoolEvent::PayoutClaimed(c) => Some(c.amount),
                    _ => None,
                }) {
                    Some(v) => Ok(v),
                    None => Ok(query::token_account(self.chain, &ata).await?.amount),
                },
                Err(e) if e.program_error() == Some("NothingToClaim") => Ok(0),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// The curator (the payer) withdraws every fee not yet withdrawn to `to`.
    pub async fn withdraw_fees(&self, pool: &Pubkey, to: &Pubkey) -> Result<Sent, StoryError> {
        let p = &self.program_id;
        let tokens = PoolTokens::of(&query::pool(self.chain, p, pool).await?);
        let w = ix::fees_withdraw(p, &self.payer.pubkey(), pool, &tokens, to, None);
        self.send(&[w], &[]).await
    }
}
