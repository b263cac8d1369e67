//! `custodian …`: register and list a pool's custodians, and deliver an approved offer: build
//! the slice its terms name from the stored records of exactly the pool's active set, seal it to
//! the buyer, store it, and record the delivery on chain, which pays the sale out.

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::Chain;
use data_pool_client::custody::{self, CustodyError};
use data_pool_client::dataset::Terms;
use data_pool_client::pda::find_custodian_pda;
use data_pool_client::query;
use data_pool_client::store::delivery_key;
use data_pool_client::units::{format_amount, format_time};
use serde::Serialize;
use solana_signer::Signer;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{Listing, Printed, Transaction};
use crate::registry::{self, Role};
use crate::resolve::open_store;

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
    /// The store.
    pub store: String,
    /// The stored files (the manifest first), each sealed to the buyer but the manifest.
    pub files: Vec<String>,
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

fn custody_error(e: CustodyError) -> CliError {
    match e {
        CustodyError::Query(q) => q.into(),
        CustodyError::Chain(c) => c.into(),
        CustodyError::Store(s) => s.into(),
        e @ CustodyError::NotAwaiting { .. } => CliError::failed(e.to_string()).with_hint(
            "only an offer the vote approved can be delivered: see `datapool offer show`",
        ),
        e @ CustodyError::Terms { .. } => CliError::input(e.to_string())
            .with_hint("pass the --slice and --terms the buyer passed to `datapool offer create`"),
        e @ (CustodyError::MissingRecords { .. } | CustodyError::AlteredRecords { .. }) => {
            CliError::failed(e.to_string()).with_hint("nothing was sent or paid")
        }
        e => CliError::failed(e.to_string()).with_hint("run the same command again"),
    }
}

/// `custodian deliver`: signed by -k/--keypair, which must be an active custodian of the pool.
pub async fn deliver<C: Chain>(
    ctx: &Ctx<'_, C>,
    offer: &Pubkey,
    store_url: &str,
    terms: Option<Terms>,
) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, offer).await?;
    let terms = match terms {
        Some(t) => t,
        None => Terms::of_offer(&o.terms_hash, &o.terms_uri).ok_or_else(|| {
            CliError::input(format!(
                "offer {offer} does not carry its terms (its terms URI is {:?})",
                o.terms_uri
            ))
            .with_hint("pass the --slice and --terms the buyer passed to `datapool offer create`")
        })?,
    };
    let terms = &terms;
    let store = open_store(store_url)?;
    let mut prep = custody::prepare(ctx.chain, &ctx.program_id, offer, terms)
        .await
        .map_err(custody_error)?;
    let signer = ctx.keypair("delivering (sealing the data to the buyer)")?;
    let me = signer.pubkey();
    let pool = prep.offer.pool;
    let record = find_custodian_pda(&ctx.program_id, &pool, &me).0;
    let active = query::custodians(ctx.chain, &ctx.program_id, &pool)
        .await?
        .iter()
        .any(|(k, c)| *k == record && c.active);
    if !active {
        return Err(CliError::failed(format!(
            "{me} is not an active custodian of pool {pool}"
        ))
        .with_hint("sign with a registered custodian's keypair (-k); the curator adds one with `datapool custodian add`"));
    }
    let c = &prep.manifest.commitment;
    let d = prep.pool.mint_decimals;
    ctx.confirm(&Review {
        title: format!("Deliver offer {offer} of pool {}", prep.pool.name),
        rows: vec![
            ("slice".into(), terms.slice.clone()),
            (
                "set".into(),
                format!(
                    "{} contributions, weight {}",
                    c.contribution_count, c.total_weight
                ),
            ),
            (
                "encrypted to".into(),
                format!("the buyer, {}", prep.offer.buyer),
            ),
            ("store".into(), store.url().to_string()),
            (
                "settles".into(),
                format!(
                    "{} from escrow to the pool and the fee vault",
                    format_amount(prep.offer.price.into(), d)
                ),
            ),
        ],
    })?;
    // Stored first: a crash after this point leaves a delivery that is simply built again.
    let (_, receipt, i) = prep
        .build(&store, signer, &ctx.program_id, offer)
        .await
        .map_err(custody_error)?;
    let sent = ctx.send("Deliver", &[i], true, &[]).await.map_err(|e| {
        if e.failure.as_ref().is_some_and(|f| f.name == "DeliverySetMismatch") {
            e.with_hint("a contribution entered or left meanwhile: run the same command again to rebuild the delivery")
        } else {
            e
        }
    })?;
    let after = query::offer(ctx.chain, &ctx.program_id, offer).await?;
    let mut files = vec![delivery_key(offer, custody::MANIFEST_FILE)];
    files.extend(
        prep.manifest
            .files
            .iter()
            .map(|f| delivery_key(offer, &f.name)),
    );
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Delivered {
            offer: offer.to_string(),
            pool: pool.to_string(),
            slice: terms.slice.clone(),
            store: store.url().to_string(),
            files: files.clone(),
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
            ("Stored", files.join(", ")),
            ("Bytes", receipt.size.to_string()),
            (
                "Paid to contributors",
                format_amount(after.net_distributed.into(), d),
            ),
            ("Fee", format_amount(after.fee_paid.into(), d)),
        ],
    )))
}

/// What `custodian sweep` did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    /// The pool.
    pub pool: String,
    /// The store.
    pub store: String,
    /// What was kept and deleted.
    #[serde(flatten)]
    pub swept: custody::Swept,
}

impl std::fmt::Display for SweepReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Swept the records of pool {} in {}",
            self.pool, self.store
        )?;
        write!(
            f,
            "{}",
            crate::output::fields(&[
                ("Kept", self.swept.kept.to_string()),
                ("Recent uploads kept", self.swept.pending.to_string()),
                ("Deleted", self.swept.deleted.len().to_string()),
            ])
        )
    }
}

/// `custodian sweep`.
pub async fn sweep<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    store_url: &str,
    grace: i64,
) -> Result<Printed, CliError> {
    lookup::pool(ctx, pool).await?;
    let store = open_store(store_url)?;
    // Store times are wall-clock times.
    let now = data_pool_client::units::now_unix();
    let swept = custody::sweep(ctx.chain, &ctx.program_id, pool, &store, grace, now)
        .await
        .map_err(custody_error)?;
    Ok(Printed::of(&SweepReport {
        pool: pool.to_string(),
        store: store.url().to_string(),
        swept,
    }))
}
