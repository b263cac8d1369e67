//! The custodian's front door: contributors' records in, deliveries out to their buyers.
//!
//! `PUT /v1/records` takes `{"attestation": <attestation file>, "records": <canonical records>}`.
//! The attestation must be for this pool, signed by an active attestor of it, and the records
//! must be canonical and hash to its data hash (else 422, nothing stored). They are sealed to the
//! pool's custodians and stored at `records/<pool>/<data hash>.age`.
//!
//! `GET /v1/deliveries/<offer>/<file>` serves a delivered offer's file to its buyer only: the
//! request carries `x-datapool-signer`, `x-datapool-time` and `x-datapool-signature` (ed25519,
//! base58, over [`request_message`]), within [`REQUEST_WINDOW`] of the service's clock, and the
//! service checks on chain that the offer is delivered and that the signer is its buyer.

use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use data_pool::state::OfferState;
use data_pool_client::attestation::AttestationFile;
use data_pool_client::fetch::{is_file_name, request_message, REQUEST_WINDOW};
use data_pool_client::seal;
use data_pool_client::spotify::Records;
use data_pool_client::store::{delivery_key, records_key, StoreError};
use data_pool_client::units::now_unix;
use serde::Deserialize;
use serde_json::json;
use solana_signature::Signature;

use super::{busy, error, read_body, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Upload {
    attestation: serde_json::Value,
    records: Records,
}

fn no_store() -> Response {
    error(
        StatusCode::NOT_FOUND,
        "store",
        "this service keeps no records or deliveries (start it with --store)",
    )
}

fn store_failed(e: StoreError) -> Response {
    match e {
        StoreError::NotFound { .. } => error(StatusCode::NOT_FOUND, "not-found", e.to_string()),
        e => error(StatusCode::SERVICE_UNAVAILABLE, "store", e.to_string()),
    }
}

fn unprocessable(code: &str, detail: impl Into<String>) -> Response {
    error(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
}

/// `PUT /v1/records`.
pub(super) async fn put_records(
    State(st): State<Arc<AppState>>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(_permit) = st.slots.try_acquire() else {
        return busy();
    };
    let (Some(store), Some(lookups)) = (&st.cfg.store, &st.cfg.lookups) else {
        return no_store();
    };
    let body = match read_body(body, st.cfg.max_body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let up: Upload = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "body",
                format!("expected {{\"attestation\": …, \"records\": …}}: {e}"),
            )
        }
    };
    drop(body);
    let att = match AttestationFile::parse(&up.attestation.to_string()) {
        Ok(a) => a,
        Err(e) => return unprocessable("attestation", e.to_string()),
    };
    if att.program_id != st.cfg.program_id || att.pool != st.cfg.pool {
        return unprocessable(
            "attestation",
            format!(
                "the attestation is for pool {}, this service stores pool {}",
                att.pool, st.cfg.pool
            ),
        );
    }
    let sig = Signature::from(att.signature);
    if !sig.verify(att.attestor.as_ref(), &att.message()) {
        return unprocessable("attestation", "the attestation's signature does not verify");
    }
    match lookups.attestor_active(att.attestor).await {
        Ok(true) => {}
        Ok(false) => {
            return unprocessable(
                "attestation",
                format!("{} is not an active attestor of the pool", att.attestor),
            )
        }
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "chain", e),
    }
    if let Err(e) = up.records.check() {
        return unprocessable("records", e.to_string());
    }
    let hash = up.records.hash();
    if hash != att.data_hash {
        return unprocessable(
            "records",
            format!(
                "the records hash to {}, the attestation is for {}: nothing was stored",
                hex::encode(hash),
                hex::encode(att.data_hash)
            ),
        );
    }
    let to = if st.cfg.custodians.is_empty() {
        match lookups.custodians().await {
            Ok(c) => c,
            Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "chain", e),
        }
    } else {
        st.cfg.custodians.clone()
    };
    if to.is_empty() {
        return error(
            StatusCode::CONFLICT,
            "custodian",
            "the pool has no active custodian to keep records for",
        );
    }
    let plays = up.records.plays.len();
    let sealed = match tokio::task::spawn_blocking(move || {
        seal::seal(&up.records.to_bytes(), &to).map(|s| (s, to))
    })
    .await
    {
        Ok(Ok(s)) => s,
        _ => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the records could not be encrypted",
            )
        }
    };
    let (sealed, to) = sealed;
    let bytes = sealed.len();
    if let Err(e) = store.put(&records_key(&st.cfg.pool, &hash), sealed).await {
        return store_failed(e);
    }
    (
        StatusCode::CREATED,
        Json(json!({
            "dataHash": hex::encode(hash),
            "plays": plays,
            "bytes": bytes,
            "sealedTo": to.iter().map(Pubkey::to_string).collect::<Vec<_>>(),
        })),
    )
        .into_response()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `GET /v1/deliveries/<offer>/<file>`.
pub(super) async fn get_delivery(
    State(st): State<Arc<AppState>>,
    Path((offer, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (Some(store), Some(lookups)) = (&st.cfg.store, &st.cfg.lookups) else {
        return no_store();
    };
    let Ok(offer) = offer.parse::<Pubkey>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "offer",
            format!("{offer:?} is not an offer address"),
        );
    };
    if !is_file_name(&file) {
        return error(
            StatusCode::BAD_REQUEST,
            "file",
            format!("{file:?} is not a delivery file name"),
        );
    }
    let unauthorized =
        |detail: &str| error(StatusCode::UNAUTHORIZED, "signature", detail.to_string());
    let (Some(signer), Some(time), Some(signature)) = (
        header(&headers, "x-datapool-signer").and_then(|s| s.parse::<Pubkey>().ok()),
        header(&headers, "x-datapool-time").and_then(|s| s.parse::<i64>().ok()),
        header(&headers, "x-datapool-signature").and_then(|s| s.parse::<Signature>().ok()),
    ) else {
        return unauthorized("sign the request: x-datapool-signer, x-datapool-time and x-datapool-signature (`datapool dataset fetch --from` does this)");
    };
    if (now_unix() - time).abs() > REQUEST_WINDOW {
        return unauthorized("the request's time is more than 5 minutes from the service's clock");
    }
    if !signature.verify(signer.as_ref(), &request_message(&offer, &file, time)) {
        return unauthorized("the request's signature does not verify");
    }
    let o = match lookups.offer(offer).await {
        Ok(Some(o)) => o,
        Ok(None) => {
            return error(
                StatusCode::NOT_FOUND,
                "offer",
                format!("{offer} is not an offer of this pool"),
            )
        }
        Err(e) => return error(StatusCode::SERVICE_UNAVAILABLE, "chain", e),
    };
    if o.buyer != signer {
        return error(
            StatusCode::FORBIDDEN,
            "buyer",
            "only the offer's buyer may fetch its delivery",
        );
    }
    if o.state != OfferState::Accepted {
        return error(StatusCode::CONFLICT, "state", "the offer is not delivered");
    }
    match store.get(&delivery_key(&offer, &file)).await {
        Ok(b) => (StatusCode::OK, b).into_response(),
        Err(e) => store_failed(e),
    }
}
