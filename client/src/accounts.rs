//! Decoding program accounts from raw bytes (as an RPC node returns them). Untrusted input:
//! every function returns an error, never panics, whatever the bytes.

use anchor_lang::{AccountDeserialize, Discriminator};
use data_pool::state::{Attestor, Contributor, Custodian, Offer, Pool};

/// A decoded data-pool account of any type.
#[derive(Debug)]
pub enum DataPoolAccount {
    /// A pool.
    Pool(Box<Pool>),
    /// An attestor record.
    Attestor(Attestor),
    /// A custodian record.
    Custodian(Custodian),
    /// A contributor record.
    Contributor(Contributor),
    /// An offer.
    Offer(Box<Offer>),
}

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer than 8 bytes.
    #[error("account data is {0} bytes, too short for a data-pool account")]
    TooShort(usize),
    /// The discriminator is not one of ours.
    #[error("not a data-pool account (unknown discriminator {0:02x?})")]
    UnknownType([u8; 8]),
    /// The discriminator is not the type asked for.
    #[error("expected a {expected} account")]
    WrongType {
        /// The type asked for.
        expected: &'static str,
    },
    /// The body does not decode.
    #[error("malformed {kind} account: {reason}")]
    Malformed {
        /// The account type.
        kind: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

fn decode_as<T: AccountDeserialize + Discriminator>(
    data: &[u8],
    kind: &'static str,
) -> Result<T, DecodeError> {
    if data.len() < 8 {
        return Err(DecodeError::TooShort(data.len()));
    }
    if &data[..8] != T::DISCRIMINATOR {
        return Err(DecodeError::WrongType { expected: kind });
    }
    T::try_deserialize(&mut &data[..]).map_err(|e| DecodeError::Malformed {
        kind,
        reason: e.to_string(),
    })
}

/// Decodes a Pool.
pub fn decode_pool(data: &[u8]) -> Result<Pool, DecodeError> {
    decode_as(data, "Pool")
}
/// Decodes an Attestor record.
pub fn decode_attestor(data: &[u8]) -> Result<Attestor, DecodeError> {
    decode_as(data, "Attestor")
}
/// Decodes a Custodian record.
pub fn decode_custodian(data: &[u8]) -> Result<Custodian, DecodeError> {
    decode_as(data, "Custodian")
}
/// Decodes a Contributor record.
pub fn decode_contributor(data: &[u8]) -> Result<Contributor, DecodeError> {
    decode_as(data, "Contributor")
}
/// Decodes an Offer.
pub fn decode_offer(data: &[u8]) -> Result<Offer, DecodeError> {
    decode_as(data, "Offer")
}
/// The vote bitmap an offer account carries after its fields while voting is open (empty once
/// voting ended and the bitmap was released).
pub fn vote_bitmap(offer_data: &[u8]) -> &[u8] {
    offer_data.get(Offer::BITMAP_AT..).unwrap_or(&[])
}

/// Whether the contributor of arrival `index` has voted, per `bitmap` (bit `index % 8` of byte
/// `index / 8`, least significant first); `false` past the end.
pub fn has_voted(bitmap: &[u8], index: u64) -> bool {
    usize::try_from(index / 8)
        .ok()
        .and_then(|i| bitmap.get(i))
        .is_some_and(|b| b & (1 << (index % 8)) != 0)
}

/// Most records one transaction should vote or claim with: each instruction is a few trace
/// entries and the runtime allows 64, so larger sets go in several transactions.
pub const RECORDS_PER_TRANSACTION: usize = 8;

/// How many of `weights` (a wallet's records that may vote, in order) the program takes on
/// `offer` when they vote `approve` one after another: every one until the tally decides the
/// offer, since a vote after the decision is refused (`OfferAlreadyDecided`).
pub fn votes_that_count(offer: &Offer, approve: bool, weights: &[u64]) -> usize {
    let mut t = offer.tally();
    for (i, w) in weights.iter().enumerate() {
        if data_pool::math::decide(&t, false).is_some() {
            return i;
        }
        let w = u128::from(*w);
        if approve {
            t.yes = t.yes.saturating_add(w);
        } else {
            t.no = t.no.saturating_add(w);
        }
    }
    weights.len()
}

/// Votes recorded in `bitmap`.
pub fn votes_in(bitmap: &[u8]) -> u64 {
    bitmap.iter().map(|b| u64::from(b.count_ones())).sum()
}

/// Decodes any data-pool account, recognising its type by discriminator.
pub fn decode_any(data: &[u8]) -> Result<DataPoolAccount, DecodeError> {
    if data.len() < 8 {
        return Err(DecodeError::TooShort(data.len()));
    }
    let d = &data[..8];
    Ok(if d == Pool::DISCRIMINATOR {
        DataPoolAccount::Pool(Box::new(decode_pool(data)?))
    } else if d == Attestor::DISCRIMINATOR {
        DataPoolAccount::Attestor(decode_attestor(data)?)
    } else if d == Custodian::DISCRIMINATOR {
        DataPoolAccount::Custodian(decode_custodian(data)?)
    } else if d == Contributor::DISCRIMINATOR {
        DataPoolAccount::Contributor(decode_contributor(data)?)
    } else if d == Offer::DISCRIMINATOR {
        DataPoolAccount::Offer(Box::new(decode_offer(data)?))
    } else {
        let mut u = [0u8; 8];
        u.copy_from_slice(d);
        return Err(DecodeError::UnknownType(u));
    })
}
