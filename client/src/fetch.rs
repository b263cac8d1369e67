//! The buyer's side of a delivery: read the manifest and the sealed files from wherever they are
//! served (the store, or the pool's data service), and accept them only if everything matches
//! the chain: the manifest's hash and set are the receipt's, every file is the one the manifest
//! lists, opens with the buyer's keypair, and for `rows` recomputes to exactly the delivered
//! contributions; for `aggregate`, no group is below k. Nothing unverified is returned.

use std::collections::BTreeSet;
use std::future::Future;

use anchor_lang::prelude::Pubkey;
use data_pool::state::Offer;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;

use crate::custody::MANIFEST_FILE;
use crate::dataset::{verify_aggregate, verify_rows, DatasetError, DatasetFile, Slice};
use crate::delivery::{DeliveryError, Manifest};
use crate::seal::{self, SealError};
use crate::store::{delivery_key, Store, StoreError};

/// Domain of a signed fetch request.
pub const FETCH_DOMAIN: &str = "datapool-fetch-v1";
/// How far a signed fetch request's time may be from the service's clock, seconds.
pub const REQUEST_WINDOW: i64 = 300;

/// The message a buyer signs to fetch `file` of `offer`'s delivery at unix time `time`.
pub fn request_message(offer: &Pubkey, file: &str, time: i64) -> Vec<u8> {
    format!("{FETCH_DOMAIN}\n{offer}\n{file}\n{time}").into_bytes()
}

/// Whether `name` is a plain file name of a delivery (no path).
pub fn is_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Where a delivery is read from.
pub trait Source {
    /// The bytes of a delivery's file (`manifest.json` or a sealed file).
    fn file(
        &self,
        offer: &Pubkey,
        name: &str,
    ) -> impl Future<Output = Result<Vec<u8>, StoreError>> + Send;
}

impl Source for Store {
    async fn file(&self, offer: &Pubkey, name: &str) -> Result<Vec<u8>, StoreError> {
        self.get(&delivery_key(offer, name)).await
    }
}

/// Why a fetched delivery was refused.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The source could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The manifest does not match the receipt.
    #[error(transparent)]
    Manifest(#[from] DeliveryError),
    /// A file is not the one the manifest lists.
    #[error("{name} is not the file the manifest lists ({what})")]
    File {
        /// The file.
        name: String,
        /// What differs.
        what: &'static str,
    },
    /// A file does not open with the buyer's keypair.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The data does not match the delivered set or the slice.
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    /// The manifest is for another offer or buyer.
    #[error("the manifest is for {0}")]
    Other(String),
}

/// A delivery that verified.
#[derive(Debug)]
pub struct Verified {
    /// The manifest.
    pub manifest: Manifest,
    /// Its bytes (their sha256 is on chain).
    pub manifest_bytes: Vec<u8>,
    /// The opened files.
    pub files: Vec<DatasetFile>,
    /// Rows in a `rows` delivery, groups kept in an `aggregate` one.
    pub rows: u64,
}

/// Reads `offer`'s delivery from `src` and verifies it against the offer's on-chain receipt,
/// opening the files with `buyer`.
pub async fn fetch_verified<S: Source>(
    src: &S,
    offer_addr: &Pubkey,
    offer: &Offer,
    buyer: &Keypair,
) -> Result<Verified, FetchError> {
    let manifest_bytes = src.file(offer_addr, MANIFEST_FILE).await?;
    let manifest = Manifest::verify(&manifest_bytes, &offer.receipt)?;
    if manifest.offer != *offer_addr || manifest.buyer != offer.buyer {
        return Err(FetchError::Other(format!(
            "offer {} of buyer {}",
            manifest.offer, manifest.buyer
        )));
    }
    let slice: Slice = manifest.slice.parse()?;
    let set: BTreeSet<[u8; 32]> = manifest.contributions.iter().map(|c| c.data_hash).collect();
    let opener = seal::Opener::new(buyer)?;
    let mut files = vec![];
    let mut rows = 0;
    for f in &manifest.files {
        let sealed = src.file(offer_addr, &f.name).await?;
        let bad = |what| FetchError::File {
            name: f.name.clone(),
            what,
        };
        if sealed.len() as u64 != f.size || <[u8; 32]>::from(Sha256::digest(&sealed)) != f.sha256 {
            return Err(bad("its sha256 or size differs"));
        }
        let plain = opener.open(&sealed)?;
        if <[u8; 32]>::from(Sha256::digest(&plain)) != f.plain_sha256 {
            return Err(bad("it opens to other bytes"));
        }
        rows += match slice {
            Slice::Rows => verify_rows(offer_addr, plain.clone(), &set)?,
            Slice::Aggregate { k } => verify_aggregate(plain.clone(), k)?.len() as u64,
        };
        files.push(DatasetFile {
            name: f.name.trim_end_matches(".age").to_string(),
            bytes: plain,
        });
    }
    Ok(Verified {
        manifest,
        manifest_bytes,
        files,
        rows,
    })
}
