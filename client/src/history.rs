//! A pool's history rebuilt from the program's events: the signatures of every transaction that
//! touched the pool (and its offers), their logs, and the Anchor events in them.

use std::collections::HashSet;

use anchor_lang::prelude::Pubkey;
use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::Value;
use solana_signature::Signature;

use crate::chain::{Chain, ChainError, SignatureInfo};
use crate::events::{decode_event, event_json, raw_events_from_logs, DataPoolEvent};

/// Signatures fetched per `getSignaturesForAddress` page.
const PAGE: usize = 1_000;

/// A transaction and its logs (`None` when the node no longer has them).
type Fetched = Result<(SignatureInfo, Option<Vec<String>>), ChainError>;

/// One event of the pool's history.
#[derive(Clone, Debug, Serialize)]
pub struct HistoryEvent {
    /// The transaction.
    pub signature: String,
    /// Its slot.
    pub slot: u64,
    /// Its block time.
    #[serde(rename = "blockTime")]
    pub block_time: Option<i64>,
    /// Event name.
    pub name: String,
    /// Event fields (camelCase).
    pub data: Value,
    /// The typed event.
    #[serde(skip)]
    pub event: DataPoolEvent,
}

/// Every signature that touched `address`, oldest first (all pages).
pub async fn all_signatures<C: Chain>(
    chain: &C,
    address: &Pubkey,
) -> Result<Vec<SignatureInfo>, ChainError> {
    let mut out: Vec<SignatureInfo> = Vec::new();
    let mut before: Option<Signature> = None;
    loop {
        let page = chain.signatures_for_address(address, before, PAGE).await?;
        let done = page.len() < PAGE;
        before = page.last().map(|s| s.signature);
        out.extend(page);
        if done || before.is_none() {
            break;
        }
    }
    out.reverse();
    Ok(out)
}

fn pool_of(e: &DataPoolEvent) -> Pubkey {
    use DataPoolEvent::*;
    match e {
        PoolCreated(x) => x.pool,
        PoolUpdated(x) => x.pool,
        PoolPauseChanged(x) => x.pool,
        PoolWoundDown(x) => x.pool,
        PoolClosed(x) => x.pool,
        AuthorityProposed(x) => x.pool,
        AuthorityChanged(x) => x.pool,
        AttestorAdded(x) => x.pool,
        AttestorRemoved(x) => x.pool,
        CustodianAdded(x) => x.pool,
        CustodianRemoved(x) => x.pool,
        ContributionSubmitted(x) => x.pool,
        ContributionRemoved(x) => x.pool,
        ContributorClosed(x) => x.pool,
        OfferCreated(x) => x.pool,
        VoteCast(x) => x.pool,
        OfferApproved(x) => x.pool,
        OfferAccepted(x) => x.pool,
        OfferRejected(x) => x.pool,
        OfferCancelled(x) => x.pool,
        OfferRefunded(x) => x.pool,
        OfferClosed(x) => x.pool,
        PayoutClaimed(x) => x.pool,
        FeesWithdrawn(x) => x.pool,
        VoteBitmapReleased(x) => x.pool,
    }
}

/// The events of `pool` in chain order, from the transactions that touched the pool (every
/// instruction of the program names its pool). `concurrency` transactions are fetched at once.
pub async fn pool_history<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
    concurrency: usize,
) -> Result<(Vec<HistoryEvent>, usize), ChainError> {
    let mut sigs: Vec<SignatureInfo> = Vec::new();
    let mut seen = HashSet::new();
    for s in all_signatures(chain, pool).await? {
        if !s.failed && seen.insert(s.signature) {
            sigs.push(s);
        }
    }
    sigs.sort_by_key(|s| (s.slot, s.index.unwrap_or(0)));
    let fetched: Vec<Fetched> = stream::iter(sigs.iter().cloned())
        .map(|s| async move {
            let logs = crate::send::with_retries(&crate::send::SendOptions::default(), || {
                chain.transaction_logs(&s.signature)
            })
            .await?;
            Ok((s, logs))
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    let transactions = fetched.len();
    for r in fetched {
        let (s, logs) = r?;
        let Some(logs) = logs else { continue };
        for raw in raw_events_from_logs(program_id, &logs) {
            let Some(Ok(event)) = decode_event(&raw) else {
                continue;
            };
            if pool_of(&event) != *pool {
                continue;
            }
            let json = event_json(&raw).unwrap_or(Value::Null);
            out.push(HistoryEvent {
                signature: s.signature.to_string(),
                slot: s.slot,
                block_time: s.block_time,
                name: event.name().to_string(),
                data: json["data"].clone(),
                event,
            });
        }
    }
    Ok((out, transactions))
}

/// What a contributor record holds now, read from its events: the record stores neither its
/// identity commitment (the seed of its address) nor its data hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordContribution {
    /// The contributor's identity commitment (checked against the record's address).
    pub identity: [u8; 32],
    /// The data hash of its latest contribution (a resubmission replaces the earlier one).
    pub data_hash: [u8; 32],
}

/// The identity and current data hash of contributor record `record` of `pool`, from the newest
/// `ContributionSubmitted` event of the record whose identity derives its address. `None` when
/// no such event is found (the node no longer has the transaction, or `record` is not a
/// contributor record of `pool`).
pub async fn record_contribution<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
    record: &Pubkey,
) -> Result<Option<RecordContribution>, ChainError> {
    for s in all_signatures(chain, record).await?.iter().rev() {
        if s.failed {
            continue;
        }
        let Some(logs) = chain.transaction_logs(&s.signature).await? else {
            continue;
        };
        for raw in raw_events_from_logs(program_id, &logs).iter().rev() {
            if let Some(Ok(DataPoolEvent::ContributionSubmitted(c))) = decode_event(raw) {
                let pda = crate::pda::find_contributor_pda(program_id, pool, &c.identity).0;
                if c.contribution == *record && c.pool == *pool && pda == *record {
                    return Ok(Some(RecordContribution {
                        identity: c.identity,
                        data_hash: c.data_hash,
                    }));
                }
            }
        }
    }
    Ok(None)
}
