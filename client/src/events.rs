//! Decoding the program's events from transaction logs (`Program data: <base64>` lines that
//! Anchor's `emit!` writes), attributing each line to the program that was executing.

use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
pub use data_pool::events::*;

macro_rules! events {
    ($($name:ident),* $(,)?) => {
        /// Any event of the data-pool program.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(clippy::large_enum_variant)]
        pub enum DataPoolEvent {
            $(
                #[doc = concat!("A `", stringify!($name), "` event.")]
                $name($name),
            )*
        }

        impl DataPoolEvent {
            /// The event's name, as in the IDL.
            pub fn name(&self) -> &'static str {
                match self {
                    $(DataPoolEvent::$name(_) => stringify!($name),)*
                }
            }
        }

        /// Decodes one event from its bytes (8-byte discriminator, then borsh). `None` when the
        /// discriminator is not one of ours; `Some(Err)` when the body is malformed.
        pub fn decode_event(data: &[u8]) -> Option<Result<DataPoolEvent, String>> {
            let (disc, mut body) = (data.get(..8)?, data.get(8..)?);
            $(
                if disc == $name::DISCRIMINATOR {
                    return Some(
                        $name::deserialize(&mut body)
                            .map(DataPoolEvent::$name)
                            .map_err(|e| format!("malformed {}: {e}", stringify!($name))),
                    );
                }
            )*
            None
        }
    };
}

events!(
    PoolCreated,
    PoolUpdated,
    PoolPauseChanged,
    PoolWoundDown,
    PoolClosed,
    AuthorityProposed,
    AuthorityChanged,
    AttestorAdded,
    AttestorRemoved,
    CustodianAdded,
    CustodianRemoved,
    ContributionSubmitted,
    ContributionRemoved,
    ContributorClosed,
    OfferCreated,
    VoteCast,
    OfferApproved,
    OfferAccepted,
    OfferRejected,
    OfferCancelled,
    OfferRefunded,
    OfferClosed,
    VoteBitmapReleased,
    PayoutClaimed,
    FeesWithdrawn,
);

/// The events `program_id` emitted in a transaction, in order, from its log messages. Lines
/// written while another program was executing are ignored; malformed ones are skipped.
pub fn events_from_logs(program_id: &Pubkey, logs: &[String]) -> Vec<DataPoolEvent> {
    raw_events_from_logs(program_id, logs)
        .iter()
        .filter_map(|b| decode_event(b).and_then(Result::ok))
        .collect()
}

/// The raw bytes (discriminator + borsh body) of every `Program data:` line `program_id` wrote.
pub fn raw_events_from_logs(program_id: &Pubkey, logs: &[String]) -> Vec<Vec<u8>> {
    let ours = program_id.to_string();
    let mut stack: Vec<String> = vec![];
    let mut out = vec![];
    for line in logs {
        if let Some(rest) = line.strip_prefix("Program ") {
            let mut words = rest.split_whitespace();
            let first = words.next().unwrap_or_default();
            match words.next() {
                Some("invoke") => {
                    stack.push(first.to_string());
                    continue;
                }
                Some("success") | Some("failed:") => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
        }
        let Some(b64) = line.strip_prefix("Program data: ") else {
            continue;
        };
        if stack.last() != Some(&ours) {
            continue;
        }
        for part in b64.split_whitespace() {
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(part) {
                out.push(bytes);
            }
        }
    }
    out
}

/// An event as JSON, decoded field by field with the program's IDL (`idl/data_pool.json`):
/// `{"name": "VoteCast", "data": {"pool": "…", "weight": 300, "yesWeight": "900", …}}`. Integers
/// above 64 bits are strings; byte arrays are hex; field names are camelCase. `None` when the
/// bytes are not one of the program's events or do not decode.
pub fn event_json(data: &[u8]) -> Option<serde_json::Value> {
    crate::idl::decode_event_json(data)
}
