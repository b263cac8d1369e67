//! The custodian's work: the manifest of a pool's active set for an approved offer, built from
//! the pool's history and checked against the commitment the pool holds now; then the slice the
//! offer's terms name, built from the stored records of exactly that set, sealed to the buyer and
//! stored, and the `offer_deliver` instruction that records it and pays the sale out.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{DeliveryReceipt, Offer, OfferState, Pool};

use futures::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;

use crate::chain::{Chain, ChainError};
use crate::dataset::{DatasetError, SliceBuilder, Terms};
use crate::delivery::{
    replay, set_log, ActiveSet, Commitment, DeliveredFile, DeliveryError, Manifest, SetChange,
};
use crate::history::pool_history;
use crate::query::{self, QueryError};
use crate::seal::{self, SealError};
use crate::spotify::Records;
use crate::store::{delivery_key, records_hash, records_key, records_prefix, Store, StoreError};

/// Name of the manifest among a delivery's files.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Records read from the store at once while building a slice.
const READ_AHEAD: usize = 32;

/// Why a delivery could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum CustodyError {
    /// The offer is not approved and awaiting delivery.
    #[error("offer {offer} is {state}, not awaiting delivery")]
    NotAwaiting {
        /// The offer.
        offer: Pubkey,
        /// Its state.
        state: &'static str,
    },
    /// The terms given are not the offer's.
    #[error("the terms given hash to {given}, but offer {offer} committed to {on_chain}")]
    Terms {
        /// The offer.
        offer: Pubkey,
        /// sha256 of the terms given.
        given: String,
        /// The offer's terms hash.
        on_chain: String,
    },
    /// A delivered contribution has no stored records.
    #[error("contribution {data_hash} has no stored records: its contributor uploads them with `datapool contribute --file … --attestor-url …`, or the curator invalidates it")]
    MissingRecords {
        /// Its data hash.
        data_hash: String,
    },
    /// Stored records are not the contribution's.
    #[error(
        "the stored records of contribution {data_hash} do not hash to it: the store was altered"
    )]
    AlteredRecords {
        /// Its data hash.
        data_hash: String,
    },
    /// The set changed between reading the history and the pool.
    #[error("the pool's history ends in {history}, but the pool holds {pool}: the set changed while it was read (or the node lacks history); try again")]
    SetMoved {
        /// Replayed from the history.
        history: Commitment,
        /// Held by the pool.
        pool: Commitment,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Building the slice failed.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// Sealing or opening failed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The history does not replay.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// Reading the chain failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The node could not be used.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// What a custodian needs to deliver an offer.
#[derive(Debug)]
pub struct Prepared {
    /// The manifest of the pool's active set (files still to be added).
    pub manifest: Manifest,
    /// The pool as read.
    pub pool: Pool,
    /// The offer as read.
    pub offer: Offer,
    /// The offer's terms.
    pub terms: Terms,
}

impl Prepared {
    /// The manifest's bytes as stored, and the `offer_deliver` instruction that records them,
    /// signed by the custodian key `custodian`.
    pub fn delivery(
        &self,
        program_id: &Pubkey,
        offer: &Pubkey,
        custodian: &Pubkey,
    ) -> (Vec<u8>, DeliveryReceipt, Instruction) {
        let bytes = self.manifest.to_bytes();
        let receipt = self.manifest.receipt(&bytes);
        let ix = crate::instructions::offer_deliver(
            program_id,
            custodian,
            &self.offer.pool,
            offer,
            &crate::instructions::PoolTokens::of(&self.pool),
            &self.offer.payer,
            receipt,
        );
        (bytes, receipt, ix)
    }

    /// Builds the slice from the stored records of exactly the manifest's contributions (each
    /// opened with `custodian` and checked against its data hash), seals every file to the
    /// buyer, and stores the files and then the manifest under the offer. Storing again after a
    /// crash overwrites the same keys; nothing is paid until `offer_deliver` lands, and it lands
    /// once. Returns what [`Prepared::delivery`] returns for the completed manifest.
    pub async fn build(
        &mut self,
        store: &Store,
        custodian: &Keypair,
        program_id: &Pubkey,
        offer: &Pubkey,
    ) -> Result<(Vec<u8>, DeliveryReceipt, Instruction), CustodyError> {
        let slice = self.terms.slice()?;
        let pool = self.offer.pool;
        let mut builder = SliceBuilder::new(slice, *offer)?;
        let opener = seal::Opener::new(custodian)?;
        let hashes: Vec<[u8; 32]> = self
            .manifest
            .contributions
            .iter()
            .map(|c| c.data_hash)
            .collect();
        let mut reads = futures::stream::iter(hashes)
            .map(|h| async move {
                match store.get(&records_key(&pool, &h)).await {
                    Ok(b) => Ok((h, b)),
                    Err(StoreError::NotFound { .. }) => Err(CustodyError::MissingRecords {
                        data_hash: hex::encode(h),
                    }),
                    Err(e) => Err(e.into()),
                }
            })
            .buffered(READ_AHEAD);
        while let Some((h, sealed)) = reads.try_next().await? {
            let altered = || CustodyError::AlteredRecords {
                data_hash: hex::encode(h),
            };
            let plain = opener.open(&sealed).map_err(|_| altered())?;
            let records = Records::from_bytes(&plain).map_err(|_| altered())?;
            if records.hash() != h {
                return Err(altered());
            }
            builder.add(&h, &records)?;
        }
        let mut files = vec![];
        for f in builder.finish()? {
            let plain_sha256 = Sha256::digest(&f.bytes).into();
            let sealed = seal::seal(&f.bytes, &[self.offer.buyer])?;
            let name = format!("{}.age", f.name);
            files.push(DeliveredFile {
                name: name.clone(),
                sha256: Sha256::digest(&sealed).into(),
                size: sealed.len() as u64,
                plain_sha256,
            });
            store.put(&delivery_key(offer, &name), sealed).await?;
        }
        self.manifest.files = files;
        let out = self.delivery(program_id, offer, &solana_signer::Signer::pubkey(custodian));
        store
            .put(&delivery_key(offer, MANIFEST_FILE), out.0.clone())
            .await?;
        Ok(out)
    }
}

/// Reads `offer` (which must await delivery and have committed to `terms`), the pool's history
/// and the pool, and returns the manifest of the pool's active set for the terms' slice,
/// checked against the pool's commitment now.
pub async fn prepare<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    offer_addr: &Pubkey,
    terms: &Terms,
) -> Result<Prepared, CustodyError> {
    let offer = query::offer(chain, program_id, offer_addr).await?;
    if offer.state != OfferState::AwaitingDelivery {
        return Err(CustodyError::NotAwaiting {
            offer: *offer_addr,
            state: query::offer_state_name(&offer.state),
        });
    }
    if terms.hash() != offer.terms_hash {
        return Err(CustodyError::Terms {
            offer: *offer_addr,
            given: hex::encode(terms.hash()),
            on_chain: hex::encode(offer.terms_hash),
        });
    }
    let slice = terms.slice()?.to_string();
    let slice = slice.as_str();
    let current = current_set(chain, program_id, &offer.pool).await?;
    let manifest = Manifest::of_replayed(
        *program_id,
        offer.pool,
        *offer_addr,
        offer.buyer,
        slice,
        current.log,
        (current.set, current.commitment),
    );
    let pool = current.pool;
    Ok(Prepared {
        manifest,
        pool,
        offer,
        terms: terms.clone(),
    })
}

/// A pool's active set as its history replays it, with the pool read after the history.
struct CurrentSet {
    log: Vec<SetChange>,
    set: ActiveSet,
    commitment: Commitment,
    pool: data_pool::state::Pool,
}

/// The pool's set log from its history, replayed, and the pool now: refused (`SetMoved`) unless
/// the log ends in the pool's commitment (the set changed while it was read, or the node lacks
/// history), so nothing is delivered or deleted on a partial view.
async fn current_set<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<CurrentSet, CustodyError> {
    let (history, _) = pool_history(chain, program_id, pool, 16).await?;
    let log = set_log(&history);
    let (set, commitment) = replay(&log)?;
    let pool = query::pool(chain, program_id, pool).await?;
    let now = Commitment::of_pool(&pool);
    if commitment != now {
        return Err(CustodyError::SetMoved {
            history: commitment,
            pool: now,
        });
    }
    Ok(CurrentSet {
        log,
        set,
        commitment,
        pool,
    })
}

/// What a sweep of a pool's stored records did.
#[derive(Clone, Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Swept {
    /// Records of active contributions, kept.
    pub kept: u64,
    /// Records of no active contribution written within the grace period, kept for now (an
    /// upload is stored just before its contribution goes on chain).
    pub pending: u64,
    /// Records deleted: their contribution was revoked or invalidated, or never submitted.
    pub deleted: Vec<String>,
}

/// Deletes the stored records of `pool` that belong to no active contribution (revoked,
/// invalidated, or never submitted within `grace` seconds of the upload), so no later delivery
/// can contain them and the store keeps nothing a contributor took back.
pub async fn sweep<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
    store: &Store,
    grace: i64,
    now: i64,
) -> Result<Swept, CustodyError> {
    // The active data hashes; a log that does not replay to the pool's commitment (the node
    // lacks history) deletes nothing.
    let current = current_set(chain, program_id, pool).await?;
    let active: std::collections::HashSet<[u8; 32]> =
        current.set.values().map(|d| d.data_hash).collect();
    let mut out = Swept::default();
    for l in store.list(&records_prefix(pool)).await? {
        // A record is stored under its data hash.
        if records_hash(pool, &l.key).is_some_and(|h| active.contains(&h)) {
            out.kept += 1;
        } else if l.modified > now.saturating_sub(grace) {
            out.pending += 1;
        } else {
            store.delete(&l.key).await?;
            out.deleted.push(l.key);
        }
    }
    Ok(out)
}
