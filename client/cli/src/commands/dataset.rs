//! `dataset fetch`: the buyer downloads an offer's delivery (from the pool's data service with a
//! signed request, or from the store), decrypts it with their keypair, verifies it against the
//! on-chain receipt and writes the Parquet files and the manifest. Nothing is written unless
//! everything verifies.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use data_pool::state::OfferState;
use data_pool_client::chain::Chain;
use data_pool_client::custody::MANIFEST_FILE;
use data_pool_client::fetch::{fetch_verified, request_message, FetchError, Source};
use data_pool_client::query::offer_state_name as state_name;
use data_pool_client::store::StoreError;
use data_pool_client::units::{format_time, now_unix};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::context::Ctx;
use crate::error::{CliError, EXIT_UNREACHABLE};
use crate::lookup;
use crate::output::{fields, Printed};
use crate::resolve::{open_store, FetchFrom};

/// The pool's data service, asked with requests signed by the buyer.
pub struct Service<'a> {
    url: String,
    buyer: &'a Keypair,
    http: reqwest::Client,
}

impl<'a> Service<'a> {
    /// The service at `url`, signing with `buyer`.
    pub fn new(url: &str, buyer: &'a Keypair) -> Self {
        Service {
            url: url.trim_end_matches('/').to_string(),
            buyer,
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(600))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl Source for Service<'_> {
    async fn file(&self, offer: &Pubkey, name: &str) -> Result<Vec<u8>, StoreError> {
        let time = now_unix();
        let sig = self.buyer.sign_message(&request_message(offer, name, time));
        let key = format!("{}/v1/deliveries/{offer}/{name}", self.url);
        let failed = |message: String| StoreError::Failed {
            store: self.url.clone(),
            op: "fetch",
            key: key.clone(),
            message,
        };
        let r = self
            .http
            .get(&key)
            .header("x-datapool-signer", self.buyer.pubkey().to_string())
            .header("x-datapool-time", time.to_string())
            .header("x-datapool-signature", sig.to_string())
            .send()
            .await
            .map_err(|e| failed(e.to_string()))?;
        let status = r.status();
        let body = r.bytes().await.map_err(|e| failed(e.to_string()))?;
        if status.is_success() {
            return Ok(body.to_vec());
        }
        let detail = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["detail"].as_str().map(String::from))
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        Err(match status.as_u16() {
            404 => StoreError::NotFound {
                store: self.url.clone(),
                key,
            },
            400..=499 => StoreError::Refused {
                store: self.url.clone(),
                message: format!("{status}: {detail}"),
            },
            _ => failed(format!("{status}: {detail}")),
        })
    }
}

/// A delivery fetched, verified and written.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
    /// The offer.
    pub offer: String,
    /// The slice delivered.
    pub slice: String,
    /// The files written (the manifest and the opened Parquet files).
    pub files: Vec<PathBuf>,
    /// Contributions in the delivered set (each with its data hash and score in the manifest).
    pub contributions: u64,
    /// Their total weight.
    pub total_weight: u64,
    /// Rows (`rows`) or groups (`aggregate`) verified.
    pub rows: u64,
    /// When it was delivered (unix time).
    pub delivered_at: i64,
}

impl fmt::Display for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Verified the delivery of offer {} against its on-chain receipt",
            self.offer
        )?;
        write!(
            f,
            "{}",
            fields(&[
                ("Slice", self.slice.clone()),
                ("Contributions", self.contributions.to_string()),
                ("Total weight", self.total_weight.to_string()),
                ("Rows", self.rows.to_string()),
                ("Delivered", format_time(self.delivered_at)),
                (
                    "Files",
                    self.files
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ])
        )
    }
}

fn write_error(path: &Path, e: std::io::Error) -> CliError {
    CliError {
        code: EXIT_UNREACHABLE,
        ..CliError::input(format!("cannot write {}: {e}", path.display()))
    }
    .with_hint("check that the output directory is writable")
}

/// Writes `bytes` to `path` through a temporary file, so a crash never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| write_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| write_error(path, e))
}

/// `dataset fetch`, signed by -k/--keypair, the offer's buyer.
pub async fn fetch<C: Chain>(
    ctx: &Ctx<'_, C>,
    offer: &Pubkey,
    from: &FetchFrom,
    out: &Path,
) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, offer).await?;
    if o.state != OfferState::Accepted {
        return Err(CliError::failed(format!(
            "offer {offer} is {}, not delivered",
            state_name(&o.state)
        ))
        .with_hint("a delivery exists once a custodian ran `datapool custodian deliver`"));
    }
    let buyer = ctx.keypair("fetching a delivery (decrypting it)")?;
    if buyer.pubkey() != o.buyer {
        return Err(CliError::failed(format!(
            "the delivery is encrypted to the offer's buyer {}, not to {}",
            o.buyer,
            buyer.pubkey()
        ))
        .with_hint("sign with the buyer's keypair (-k)"));
    }
    let verified = match from {
        FetchFrom::Service(url) => {
            fetch_verified(&Service::new(url, buyer), offer, &o, buyer).await
        }
        FetchFrom::Store(url) => fetch_verified(&open_store(url)?, offer, &o, buyer).await,
    }
    .map_err(|e| match e {
        FetchError::Store(s) => s.into(),
        e => CliError::failed(format!(
            "the delivery does not match the on-chain receipt: {e}"
        ))
        .with_hint("the store was altered or holds another offer's delivery; nothing was written"),
    })?;
    let mut files = vec![out.join(MANIFEST_FILE)];
    write_atomically(&files[0], &verified.manifest_bytes)?;
    for f in &verified.files {
        let p = out.join(&f.name);
        write_atomically(&p, &f.bytes)?;
        files.push(p);
    }
    let m = verified.manifest;
    Ok(Printed::of(&Fetched {
        offer: offer.to_string(),
        slice: m.slice,
        files,
        contributions: m.commitment.contribution_count,
        total_weight: m.commitment.total_weight,
        rows: verified.rows,
        delivered_at: o.delivered_at,
    }))
}
