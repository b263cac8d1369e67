//! An offer's terms: the slice it buys, and optionally the sha256 of a legal text. The terms'
//! sha256 is the offer's on-chain `terms_hash`, so the slice a custodian delivers is the one the
//! vote approved: a custodian reads the slice from terms whose hash it checked.

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{DatasetError, Slice};

/// Version of the terms format.
pub const TERMS_VERSION: u32 = 1;

/// Prefix of terms carried in an offer's `terms_uri`.
pub const TERMS_URI_PREFIX: &str = "data:application/json,";

/// What a data URI escapes.
const ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'%')
    .add(b'{')
    .add(b'}')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'|')
    .add(b'#')
    .add(b'[')
    .add(b']');

/// The terms of an offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Terms {
    /// Format version ([`TERMS_VERSION`]).
    pub version: u32,
    /// The slice bought (`rows`, `aggregate:k=N`).
    pub slice: String,
    /// sha256 (hex) of the legal text of the sale, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

impl Terms {
    /// Terms for `slice`, with the legal text `document` if any.
    pub fn new(slice: Slice, document: Option<&[u8]>) -> Self {
        Terms {
            version: TERMS_VERSION,
            slice: slice.to_string(),
            document: document.map(|d| hex::encode(Sha256::digest(d))),
        }
    }

    /// The bytes whose sha256 goes on chain.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// The on-chain terms hash.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.to_bytes()).into()
    }

    /// Parses terms, checking the version and the slice.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DatasetError> {
        let t: Terms =
            serde_json::from_slice(bytes).map_err(|e| DatasetError::Terms(e.to_string()))?;
        if t.version != TERMS_VERSION {
            return Err(DatasetError::Terms(format!(
                "version {} is not supported",
                t.version
            )));
        }
        t.slice()?;
        Ok(t)
    }

    /// The slice bought.
    pub fn slice(&self) -> Result<Slice, DatasetError> {
        self.slice.parse()
    }

    /// The terms as a data URI, for the offer's `terms_uri`: anyone reading the offer (the
    /// custodian, an auditor) learns the slice and checks it against the terms hash.
    pub fn to_uri(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        format!("{TERMS_URI_PREFIX}{}", utf8_percent_encode(&json, ESCAPE))
    }

    /// The terms an offer carries in its `terms_uri`, if they hash to its `terms_hash`.
    pub fn of_offer(terms_hash: &[u8; 32], terms_uri: &str) -> Option<Self> {
        let body = terms_uri.strip_prefix(TERMS_URI_PREFIX)?;
        let json = percent_decode_str(body).collect::<Vec<u8>>();
        let t = Terms::from_bytes(&json).ok()?;
        (t.hash() == *terms_hash).then_some(t)
    }
}
