//! Sending transactions properly: compute-unit limit from a simulation plus a margin, optional
//! priority fee, retries with backoff on transient node errors, and re-signing on blockhash expiry
//! without ever applying an action twice.
//!
//! Why re-signing is safe: a transaction is only re-signed once the chain's block height has
//! passed the `last_valid_block_height` of the blockhash it was signed with and its signature has
//! still not landed. From then on the old transaction can never be processed, so at most one of
//! the two signed versions can ever apply.

use std::future::Future;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use serde::Serialize;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_signer::{Signer, SignerError};
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::chain::{Chain, ChainError};
use crate::errors::{decode_failure, Failure};
use crate::events::{events_from_logs, DataPoolEvent};

/// The most compute units a transaction may request.
pub const MAX_COMPUTE_UNIT_LIMIT: u32 = 1_400_000;

/// How to send.
#[derive(Clone, Debug)]
pub struct SendOptions {
    /// Priority fee in micro-lamports per compute unit (`--with-compute-unit-price`).
    pub compute_unit_price: Option<u64>,
    /// Extra compute units over the simulation, in percent (at least 1,000 units are added).
    pub compute_unit_margin_percent: u64,
    /// Attempts of each node request before giving up on transient errors.
    pub request_attempts: u32,
    /// First backoff between attempts (doubles each time).
    pub backoff: Duration,
    /// How often to poll for confirmation.
    pub poll_interval: Duration,
    /// How often to rebroadcast the same signed transaction while waiting.
    pub rebroadcast_interval: Duration,
    /// Fresh signatures after blockhash expiry before giving up.
    pub max_resigns: u32,
    /// Give up waiting for a node that keeps failing after this long.
    pub unreachable_timeout: Duration,
    /// Fetch the logs (and decode events) of the landed transaction.
    pub fetch_logs: bool,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            compute_unit_price: None,
            compute_unit_margin_percent: 20,
            request_attempts: 4,
            backoff: Duration::from_millis(250),
            poll_interval: Duration::from_millis(400),
            rebroadcast_interval: Duration::from_secs(2),
            max_resigns: 3,
            unreachable_timeout: Duration::from_secs(20),
            fetch_logs: true,
        }
    }
}

/// A transaction that landed and succeeded.
#[derive(Clone, Debug, Serialize)]
pub struct Sent {
    /// Its signature.
    pub signature: String,
    /// Compute units the simulation used.
    pub compute_units: u64,
    /// The compute-unit limit requested (0: none, the runtime's default).
    pub compute_unit_limit: u32,
    /// Signatures made (1 unless the blockhash expired in flight).
    pub signed_times: u32,
    /// Program logs, when the chain keeps them.
    #[serde(skip)]
    pub logs: Vec<String>,
    /// data-pool events the transaction emitted.
    #[serde(skip)]
    pub events: Vec<DataPoolEvent>,
}

/// Why sending failed. Nothing was applied in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The simulation failed: the transaction was not sent.
    #[error("the transaction would fail: {failure}")]
    Simulation {
        /// The decoded error.
        failure: Box<Failure>,
        /// Program logs of the simulation.
        logs: Vec<String>,
    },
    /// It landed and failed (state unchanged, fee paid).
    #[error("transaction {signature} failed: {failure}")]
    Failed {
        /// Its signature.
        signature: String,
        /// The decoded error.
        failure: Box<Failure>,
        /// Program logs.
        logs: Vec<String>,
    },
    /// The node refused it before running it.
    #[error("the node refused the transaction: {0}")]
    Refused(Box<Failure>),
    /// The node could not be used.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Signing failed (a required signer is missing).
    #[error("cannot sign: {0}")]
    Signing(String),
    /// A transaction signed at a given blockhash was not seen before that blockhash expired.
    #[error("the blockhash expired before the transaction landed; nothing was applied: sign it again at a newer blockhash")]
    Expired,
    /// The blockhash expired again and again.
    #[error("the transaction did not land after {0} signatures; the network may be congested: try --with-compute-unit-price")]
    NotLanded(u32),
}

impl SendError {
    /// The decoded program/transaction error, if the chain gave one.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            SendError::Simulation { failure, .. }
            | SendError::Failed { failure, .. }
            | SendError::Refused(failure) => Some(failure.as_ref()),
            _ => None,
        }
    }

    /// Program logs that explain the failure.
    pub fn logs(&self) -> &[String] {
        match self {
            SendError::Simulation { logs, .. } | SendError::Failed { logs, .. } => logs,
            _ => &[],
        }
    }
}

/// Calls `f` until it succeeds, fails for good, or `opts.request_attempts` transient failures.
pub async fn with_retries<T, F, Fut>(opts: &SendOptions, mut f: F) -> Result<T, ChainError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ChainError>>,
{
    let mut wait = opts.backoff;
    let mut attempt = 1;
    loop {
        match f().await {
            Err(e) if e.is_transient() && attempt < opts.request_attempts => {
                tokio::time::sleep(wait).await;
                wait = wait.saturating_mul(2);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// `ixs` behind the compute-budget instructions; also returns how many were put in front.
fn with_budget(limit: u32, price: Option<u64>, ixs: &[Instruction]) -> (Vec<Instruction>, usize) {
    let mut v = vec![ComputeBudgetInstruction::set_compute_unit_limit(limit)];
    if let Some(p) = price {
        v.push(ComputeBudgetInstruction::set_compute_unit_price(p));
    }
    let prefix = v.len();
    v.extend_from_slice(ixs);
    (v, prefix)
}

/// Which of a message's signers sign.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Signing {
    /// Every required signer is given and signs.
    Every,
    /// Every required signer is given; interactive ones (a hardware wallet) are not asked, for
    /// a simulation that does not check signatures.
    Quietly,
    /// Those given sign; a missing one, or one that cannot sign (a public key alone), leaves
    /// its signature empty (offline signing).
    Partly,
}

/// `ixs` paid by `payer` at `blockhash`, signed by those of `signers` the message needs, as
/// `how` says.
fn sign<S: Signer + ?Sized>(
    ixs: &[Instruction],
    payer: &Pubkey,
    signers: &[&S],
    blockhash: Hash,
    how: Signing,
) -> Result<Transaction, SendError> {
    let mut tx = Transaction::new_with_payer(ixs, Some(payer));
    let required = &tx.message.account_keys[..tx.message.header.num_required_signatures as usize];
    let mut use_signers: Vec<&S> = Vec::new();
    for k in required {
        match signers.iter().find(|s| s.pubkey() == *k) {
            Some(s) if how == Signing::Quietly && s.is_interactive() => {}
            Some(s) => use_signers.push(s),
            None if how == Signing::Partly => {}
            None => return Err(SendError::Signing(format!("no keypair for signer {k}"))),
        }
    }
    let signed = if how == Signing::Every {
        tx.try_sign(&use_signers, blockhash)
    } else {
        tx.try_partial_sign(&use_signers, blockhash)
    };
    signed.map_err(signing_error)?;
    Ok(tx)
}

fn signing_error(e: SignerError) -> SendError {
    SendError::Signing(match e {
        SignerError::PresignerError(_) => "a signature made offline does not match this \
            transaction (it was signed with other arguments or at another blockhash)"
            .to_string(),
        SignerError::UserCancel(why) => format!("the signer declined: {why}"),
        other => other.to_string(),
    })
}

/// `ixs` at a blockhash given by the user (`--blockhash`), signed by those of `signers` that can
/// sign: for signing offline and for sending what was signed offline. Both sides must build the
/// same bytes, so the message carries no compute-unit limit (the runtime's default of 200,000
/// units per instruction) and a priority fee only if one is given.
pub fn sign_at_blockhash<S: Signer + ?Sized>(
    ixs: &[Instruction],
    payer: &Pubkey,
    signers: &[&S],
    blockhash: Hash,
    compute_unit_price: Option<u64>,
) -> Result<Transaction, SendError> {
    let mut all = Vec::with_capacity(ixs.len().saturating_add(1));
    if let Some(p) = compute_unit_price {
        all.push(ComputeBudgetInstruction::set_compute_unit_price(p));
    }
    all.extend_from_slice(ixs);
    sign(&all, payer, signers, blockhash, Signing::Partly)
}

/// Sends a transaction built by [`sign_at_blockhash`] once every signature is present: simulates
/// it, sends it and waits. It is never re-signed (its signers may be offline): if its blockhash
/// expires first, [`SendError::Expired`] says so and nothing was applied.
pub async fn send_signed<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    tx: &Transaction,
    ixs: &[Instruction],
    opts: &SendOptions,
) -> Result<Sent, SendError> {
    if let Some(k) = missing_signers(tx).first() {
        return Err(SendError::Signing(format!("no signature for signer {k}")));
    }
    let prefix = tx.message.instructions.len().saturating_sub(ixs.len());
    let sim = with_retries(opts, || chain.simulate(tx)).await?;
    if let Some(err) = sim.err {
        return Err(SendError::Simulation {
            failure: Box::new(decode_failure(program_id, ixs, prefix, &err, &sim.logs)),
            logs: sim.logs,
        });
    }
    // The given blockhash is no newer than the latest, so it expires no later than this height.
    let (_, last_valid) = with_retries(opts, || chain.latest_blockhash()).await?;
    let landed = send_and_wait(chain, program_id, tx, ixs, prefix, last_valid, opts).await?;
    match landed {
        Some(mut sent) => {
            sent.compute_units = sim.units_consumed;
            Ok(sent)
        }
        None => Err(SendError::Expired),
    }
}

/// The signers a transaction still needs: required signers whose signature is empty.
pub fn missing_signers(tx: &Transaction) -> Vec<Pubkey> {
    let required = tx.message.header.num_required_signatures as usize;
    tx.message.account_keys[..required]
        .iter()
        .zip(&tx.signatures)
        .filter(|(_, s)| **s == Signature::default())
        .map(|(k, _)| *k)
        .collect()
}

/// Simulates `ixs` (paid by `payer`, signed by `signers`) and returns the units they use, or the
/// decoded failure. Interactive signers (a hardware wallet) are not asked when the chain's
/// simulation does not verify signatures (a node's), so a person approves only the transaction
/// that is sent.
pub async fn simulate<C: Chain, S: Signer + ?Sized>(
    chain: &C,
    program_id: &Pubkey,
    ixs: &[Instruction],
    payer: &Pubkey,
    signers: &[&S],
    opts: &SendOptions,
) -> Result<u64, SendError> {
    let (all, prefix) = with_budget(MAX_COMPUTE_UNIT_LIMIT, opts.compute_unit_price, ixs);
    let (hash, _) = with_retries(opts, || chain.latest_blockhash()).await?;
    let how = if chain.simulation_verifies_signatures() {
        Signing::Every
    } else {
        Signing::Quietly
    };
    let tx = sign(&all, payer, signers, hash, how)?;
    let sim = with_retries(opts, || chain.simulate(&tx)).await?;
    match sim.err {
        None => Ok(sim.units_consumed),
        Some(err) => Err(SendError::Simulation {
            failure: Box::new(decode_failure(program_id, ixs, prefix, &err, &sim.logs)),
            logs: sim.logs,
        }),
    }
}

/// The least compute-unit headroom above the simulated cost. The state can change between
/// simulation and execution (a vote simulated while the offer is undecided lands after the votes
/// decided it), and the error path then costs more than the path simulated: logging a named
/// program error takes about 1,500 CU. Without this floor a cheap instruction (a vote: 2,241 CU)
/// runs out of compute instead of reporting its error.
pub const MIN_CU_MARGIN: u64 = 5_000;

/// Simulates, then sends `ixs` and waits until they land at the chain's commitment.
pub async fn send<C: Chain, S: Signer + ?Sized>(
    chain: &C,
    program_id: &Pubkey,
    ixs: &[Instruction],
    payer: &Pubkey,
    signers: &[&S],
    opts: &SendOptions,
) -> Result<Sent, SendError> {
    let units = simulate(chain, program_id, ixs, payer, signers, opts).await?;
    let margin = (units.saturating_mul(opts.compute_unit_margin_percent) / 100).max(MIN_CU_MARGIN);
    let limit = u32::try_from(units.saturating_add(margin))
        .unwrap_or(MAX_COMPUTE_UNIT_LIMIT)
        .min(MAX_COMPUTE_UNIT_LIMIT);
    let (all, prefix) = with_budget(limit, opts.compute_unit_price, ixs);

    for signed_times in 1..=opts.max_resigns.saturating_add(1) {
        let (hash, last_valid) = with_retries(opts, || chain.latest_blockhash()).await?;
        let tx = sign(&all, payer, signers, hash, Signing::Every)?;
        if let Some(mut sent) =
            send_and_wait(chain, program_id, &tx, ixs, prefix, last_valid, opts).await?
        {
            sent.compute_units = units;
            sent.compute_unit_limit = limit;
            sent.signed_times = signed_times;
            return Ok(sent);
        }
        // Expired unseen: the old signature can never land; sign again.
    }
    Err(SendError::NotLanded(opts.max_resigns.saturating_add(1)))
}

/// Sends a signed `tx` and waits: `Some` once it landed and succeeded, `None` if its blockhash
/// (valid up to `last_valid`) expired without it landing.
async fn send_and_wait<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    tx: &Transaction,
    ixs: &[Instruction],
    prefix: usize,
    last_valid: u64,
    opts: &SendOptions,
) -> Result<Option<Sent>, SendError> {
    let signature = tx.signatures[0];
    match with_retries(opts, || chain.send(tx)).await {
        Ok(_) => {}
        Err(ChainError::Rejected(TransactionError::AlreadyProcessed)) => {}
        Err(ChainError::Rejected(err)) => {
            return Err(SendError::Refused(Box::new(decode_failure(
                program_id,
                ixs,
                prefix,
                &err,
                &[],
            ))))
        }
        // It may have reached the node anyway: find out by polling below.
        Err(e) if e.is_transient() => {}
        Err(e) => return Err(e.into()),
    }
    let Some(landed) = wait_for(chain, tx, &signature, last_valid, opts).await? else {
        return Ok(None);
    };
    let mut logs = landed.logs.unwrap_or_default();
    if logs.is_empty() && opts.fetch_logs {
        logs = fetch_logs(chain, &signature, opts).await;
    }
    if let Some(err) = landed.err {
        return Err(SendError::Failed {
            signature: signature.to_string(),
            failure: Box::new(decode_failure(program_id, ixs, prefix, &err, &logs)),
            logs,
        });
    }
    Ok(Some(Sent {
        signature: signature.to_string(),
        compute_units: 0,
        compute_unit_limit: 0,
        signed_times: 1,
        events: events_from_logs(program_id, &logs),
        logs,
    }))
}

/// Polls until `signature` lands (`Some`) or its blockhash has expired without it (`None`).
async fn wait_for<C: Chain>(
    chain: &C,
    tx: &Transaction,
    signature: &Signature,
    last_valid: u64,
    opts: &SendOptions,
) -> Result<Option<crate::chain::Landed>, SendError> {
    let mut last_ok = tokio::time::Instant::now();
    let mut last_broadcast = tokio::time::Instant::now();
    loop {
        match chain.status(signature).await {
            Ok(Some(l)) => return Ok(Some(l)),
            Ok(None) => {
                last_ok = tokio::time::Instant::now();
                match chain.block_height().await {
                    Ok(h) if h > last_valid => {
                        // One last look: it may have landed in the final valid block.
                        return Ok(with_retries(opts, || chain.status(signature)).await?);
                    }
                    Ok(_) => {}
                    Err(e) if e.is_transient() => {}
                    Err(e) => return Err(e.into()),
                }
                if last_broadcast.elapsed() >= opts.rebroadcast_interval {
                    last_broadcast = tokio::time::Instant::now();
                    // Same bytes, same signature: cannot apply twice.
                    let _ = chain.send(tx).await;
                }
            }
            Err(e) if e.is_transient() => {
                if last_ok.elapsed() > opts.unreachable_timeout {
                    return Err(e.into());
                }
            }
            Err(e) => return Err(e.into()),
        }
        tokio::time::sleep(opts.poll_interval).await;
    }
}

async fn fetch_logs<C: Chain>(chain: &C, signature: &Signature, opts: &SendOptions) -> Vec<String> {
    for _ in 0..10 {
        match chain.transaction_logs(signature).await {
            Ok(Some(logs)) => return logs,
            Ok(None) | Err(_) => tokio::time::sleep(opts.poll_interval).await,
        }
    }
    Vec::new()
}
