//! `POST /attest?wallet=<PUBKEY>`: a Spotify export (JSON or `.zip`, as the body or as the file
//! of a `multipart/form-data` form) in, a signed attestation (hash, score, breakdown) out. A
//! request is admitted (a concurrency slot, else 503 with `Retry-After`) before its body is read;
//! the body goes to a temporary file as it arrives, the reader streams it, and the file is
//! deleted when the request ends. What is kept: the export's keyed identity evidence, in the
//! identity index (`data_pool_client::spotify::identity`); nothing is logged.

use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use data_pool_client::attestation::{AttestationFile, Attested};
use data_pool_client::spotify::identity::IdentityError;
use data_pool_client::spotify::{canonical_hash, read_paths, score, Limits, ScoreRules};
use data_pool_client::units::now_unix;

use super::{busy, error, spool, AppState};

#[derive(Deserialize)]
pub(super) struct AttestQuery {
    wallet: Option<String>,
}

pub(super) async fn attest(
    State(st): State<Arc<AppState>>,
    query: Result<Query<AttestQuery>, axum::extract::rejection::QueryRejection>,
    req: axum::extract::Request,
) -> Response {
    // Admit first: a request beyond the limit is answered before a byte of its body is read.
    let Ok(_permit) = st.slots.try_acquire() else {
        return busy();
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
    let upload = match spool(req, st.cfg.max_body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    if upload.as_file().metadata().map(|m| m.len()).unwrap_or(0) == 0 {
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
    // Parsing is CPU work: keep it off the async workers. The reader streams the file (JSON
    // record by record, a zip entry by entry), so a request holds about one reader's working set.
    let parsed = tokio::task::spawn_blocking(move || {
        let path = upload.path().to_path_buf();
        let l = read_paths(std::slice::from_ref(&path), &limits)
            .map_err(|e| e.to_string().replace(&path.display().to_string(), "upload"))?;
        drop(upload);
        Ok::<_, String>((canonical_hash(&l), l))
    })
    .await;
    let (hash, listening) = match parsed {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return error(StatusCode::UNPROCESSABLE_ENTITY, "export", e),
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
    if b.score == 0 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "score",
            "the export scores 0: it has no counted listening (music plays of at least 30 s, not overlapping)",
        );
    }
    let st2 = st.clone();
    let who =
        tokio::task::spawn_blocking(move || st2.cfg.identities.identify(&st2.cfg.pool, &listening))
            .await;
    let who = match who {
        Ok(Ok(w)) => w,
        Ok(Err(e @ IdentityError::Index { .. })) | Ok(Err(e @ IdentityError::Key { .. })) => {
            eprintln!("attestor: {e}");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "identity",
                "the attestor cannot record identities right now; try again later",
            );
        }
        Ok(Err(e)) => return error(StatusCode::UNPROCESSABLE_ENTITY, "identity", e.to_string()),
        Err(_) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the export could not be processed",
            )
        }
    };
    let attested = Attested {
        contributor: wallet,
        identity: who.commitment,
        data_hash: hash,
        score: b.score,
    };
    let file = data_pool_client::attestation::sign_attestation(
        &st.cfg.program_id,
        &st.cfg.pool,
        &attested,
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
