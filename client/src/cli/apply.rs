//! `datapool pool apply <CONFIG>`: create a pool from a TOML file, or bring an existing one in
//! line with it (parameters, attestors). Re-runnable: a second run does nothing.

use std::path::Path;

use serde::Deserialize;
use serde_json::json;
use solana_signer::Signer;

use super::commands::load_pool;
use super::output::fields;
use super::{parse_pubkey, CliError, Ctx, Report};
use crate::chain::Chain;
use crate::instructions::{self as ix, PoolCreateArgs, PoolUpdateArgs};
use crate::query;
use crate::units::{parse_amount, parse_duration};

/// The config file (see `migrations/pool.example.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfigFile {
    /// Pool name (with the curator's key it makes the pool's address).
    pub name: String,
    /// Payout mint.
    pub mint: String,
    /// Curator fee, bps.
    pub fee_bps: u16,
    /// Quorum, bps.
    pub quorum_bps: u16,
    /// Approval threshold, bps.
    pub approval_bps: u16,
    /// Voting period (`3d`, `90s`).
    pub voting_period: String,
    /// Minimum offer price in the mint's units.
    pub min_price: String,
    /// Highest score per contribution.
    pub max_score: u64,
    /// Attestor keys that must be active.
    #[serde(default)]
    pub attestors: Vec<String>,
    /// Deactivate active attestors not listed above.
    #[serde(default)]
    pub remove_unlisted_attestors: bool,
}

/// Applies the config at `path`.
pub async fn apply<C: Chain>(ctx: &Ctx<'_, C>, path: &Path) -> Result<Report, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let cfg: PoolConfigFile =
        toml::from_str(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    let p = &ctx.program_id;
    let me = ctx.signer()?.pubkey();
    let payer = ctx.payer()?.pubkey();
    let mint = parse_pubkey(&cfg.mint, "mint")?;
    let (token_program, decimals) = query::mint(ctx.chain, &mint).await?;
    let voting_period = parse_duration(&cfg.voting_period).map_err(CliError::input)?;
    let min_offer_price = parse_amount(&cfg.min_price, decimals).map_err(CliError::input)?;
    let wanted: Vec<_> = cfg
        .attestors
        .iter()
        .map(|a| parse_pubkey(a, "attestor"))
        .collect::<Result<_, _>>()?;

    let create = ix::pool_create(
        p,
        &payer,
        &me,
        &mint,
        &token_program,
        PoolCreateArgs {
            name: cfg.name.clone(),
            fee_bps: cfg.fee_bps,
            quorum_bps: cfg.quorum_bps,
            approval_bps: cfg.approval_bps,
            voting_period,
            min_offer_price,
            max_score: cfg.max_score,
        },
    );
    let pool = create.accounts[2].pubkey;
    let mut actions: Vec<String> = Vec::new();
    let mut signatures: Vec<String> = Vec::new();

    if ctx.chain.get_account(&pool).await?.is_none() {
        let s = ctx.send("Create pool", &[create], true, &[]).await?;
        actions.push(format!("created pool {:?} at {pool}", cfg.name));
        signatures.push(s.signature);
    } else {
        let (_, cur) = load_pool(ctx, &pool.to_string()).await?;
        if cur.mint != mint {
            return Err(CliError::input(format!(
                "pool {pool} pays in {}, the config says {mint}; the mint of a pool cannot change",
                cur.mint
            )));
        }
        let diff = |a, b| (a != b).then_some(b);
        let args = PoolUpdateArgs {
            fee_bps: diff(cur.fee_bps, cfg.fee_bps),
            quorum_bps: diff(cur.quorum_bps, cfg.quorum_bps),
            approval_bps: diff(cur.approval_bps, cfg.approval_bps),
            voting_period: (cur.voting_period != voting_period).then_some(voting_period),
            min_offer_price: (cur.min_offer_price != min_offer_price).then_some(min_offer_price),
            max_score: (cur.max_score != cfg.max_score).then_some(cfg.max_score),
        };
        let changed = format!("{args:?}");
        let any = args.fee_bps.is_some()
            || args.quorum_bps.is_some()
            || args.approval_bps.is_some()
            || args.voting_period.is_some()
            || args.min_offer_price.is_some()
            || args.max_score.is_some();
        if any {
            let s = ctx
                .send(
                    "Update pool",
                    &[ix::pool_update(p, &me, &pool, args)],
                    true,
                    &[],
                )
                .await?;
            actions.push(format!("updated pool parameters {changed}"));
            signatures.push(s.signature);
        }
    }

    let existing = query::attestors(ctx.chain, p, &pool).await?;
    for key in &wanted {
        let active = existing.iter().any(|(_, a)| a.key == *key && a.active);
        if !active {
            let s = ctx
                .send(
                    "Add attestor",
                    &[ix::attestor_add(p, &payer, &me, &pool, key)],
                    true,
                    &[],
                )
                .await?;
            actions.push(format!("added attestor {key}"));
            signatures.push(s.signature);
        }
    }
    if cfg.remove_unlisted_attestors {
        for (_, a) in existing
            .iter()
            .filter(|(_, a)| a.active && !wanted.contains(&a.key))
        {
            let s = ctx
                .send(
                    "Remove attestor",
                    &[ix::attestor_remove(p, &me, &pool, &a.key)],
                    true,
                    &[],
                )
                .await?;
            actions.push(format!("removed attestor {}", a.key));
            signatures.push(s.signature);
        }
    }
    let text = fields(&[
        ("Pool", format!("{pool} ({})", cfg.name)),
        (
            "Changes",
            if actions.is_empty() {
                "none: the pool already matches the config".into()
            } else {
                actions.join("\n          ")
            },
        ),
    ]);
    Ok(Report::new(
        &json!({ "pool": pool.to_string(), "actions": actions, "signatures": signatures }),
        text,
    ))
}
