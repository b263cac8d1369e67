//! The data acts of the story: contributors' canonical records stored (sealed to the pool's
//! custodians), the custodian's delivery of the sold slice, and the buyer's verified fetch.

use anchor_lang::prelude::Pubkey;
use data_pool::state::DeliveryReceipt;
use solana_keypair::Keypair;

use super::{Stage, StoryError};
use crate::chain::Chain;
use crate::custody::{self, CustodyError};
use crate::dataset::Terms;
use crate::delivery::Manifest;
use crate::fetch::{fetch_verified, Verified};
use crate::query;
use crate::rng::Rng;
use crate::seal;
use crate::spotify::{Record, Records, RECORDS_VERSION};
use crate::store::{records_key, Store};

/// Artists of the synthetic catalogue.
const ARTISTS: u64 = 400;
/// Tracks per artist.
const TRACKS: u64 = 12;

/// A plausible listening history of `plays` plays for contributor `i` of a story seeded with
/// `seed`: artists drawn with a heavy head (a few artists get most plays), plays spread over a
/// year, in canonical order.
pub fn synthetic_records(seed: u64, i: u64, plays: u64) -> Records {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let start = 28_000_000 + rng.below(100_000) as i64; // minutes: early 2023
    let mut v: Vec<Record> = (0..plays.max(1))
        .map(|_| {
            // The minimum of two draws skews towards the popular end of the catalogue.
            let a = rng.below(ARTISTS).min(rng.below(ARTISTS));
            let t = rng.below(TRACKS);
            Record {
                end_minute: start + rng.below(525_600) as i64,
                artist: format!("Artist {a:03}"),
                track: format!("Track {a:03}-{t:02}"),
                ms: 20_000 + rng.below(280_000) as u32,
            }
        })
        .collect();
    v.sort();
    v.dedup();
    Records {
        version: RECORDS_VERSION,
        plays: v,
    }
}

fn custody_failed(e: CustodyError) -> StoryError {
    match e {
        CustodyError::Store(s) => StoryError::Store(s),
        CustodyError::Query(q) => StoryError::Query(q),
        CustodyError::Chain(c) => StoryError::Chain(c),
        e => StoryError::Failed(e.to_string()),
    }
}

impl<C: Chain> Stage<'_, C> {
    /// Stores every contribution's canonical records, sealed to `custodians`, under `pool` in
    /// `store`, `concurrency` at a time; returns their data hashes in order. (The pool's data
    /// service does this for an upload whose attestation it checked.)
    pub async fn store_records(
        &self,
        store: &Store,
        pool: &Pubkey,
        custodians: &[Pubkey],
        records: Vec<Records>,
        concurrency: usize,
    ) -> Result<Vec<[u8; 32]>, StoryError> {
        self.each("records", concurrency, records, |r| async move {
            let h = r.hash();
            let sealed = seal::seal(&r.to_bytes(), custodians)
                .map_err(|e| StoryError::Failed(e.to_string()))?;
            store.put(&records_key(pool, &h), sealed).await?;
            Ok(h)
        })
        .await
    }

    /// The custodian delivers an approved `offer` under `terms`: builds the manifest of the
    /// pool's active set, checked against the pool's commitment, builds the slice from the
    /// stored records, seals it to the buyer, stores it, and records the delivery with
    /// `offer_deliver`, which settles the sale.
    pub async fn deliver(
        &self,
        offer: &Pubkey,
        custodian: &Keypair,
        terms: &Terms,
        store: &Store,
    ) -> Result<(Manifest, Vec<u8>, DeliveryReceipt), StoryError> {
        let p = &self.program_id;
        self.progress
            .note(&format!("custodian builds the {} slice", terms.slice));
        let mut prep = custody::prepare(self.chain, p, offer, terms)
            .await
            .map_err(custody_failed)?;
        let (bytes, receipt, deliver) = prep
            .build(store, custodian, p, offer)
            .await
            .map_err(custody_failed)?;
        self.send(&[deliver], &[custodian]).await?;
        Ok((prep.manifest, bytes, receipt))
    }

    /// The buyer fetches `offer`'s delivery from `store` and verifies it against the chain.
    pub async fn fetch(
        &self,
        offer: &Pubkey,
        buyer: &Keypair,
        store: &Store,
    ) -> Result<Verified, StoryError> {
        let o = query::offer(self.chain, &self.program_id, offer).await?;
        fetch_verified(store, offer, &o, buyer)
            .await
            .map_err(|e| StoryError::Failed(format!("the delivery did not verify: {e}")))
    }
}
