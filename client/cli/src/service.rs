//! The attestor service: `POST /attest?wallet=<PUBKEY>` with a Spotify export (JSON or `.zip`) as
//! the body returns a signed attestation (hash, score, breakdown); `GET /health` says it is up.
//! Request bodies are size-limited, requests beyond the concurrency limit get 503, every error is
//! JSON with a status code, and uploads are read in memory and dropped when the request ends —
//! nothing is written to disk or logged.

use std::net::SocketAddr;
use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tokio::sync::Semaphore;

use data_pool_client::attestation::AttestationFile;
use data_pool_client::spotify::{canonical_hash, read_upload, score, Limits, ScoreRules};
use data_pool_client::units::now_unix;

/// How the service runs.
pub struct ServiceConfig {
    /// The program id.
    pub program_id: Pubkey,
    /// The pool attestations are for.
    pub pool: Pubkey,
    /// The pool's maximum score.
    pub max_score: u64,
    /// The attestor's signing key.
    pub keypair: Keypair,
    /// Largest upload, bytes.
    pub max_body: usize,
    /// Requests processed at once.
    pub concurrency: usize,
    /// Validity of attestations, seconds.
    pub ttl: i64,
}

struct AppState {
    cfg: ServiceConfig,
    slots: Semaphore,
}

fn error(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": code, "detail": detail.into() })),
    )
        .into_response()
}

#[derive(Deserialize)]
struct AttestQuery {
    wallet: Option<String>,
}

async fn attest(
    State(st): State<Arc<AppState>>,
    query: Result<Query<AttestQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let Ok(_permit) = st.slots.try_acquire() else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "too many requests at once; retry shortly",
        );
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            return error(
                e.status(),
                "body",
                format!("{} (the limit is {} bytes)", e.body_text(), st.cfg.max_body),
            )
        }
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
            "the export holds no qualifying plays (≥ 30 s)",
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

async fn health(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({
        "ok": true,
        "attestor": st.cfg.keypair.pubkey().to_string(),
        "pool": st.cfg.pool.to_string(),
        "maxScore": st.cfg.max_score,
        "maxBody": st.cfg.max_body,
    }))
}

/// The service's routes.
pub fn router(cfg: ServiceConfig) -> Router {
    let max_body = cfg.max_body;
    let slots = Semaphore::new(cfg.concurrency.max(1));
    let st = Arc::new(AppState { cfg, slots });
    Router::new()
        .route("/health", get(health))
        .route("/attest", post(attest))
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "route",
                "routes: GET /health, POST /attest?wallet=<PUBKEY>",
            )
        })
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(st)
}

/// Binds `addr` and serves until `shutdown` resolves; calls `ready` with the bound address.
pub async fn serve(
    cfg: ServiceConfig,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    ready(listener.local_addr()?);
    axum::serve(listener, router(cfg))
        .with_graceful_shutdown(shutdown)
        .await
}
