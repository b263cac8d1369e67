//! `POST /attest?wallet=<PUBKEY>`: a Spotify export (JSON or `.zip`) in, a signed attestation
//! (hash, score, breakdown) out. The upload is read in memory and dropped when the request
//! ends: nothing is written to disk or logged.

use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use data_pool_client::attestation::AttestationFile;
use data_pool_client::spotify::{canonical_hash, read_upload, score, Limits, ScoreRules};
use data_pool_client::units::now_unix;

use super::{busy, error, read_body, AppState};

#[derive(Deserialize)]
pub(super) struct AttestQuery {
    wallet: Option<String>,
}

pub(super) async fn attest(
    State(st): State<Arc<AppState>>,
    query: Result<Query<AttestQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(_permit) = st.slots.try_acquire() else {
        return busy();
    };
    let body = match read_body(body, st.cfg.max_body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(wallet) = query.ok().and_then(|q| q.0.wallet) else {
        return error(
            StatusCode::BAD_REQUEST,
            "wallet",
            "pass the contributor's wallet: POST /attest?wallet=<PUBKEY>",
        );
    };
    let Ok(wallet) = wallet.parse::<Pubkey>() else {
        return error(
            StatusCode::BAD_REQUEST,
            "wallet",
            format!("{wallet:?} is not a public key"),
        );
    };
    if body.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "export",
            "the body must be a Spotify export (JSON or .zip)",
        );
    }
    let limits = Limits {
        max_file_bytes: st.cfg.max_body as u64,
        ..Limits::default()
    };
    // Parsing is CPU work: keep it off the async workers.
    let parsed = tokio::task::spawn_blocking(move || {
        let l = read_upload("upload", &body, &limits)?;
        drop(body);
        Ok::<_, data_pool_client::spotify::ExportError>((canonical_hash(&l), l))
    })
    .await;
    let (hash, listening) = match parsed {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return error(StatusCode::UNPROCESSABLE_ENTITY, "export", e.to_string()),
        Err(_) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the export could not be processed",
            )
        }
    };
    let b = score(
        &listening,
        &ScoreRules {
            max_score: st.cfg.max_score,
        },
    );
    drop(listening);
    if b.score == 0 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
            "the export scores 0: it has no counted listening (music plays of at least 30 s, not overlapping)",
        );
    }
    let file = data_pool_client::attestation::sign_attestation(
        &st.cfg.program_id,
        &st.cfg.pool,
        &wallet,
        hash,
        b.score,
        now_unix().saturating_add(st.cfg.ttl),
        &st.cfg.keypair,
    );
    let file = AttestationFile {
        breakdown: serde_json::to_value(&b).ok(),
        ..file
    };
    let v: serde_json::Value = serde_json::from_str(&file.to_json()).unwrap_or_default();
    (StatusCode::OK, Json(v)).into_response()
}
