//! `attestor …`: register, deactivate and list a pool's attestors, and run the attestor service.

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::Chain;
use data_pool_client::custody;
use data_pool_client::query;
use data_pool_client::units::format_time;
use serde::Serialize;
use solana_signer::Signer;

use crate::context::Ctx;
use crate::error::CliError;
use crate::lookup;
use crate::output::{Listing, Printed};
use crate::registry::{self, Role};
use crate::resolve::open_store;
use crate::resolve::Serve;
use crate::service;

/// `attestor add` / `attestor remove`.
pub async fn set<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    key: &Pubkey,
    add: bool,
) -> Result<Printed, CliError> {
    registry::set(ctx, Role::Attestor, pool, key, add).await
}

/// An attestor as `attestor list` prints it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttestorView {
    /// Its record.
    pub record: String,
    /// Its signing key.
    pub key: String,
    /// Active or removed.
    pub active: bool,
    /// Contributions it attested.
    pub attested_count: u64,
    /// When it was added (unix time).
    pub added_at: i64,
    /// When it was removed (0: never).
    pub removed_at: i64,
}

/// `attestor list`.
pub async fn list<C: Chain>(ctx: &Ctx<'_, C>, pool: &Pubkey) -> Result<Printed, CliError> {
    lookup::pool(ctx, pool).await?;
    let mut list = query::attestors(ctx.chain, &ctx.program_id, pool).await?;
    list.sort_by_key(|(_, a)| (!a.active, a.added_at));
    let views = list
        .iter()
        .map(|(k, a)| AttestorView {
            record: k.to_string(),
            key: a.key.to_string(),
            active: a.active,
            attested_count: a.attested_count,
            added_at: a.added_at,
            removed_at: a.removed_at,
        })
        .collect();
    Ok(Printed::of(&Listing::new(
        views,
        &["KEY", "STATUS", "ATTESTED", "ADDED"],
        |a: &AttestorView| {
            vec![
                a.key.clone(),
                if a.active { "active" } else { "removed" }.into(),
                a.attested_count.to_string(),
                format_time(a.added_at),
            ]
        },
        format!("pool {pool} has no attestors"),
    )))
}

/// `attestor serve`: runs until Ctrl-C.
pub async fn serve<C: Chain>(ctx: &Ctx<'_, C>, s: &Serve) -> Result<Printed, CliError> {
    let max_score = match s.max_score {
        Some(m) => m,
        None => {
            lookup::pool(ctx, &s.pool)
                .await
                .map_err(|e| CliError {
                    hint: Some("pass --max-score to serve without reading the pool".into()),
                    ..e
                })?
                .params
                .max_score
        }
    };
    let keypair = ctx
        .keypair("the attestor service (signing attestations)")?
        .insecure_clone();
    let attestor = keypair.pubkey();
    let identities = crate::config::identities(&s.identities, &keypair)?;
    let store = s.store.as_deref().map(open_store).transpose()?;
    let sweep_store = store.clone();
    let (lookups, mut requests) = service::lookups();
    let what = match &store {
        Some(st) => format!(
            "attesting, storing records in {} and serving deliveries",
            st.url()
        ),
        None => "attesting".into(),
    };
    let cfg = service::ServiceConfig {
        program_id: ctx.program_id,
        pool: s.pool,
        max_score,
        keypair,
        max_body: s.max_body,
        concurrency: s.concurrency,
        ttl: s.ttl,
        store,
        custodians: s.custodians.clone(),
        lookups: Some(lookups),
        access_log: s.access_log.clone(),
        rate_per_minute: s.rate_limit,
        identities,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let pool = s.pool;
    let server = service::serve(
        cfg,
        s.bind,
        |a| {
            eprintln!(
                "attestor {attestor} serving pool {pool} on http://{a}: {what} (Ctrl-C to stop)"
            )
        },
        shutdown,
    );
    // Chain reads are answered here, on this command's chain, while the server runs; with a
    // store, records of contributions taken out or invalidated are swept on a timer.
    let sweeper = async {
        let Some(store) = &sweep_store else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(s.sweep_every as u64)).await;
            let now = data_pool_client::units::now_unix();
            match custody::sweep(ctx.chain, &ctx.program_id, &pool, store, 3_600, now).await {
                Ok(w) if !w.deleted.is_empty() => {
                    eprintln!(
                        "swept {} records of contributions no longer active",
                        w.deleted.len()
                    )
                }
                Ok(_) => {}
                Err(e) => eprintln!("sweep failed (will retry): {e}"),
            }
        }
    };
    let served = tokio::select! {
        r = server => r,
        () = service::answer_lookups(ctx.chain, ctx.program_id, pool, &mut requests) => Ok(()),
        () = sweeper => Ok(()),
    };
    served.map_err(|e| CliError::input(format!("cannot serve on {}: {e}", s.bind)))?;
    Ok(Printed::nothing())
}
