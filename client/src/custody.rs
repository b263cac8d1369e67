//! The custodian's reads: the manifest of a pool's active set for an approved offer, built from
//! the pool's history and checked against the commitment the pool holds now.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool::state::{DeliveryReceipt, Offer, OfferState, Pool};

use crate::chain::{Chain, ChainError};
use crate::delivery::{set_log, Commitment, DeliveryError, Manifest};
use crate::history::pool_history;
use crate::query::{self, QueryError};

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
    /// The set changed between reading the history and the pool.
    #[error("the pool's history ends in {history}, but the pool holds {pool}: the set changed while it was read; deliver again")]
    SetMoved {
        /// Replayed from the history.
        history: Commitment,
        /// Held by the pool.
        pool: Commitment,
    },
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
            &self.offer.buyer,
            receipt,
        );
        (bytes, receipt, ix)
    }
}

/// Reads `offer` (which must await delivery), the pool's history and the pool, and returns the
/// manifest of the pool's active set for the slice `slice`, checked against the pool's
/// commitment now.
pub async fn prepare<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    offer_addr: &Pubkey,
    slice: &str,
) -> Result<Prepared, CustodyError> {
    let offer = query::offer(chain, program_id, offer_addr).await?;
    if offer.state != OfferState::AwaitingDelivery {
        return Err(CustodyError::NotAwaiting {
            offer: *offer_addr,
            state: query::offer_state_name(&offer.state),
        });
    }
    let (history, _) = pool_history(chain, program_id, &offer.pool, &[], 16).await?;
    let manifest = Manifest::new(
        *program_id,
        offer.pool,
        *offer_addr,
        offer.buyer,
        slice,
        set_log(&history),
    )?;
    let pool = query::pool(chain, program_id, &offer.pool).await?;
    let now = Commitment::of_pool(&pool);
    if manifest.commitment != now {
        return Err(CustodyError::SetMoved {
            history: manifest.commitment,
            pool: now,
        });
    }
    Ok(Prepared {
        manifest,
        pool,
        offer,
    })
}
