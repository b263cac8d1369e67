//! Every request passes here: per-client rate limiting (a token bucket per IP address; over it,
//! 429 with `Retry-After`) and the access log, one line per request: time, method, path, status,
//! bytes in and out, duration. No query string (it holds the wallet), no client address, no
//! request content, unless the operator asks for them.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::{error, AppState};

/// Where the access log goes.
#[derive(Clone, Debug, Default)]
pub enum AccessLog {
    /// No log.
    #[default]
    Off,
    /// Standard error, one line per request; `with_client` adds the client's IP address and the
    /// query string (which names the wallet).
    Stderr {
        /// Log the client address and the query string too.
        with_client: bool,
    },
    /// Kept in memory (tests read it).
    Memory(Arc<Mutex<Vec<String>>>),
}

impl AccessLog {
    fn write(&self, line: String) {
        match self {
            AccessLog::Off => {}
            AccessLog::Stderr { .. } => eprintln!("{line}"),
            AccessLog::Memory(lines) => {
                if let Ok(mut l) = lines.lock() {
                    l.push(line);
                }
            }
        }
    }

    fn with_client(&self) -> bool {
        matches!(self, AccessLog::Stderr { with_client: true })
    }
}

/// Clients remembered at most (the least recently seen are forgotten first).
const MAX_CLIENTS: usize = 10_000;

/// One token bucket per client address.
pub(super) struct Clients {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Clients {
    pub(super) fn new(per_minute: u32) -> Self {
        Clients {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`; `Err(seconds)` until the next one when there is none.
    fn admit(&self, ip: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let now = Instant::now();
        let rate = f64::from(self.per_minute) / 60.0;
        let burst = f64::from(self.per_minute);
        let Ok(mut b) = self.buckets.lock() else {
            return Ok(());
        };
        if b.len() >= MAX_CLIENTS && !b.contains_key(&ip) {
            let oldest = b.iter().min_by_key(|(_, (_, t))| *t).map(|(k, _)| *k);
            if let Some(k) = oldest {
                b.remove(&k);
            }
        }
        let (tokens, at) = b.entry(ip).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * rate).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil().max(1.0) as u64)
        }
    }
}

/// The middleware: rate limit, then the request, then its log line.
pub(super) async fn layer(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let bytes_in = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    // The peer address, when the server was started with it (`serve` is).
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let admitted = ip.map_or(Ok(()), |ip| st.clients.admit(ip));
    let response = match admitted {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate",
                format!(
                    "more than {} requests a minute from this address; retry in {wait} s",
                    st.clients.per_minute
                ),
            );
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(RETRY_AFTER, v);
            }
            r
        }
    };
    let log = &st.cfg.access_log;
    if !matches!(log, AccessLog::Off) {
        let bytes_out = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        let client = match (log.with_client(), ip) {
            (true, Some(ip)) => format!(
                " client={ip}{}",
                query.map(|q| format!(" query={q}")).unwrap_or_default()
            ),
            _ => String::new(),
        };
        log.write(format!(
            "{} {method} {path} {} in={bytes_in} out={bytes_out} {}ms{client}",
            data_pool_client::units::format_time(data_pool_client::units::now_unix())
                .replacen(' ', "T", 1)
                .replace(" UTC", "Z"),
            response.status().as_u16(),
            started.elapsed().as_millis()
        ));
    }
    response
}
