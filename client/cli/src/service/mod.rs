//! The pool's data service: the attestor (`POST /attest`) and, with a store, the custodian's
//! front door: `PUT /v1/records` stores a contribution's canonical records (checked against
//! their attestation, sealed to the pool's custodians) and `GET /v1/deliveries/<offer>/<file>`
//! hands a delivery to its buyer alone (a signed request checked against chain state).
//! `GET /health` says it is up. Request bodies are size-limited, requests beyond the concurrency
//! limit get 503, and every error is JSON with a status code.
//!
//! The service reads the chain through [`Lookups`]: requests answered by [`answer_lookups`],
//! which runs beside the server on the caller's chain (a node, or the embedded chain in tests).

mod access;
mod attest;
mod data;
mod lookups;

use std::net::SocketAddr;
use std::sync::Arc;

use anchor_lang::prelude::Pubkey;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use data_pool_client::store::Store;
use serde_json::json;
use solana_keypair::Keypair;
use solana_signer::Signer;
use tempfile::NamedTempFile;
use tokio::sync::Semaphore;

pub use access::AccessLog;
pub use lookups::{answer_lookups, lookups, LookupRequests, Lookups};

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
    /// Where records and deliveries are stored (`None`: attest only).
    pub store: Option<Store>,
    /// Keys records are sealed to (empty: the pool's active custodians, read per upload).
    pub custodians: Vec<Pubkey>,
    /// Chain reads (needed with a store).
    pub lookups: Option<Lookups>,
    /// Where the access log goes (one line per request).
    pub access_log: AccessLog,
    /// Requests one client (IP address) may make per minute; 0: no limit.
    pub rate_per_minute: u32,
    /// Who is who: the identity key and index that give each person one commitment.
    pub identities: data_pool_client::spotify::identity::Identities,
}

struct AppState {
    cfg: ServiceConfig,
    slots: Semaphore,
    clients: access::Clients,
}

fn error(status: StatusCode, code: &str, detail: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": code, "detail": detail.into() })),
    )
        .into_response()
}

/// 503 when every request slot is taken, with `Retry-After`.
fn busy() -> Response {
    let mut r = error(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        "too many requests at once; retry shortly",
    );
    r.headers_mut().insert(
        axum::http::header::RETRY_AFTER,
        axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
    );
    r
}

/// What `Retry-After` says on a 503, seconds.
const RETRY_AFTER_SECONDS: &str = "1";

/// An admitted upload, written to a temporary file as it arrives (deleted when dropped): the
/// body is read only after the request holds a slot, and never whole in memory.
#[allow(clippy::result_large_err)]
async fn spool(req: axum::extract::Request, max_body: usize) -> Result<NamedTempFile, Response> {
    use axum::extract::{FromRequest, Multipart};
    use futures::StreamExt;
    use std::io::Write;

    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
            format!("the upload is larger than the limit of {max_body} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_body as u64) {
        return Err(too_large());
    }
    let internal = |e: std::io::Error| {
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "storage",
            format!("cannot spool the upload: {e}"),
        )
    };
    let mut file = tempfile::Builder::new()
        .prefix("datapool-upload")
        .tempfile()
        .map_err(internal)?;
    let mut written = 0usize;
    let mut write = |chunk: &[u8]| -> Result<(), Response> {
        written = written.saturating_add(chunk.len());
        if written > max_body {
            return Err(too_large());
        }
        file.write_all(chunk).map_err(internal)
    };
    let cut = |e: String| error(StatusCode::BAD_REQUEST, "body", e);
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if multipart {
        // `curl -F file=@export.zip` and browser forms: the first field that carries a file.
        let mut form = Multipart::from_request(req, &())
            .await
            .map_err(|e| cut(e.body_text()))?;
        let mut found = false;
        while let Some(mut field) = form.next_field().await.map_err(|e| cut(e.body_text()))? {
            if field.file_name().is_none() && field.name() != Some("file") {
                continue;
            }
            found = true;
            while let Some(chunk) = field.chunk().await.map_err(|e| cut(e.body_text()))? {
                write(&chunk)?;
            }
            break;
        }
        if !found {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "export",
                "the form has no file: send the export as a file field (curl -F file=@export.zip)",
            ));
        }
    } else {
        let mut body = req.into_body().into_data_stream();
        while let Some(chunk) = body.next().await {
            write(&chunk.map_err(|e| cut(format!("the upload was cut off: {e}")))?)?;
        }
    }
    file.flush().map_err(internal)?;
    Ok(file)
}

/// The body, or the JSON error of a body that could not be read (too large, cut off).
#[allow(clippy::result_large_err)]
fn read_body(
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
    max_body: usize,
) -> Result<axum::body::Bytes, Response> {
    body.map_err(|e| {
        error(
            e.status(),
            "body",
            format!("{} (the limit is {max_body} bytes)", e.body_text()),
        )
    })
}

async fn health(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    Json(json!({
        "ok": true,
        "attestor": st.cfg.keypair.pubkey().to_string(),
        "pool": st.cfg.pool.to_string(),
        "maxScore": st.cfg.max_score,
        "maxBody": st.cfg.max_body,
        "store": st.cfg.store.is_some(),
    }))
}

/// The service's routes.
pub fn router(cfg: ServiceConfig) -> Router {
    let max_body = cfg.max_body;
    let slots = Semaphore::new(cfg.concurrency.max(1));
    let clients = access::Clients::new(cfg.rate_per_minute);
    let st = Arc::new(AppState {
        cfg,
        slots,
        clients,
    });
    Router::new()
        .route("/health", get(health))
        .route("/attest", post(attest::attest))
        .route("/v1/records", put(data::put_records))
        .route("/v1/deliveries/{offer}/{file}", get(data::get_delivery))
        .method_not_allowed_fallback(|| async {
            error(
                StatusCode::METHOD_NOT_ALLOWED,
                "method",
                "routes: GET /health, POST /attest?wallet=<PUBKEY>, PUT /v1/records, GET /v1/deliveries/<OFFER>/<FILE>",
            )
        })
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "route",
                "routes: GET /health, POST /attest?wallet=<PUBKEY>, PUT /v1/records, GET /v1/deliveries/<OFFER>/<FILE>",
            )
        })
        .layer(DefaultBodyLimit::max(max_body))
        .layer(axum::middleware::from_fn_with_state(st.clone(), access::layer))
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
    let app = router(cfg).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
