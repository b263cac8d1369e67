//! `custodian …` and `dataset …`: register and list a pool's custodians; deliver an approved
//! offer (build the manifest of the pool's active set, store it, record the delivery on chain,
//! which pays the sale out); and, for the buyer, fetch a delivery and verify it against the
//! on-chain receipt.

use std::fmt;
use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use data_pool::state::OfferState;
use data_pool_client::chain::Chain;
use data_pool_client::custody::{self, CustodyError};
use data_pool_client::delivery::Manifest;
use data_pool_client::pda::find_custodian_pda;
use data_pool_client::query::{self, offer_state_name as state_name};
use data_pool_client::units::{format_amount, format_time};
use serde::Serialize;
use solana_signer::Signer;

use crate::context::{Ctx, Review};
use crate::error::{CliError, EXIT_UNREACHABLE};
use crate::lookup;
use crate::output::{fields, Listing, Printed, Transaction};
use crate::registry::{self, Role};

/// Name of the manifest in an offer's folder of the store.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `custodian add` / `custodian remove`.
pub async fn set<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    key: &Pubkey,
    add: bool,
) -> Result<Printed, CliError> {
    registry::set(ctx, Role::Custodian, pool, key, add).await
}

/// A custodian as `custodian list` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustodianView {
    /// Its record.
    pub record: String,
    /// Its signing key.
    pub key: String,
    /// Active or removed.
    pub active: bool,
    /// Deliveries it made.
    pub delivered_count: u64,
    /// When it was added (unix time).
    pub added_at: i64,
    /// When it was removed (0: never).
    pub removed_at: i64,
}

/// `custodian list`.
pub async fn list<C: Chain>(ctx: &Ctx<'_, C>, pool: &Pubkey) -> Result<Printed, CliError> {
    lookup::pool(ctx, pool).await?;
    let mut list = query::custodians(ctx.chain, &ctx.program_id, pool).await?;
    list.sort_by_key(|(_, c)| (!c.active, c.added_at));
    let views = list
        .iter()
        .map(|(k, c)| CustodianView {
            record: k.to_string(),
            key: c.key.to_string(),
            active: c.active,
            delivered_count: c.delivered_count,
            added_at: c.added_at,
            removed_at: c.removed_at,
        })
        .collect();
    Ok(Printed::of(&Listing::new(
        views,
        &["KEY", "STATUS", "DELIVERED", "ADDED"],
        |c: &CustodianView| {
            vec![
                c.key.clone(),
                if c.active { "active" } else { "removed" }.into(),
                c.delivered_count.to_string(),
                format_time(c.added_at),
            ]
        },
        format!("pool {pool} has no custodians"),
    )))
}

/// A delivery recorded on chain.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivered {
    /// The offer.
    pub offer: String,
    /// The pool.
    pub pool: String,
    /// The slice delivered.
    pub slice: String,
    /// Where the manifest is stored.
    pub manifest: String,
    /// sha256 of the manifest (hex), as recorded on chain.
    pub manifest_hash: String,
    /// Contributions in the delivered set.
    pub contributions: u64,
    /// Their total weight.
    pub total_weight: u64,
    /// Bytes delivered.
    pub bytes: u64,
    /// Fee paid to the fee vault.
    pub fee: u64,
    /// Credited to contributors.
    pub net: u64,
}

fn store_error(what: &str, path: &Path, e: std::io::Error) -> CliError {
    CliError {
        code: EXIT_UNREACHABLE,
        ..CliError::input(format!("cannot {what} {}: {e}", path.display()))
    }
    .with_hint("check that the store directory exists and is writable; nothing was sent")
}

/// Writes `bytes` to `path` through a temporary file, so a crash never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| store_error("create", dir, e))?;
    }
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| store_error("write", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| store_error("write", path, e))
}

fn custody_error(e: CustodyError) -> CliError {
    match e {
        CustodyError::Query(q) => q.into(),
        CustodyError::Chain(c) => c.into(),
        e @ CustodyError::NotAwaiting { .. } => CliError::input(e.to_string()).with_hint(
            "only an offer the vote approved can be delivered: see `datapool offer show`",
        ),
        e => CliError::failed(e.to_string()).with_hint("run the same command again"),
    }
}

/// `custodian deliver`: signed by -k/--keypair, which must be an active custodian of the pool.
pub async fn deliver<C: Chain>(
    ctx: &Ctx<'_, C>,
    offer: &Pubkey,
    store: &Path,
    slice: &str,
) -> Result<Printed, CliError> {
    lookup::offer(ctx, offer).await?;
    let prep = custody::prepare(ctx.chain, &ctx.program_id, offer, slice)
        .await
        .map_err(custody_error)?;
    let me = ctx.signer()?.pubkey();
    let pool = prep.offer.pool;
    let record = find_custodian_pda(&ctx.program_id, &pool, &me).0;
    let active = query::custodians(ctx.chain, &ctx.program_id, &pool)
        .await?
        .iter()
        .any(|(k, c)| *k == record && c.active);
    if !active {
        return Err(CliError::input(format!(
            "{me} is not an active custodian of pool {pool}"
        ))
        .with_hint("sign with a registered custodian's keypair (-k); the curator adds one with `datapool custodian add`"));
    }
    let (bytes, receipt, i) = prep.delivery(&ctx.program_id, offer, &me);
    let path = store.join(offer.to_string()).join(MANIFEST_FILE);
    let d = prep.pool.mint_decimals;
    ctx.confirm(&Review {
        title: format!("Deliver offer {offer} of pool {}", prep.pool.name),
        rows: vec![
            ("slice".into(), slice.into()),
            (
                "set".into(),
                format!(
                    "{} contributions, weight {}",
                    receipt.contribution_count, receipt.total_weight
                ),
            ),
            ("store".into(), path.display().to_string()),
            (
                "settles".into(),
                format!(
                    "{} from escrow to the pool and the fee vault",
                    format_amount(prep.offer.price.into(), d)
                ),
            ),
        ],
    })?;
    // Stored first: a crash after this point leaves a delivery that is simply made again.
    write_atomically(&path, &bytes)?;
    let sent = ctx.send("Deliver", &[i], true, &[]).await.map_err(|e| {
        if e.failure.as_ref().is_some_and(|f| f.name == "DeliverySetMismatch") {
            e.with_hint("a contribution entered or left meanwhile: run the same command again to rebuild the delivery")
        } else {
            e
        }
    })?;
    let after = query::offer(ctx.chain, &ctx.program_id, offer).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Delivered {
            offer: offer.to_string(),
            pool: pool.to_string(),
            slice: slice.into(),
            manifest: path.display().to_string(),
            manifest_hash: hex::encode(receipt.manifest_hash),
            contributions: receipt.contribution_count,
            total_weight: receipt.total_weight,
            bytes: receipt.size,
            fee: after.fee_paid,
            net: after.net_distributed,
        },
        format!(
            "Delivered offer {offer}: {} contributions, the sale is paid out",
            receipt.contribution_count
        ),
        vec![
            ("Manifest", path.display().to_string()),
            (
                "Paid to contributors",
                format_amount(after.net_distributed.into(), d),
            ),
            ("Fee", format_amount(after.fee_paid.into(), d)),
        ],
    )))
}

/// A delivery fetched and verified.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fetched {
    /// The offer.
    pub offer: String,
    /// The slice delivered.
    pub slice: String,
    /// Where the verified manifest was written.
    pub manifest: PathBuf,
    /// Contributions in the delivered set (each with its data hash and score in the manifest).
    pub contributions: u64,
    /// Their total weight.
    pub total_weight: u64,
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
                ("Delivered", format_time(self.delivered_at)),
                ("Manifest", self.manifest.display().to_string()),
            ])
        )
    }
}

/// `dataset fetch`: reads the offer's delivery from the store, verifies it against the receipt
/// on chain, and writes it to `out`. A delivery that does not match is refused, never written.
pub async fn fetch<C: Chain>(
    ctx: &Ctx<'_, C>,
    offer: &Pubkey,
    store: &Path,
    out: &Path,
) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, offer).await?;
    if o.state != OfferState::Accepted {
        return Err(CliError::input(format!(
            "offer {offer} is {}, not delivered",
            state_name(&o.state)
        ))
        .with_hint("a delivery exists once a custodian ran `datapool custodian deliver`"));
    }
    let src = store.join(offer.to_string()).join(MANIFEST_FILE);
    let bytes = std::fs::read(&src).map_err(|e| store_error("read", &src, e))?;
    let m = Manifest::verify(&bytes, &o.receipt).map_err(|e| {
        CliError::failed(format!(
            "the stored delivery does not match the on-chain receipt: {e}"
        ))
        .with_hint("the store was altered or is another offer's; nothing was written")
    })?;
    let dst = out.join(MANIFEST_FILE);
    write_atomically(&dst, &bytes)?;
    Ok(Printed::of(&Fetched {
        offer: offer.to_string(),
        slice: m.slice,
        manifest: dst,
        contributions: m.commitment.contribution_count,
        total_weight: m.commitment.total_weight,
        delivered_at: o.delivered_at,
    }))
}
