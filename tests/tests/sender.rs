//! The sender's promises, on the embedded chain behind a misbehaving network: a transaction that
//! is lost in flight is re-signed only after its blockhash expired and lands once; one that landed
//! while the node failed to report it is found and not sent again; transient node errors are
//! retried; a failed simulation sends nothing and names the program error.

use std::cell::Cell;

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::embedded::EmbeddedChain;
use data_pool_client::chain::{
    AccountFilter, Chain, ChainError, Landed, SignatureInfo, Simulation,
};
use data_pool_client::send::{self, SendError, SendOptions};
use data_pool_client::{token, PROGRAM_ID};
use data_pool_tests::program_path;
use solana_account::Account;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The embedded chain with faults: drop the first `drop_sends` transactions, hide landed
/// statuses for `hide_status` polls, fail `fail_requests` requests as unreachable; block height
/// jumps 60 blocks per poll so blockhashes expire quickly.
struct Faulty {
    inner: EmbeddedChain,
    drop_sends: Cell<u32>,
    hide_status: Cell<u32>,
    fail_requests: Cell<u32>,
    height: Cell<u64>,
    sends: Cell<u32>,
}

impl Faulty {
    fn new() -> Self {
        Faulty {
            inner: EmbeddedChain::new(&PROGRAM_ID, &program_path()).expect("chain"),
            drop_sends: Cell::new(0),
            hide_status: Cell::new(0),
            fail_requests: Cell::new(0),
            height: Cell::new(0),
            sends: Cell::new(0),
        }
    }

    fn flaky(&self) -> Result<(), ChainError> {
        if self.fail_requests.get() > 0 {
            self.fail_requests.set(self.fail_requests.get() - 1);
            return Err(ChainError::Unreachable {
                url: "faulty".into(),
                detail: "connection reset".into(),
            });
        }
        Ok(())
    }
}

impl Chain for Faulty {
    fn label(&self) -> String {
        "faulty".into()
    }
    fn is_embedded(&self) -> bool {
        false
    }
    async fn get_account(&self, a: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.inner.get_account(a).await
    }
    async fn get_multiple_accounts(
        &self,
        a: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ChainError> {
        self.inner.get_multiple_accounts(a).await
    }
    async fn get_program_accounts(
        &self,
        p: &Pubkey,
        f: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        self.inner.get_program_accounts(p, f).await
    }
    async fn latest_blockhash(&self) -> Result<(Hash, u64), ChainError> {
        self.flaky()?;
        // A new blockhash per request, as blocks go by on a real cluster.
        Ok((Hash::new_unique(), self.height.get() + 150))
    }
    async fn block_height(&self) -> Result<u64, ChainError> {
        self.height.set(self.height.get() + 60);
        Ok(self.height.get())
    }
    async fn simulate(&self, tx: &Transaction) -> Result<Simulation, ChainError> {
        self.flaky()?;
        self.inner.simulate(tx).await
    }
    async fn send(&self, tx: &Transaction) -> Result<Signature, ChainError> {
        self.flaky()?;
        if self.drop_sends.get() > 0 {
            self.drop_sends.set(self.drop_sends.get() - 1);
            return Ok(tx.signatures[0]);
        }
        self.sends.set(self.sends.get() + 1);
        self.inner.send(tx).await
    }
    async fn status(&self, s: &Signature) -> Result<Option<Landed>, ChainError> {
        if self.hide_status.get() > 0 {
            self.hide_status.set(self.hide_status.get() - 1);
            return Ok(None);
        }
        self.inner.status(s).await
    }
    async fn transaction_logs(&self, s: &Signature) -> Result<Option<Vec<String>>, ChainError> {
        self.inner.transaction_logs(s).await
    }
    async fn rent_exempt_minimum(&self, len: usize) -> Result<u64, ChainError> {
        self.inner.rent_exempt_minimum(len).await
    }
    async fn signatures_for_address(
        &self,
        a: &Pubkey,
        before: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, ChainError> {
        self.inner.signatures_for_address(a, before, limit).await
    }
    async fn unix_time(&self) -> Result<i64, ChainError> {
        self.inner.unix_time().await
    }
    async fn balance(&self, a: &Pubkey) -> Result<u64, ChainError> {
        self.inner.balance(a).await
    }
    async fn airdrop(&self, to: &Pubkey, l: u64) -> Result<(), ChainError> {
        self.inner.airdrop(to, l).await
    }
    async fn advance_time(&self, s: i64) -> Result<(), ChainError> {
        self.inner.advance_time(s).await
    }
}

fn opts() -> SendOptions {
    SendOptions {
        backoff: std::time::Duration::from_millis(1),
        poll_interval: std::time::Duration::from_millis(1),
        rebroadcast_interval: std::time::Duration::from_secs(3600),
        ..SendOptions::default()
    }
}

/// A mint-to of 1 token, which applies visibly each time it lands.
fn setup(chain: &Faulty, rt: &tokio::runtime::Runtime) -> (Keypair, Pubkey, Pubkey) {
    let payer = Keypair::new();
    let mint = Keypair::new();
    let tp = anchor_spl::token::ID;
    rt.block_on(async {
        chain
            .airdrop(&payer.pubkey(), 10_000_000_000)
            .await
            .expect("airdrop");
        let rent = chain
            .rent_exempt_minimum(token::MINT_LEN)
            .await
            .expect("rent");
        let p = payer.pubkey();
        let mut ixs = token::create_mint(&p, &mint.pubkey(), &p, 0, &tp, rent).expect("mint");
        ixs.push(token::create_associated_idempotent(
            &p,
            &p,
            &mint.pubkey(),
            &tp,
        ));
        send::send(chain, &PROGRAM_ID, &ixs, &p, &[&payer, &mint], &opts())
            .await
            .expect("setup");
    });
    let ata = token::associated_address(&payer.pubkey(), &mint.pubkey(), &tp);
    (payer, mint.pubkey(), ata)
}

fn balance(chain: &Faulty, rt: &tokio::runtime::Runtime, ata: &Pubkey) -> u64 {
    rt.block_on(data_pool_client::query::token_account(chain, ata))
        .expect("ata")
        .amount
}

/// Sends a mint of one token to the payer's account (applies visibly each time it lands).
fn mint_one(
    chain: &Faulty,
    rt: &tokio::runtime::Runtime,
    payer: &Keypair,
    mint: &Pubkey,
    ata: &Pubkey,
) -> Result<send::Sent, SendError> {
    let ix = token::mint_to(&anchor_spl::token::ID, mint, ata, &payer.pubkey(), 1, 0).expect("ix");
    rt.block_on(send::send(
        chain,
        &PROGRAM_ID,
        &[ix],
        &payer.pubkey(),
        &[payer],
        &opts(),
    ))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
}

#[test]
fn a_lost_transaction_is_resigned_after_expiry_and_applies_once() {
    let (chain, rt) = (Faulty::new(), runtime());
    let (payer, mint, ata) = setup(&chain, &rt);
    chain.drop_sends.set(2);
    let before = chain.sends.get();
    let sent = mint_one(&chain, &rt, &payer, &mint, &ata).expect("lands in the end");
    assert_eq!(
        sent.signed_times, 3,
        "two lost signatures, then a third that landed"
    );
    assert_eq!(chain.sends.get() - before, 1, "one reached the chain");
    assert_eq!(balance(&chain, &rt, &ata), 1, "applied exactly once");
}

#[test]
fn a_landed_transaction_the_node_did_not_report_is_not_sent_again() {
    let (chain, rt) = (Faulty::new(), runtime());
    let (payer, mint, ata) = setup(&chain, &rt);
    // The node hides the landed status until the blockhash has expired: the final check finds it.
    chain.hide_status.set(3);
    let before = chain.sends.get();
    let sent = mint_one(&chain, &rt, &payer, &mint, &ata).expect("found");
    assert_eq!(sent.signed_times, 1);
    assert_eq!(chain.sends.get() - before, 1, "sent once, never re-signed");
    assert_eq!(balance(&chain, &rt, &ata), 1);
}

#[test]
fn transient_errors_are_retried_and_a_dead_node_is_reported() {
    let (chain, rt) = (Faulty::new(), runtime());
    let (payer, mint, ata) = setup(&chain, &rt);
    chain.fail_requests.set(3); // fewer than the 4 attempts per request
    mint_one(&chain, &rt, &payer, &mint, &ata).expect("retried");
    assert_eq!(balance(&chain, &rt, &ata), 1);
    chain.fail_requests.set(1_000);
    let e = mint_one(&chain, &rt, &payer, &mint, &ata).expect_err("node gone");
    assert!(
        matches!(e, SendError::Chain(ChainError::Unreachable { .. })),
        "{e}"
    );
    chain.fail_requests.set(0);
    assert_eq!(balance(&chain, &rt, &ata), 1, "nothing applied");
}

#[test]
fn a_failing_simulation_sends_nothing_and_names_the_error() {
    let (chain, rt) = (Faulty::new(), runtime());
    let (payer, _, _) = setup(&chain, &rt);
    // Pausing a pool that does not exist: Anchor's AccountNotInitialized from our program.
    let pool = Keypair::new().pubkey();
    let ix = data_pool_client::instructions::pool_pause(&PROGRAM_ID, &payer.pubkey(), &pool);
    let sends = chain.sends.get();
    let e = rt
        .block_on(send::send(
            &chain,
            &PROGRAM_ID,
            &[ix],
            &payer.pubkey(),
            &[&payer],
            &opts(),
        ))
        .expect_err("fails");
    let f = e.failure().expect("decoded");
    assert_eq!(f.name, "AccountNotInitialized");
    assert_eq!(
        f.instruction,
        Some(0),
        "index among the caller's instructions"
    );
    assert_eq!(f.account.as_deref(), Some("pool"));
    assert!(!e.logs().is_empty());
    assert_eq!(chain.sends.get(), sends, "not sent");
}
