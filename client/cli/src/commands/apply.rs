//! `datapool pool apply <CONFIG>`: create a pool from a TOML file, or bring an existing one in
//! line with it (parameters, attestors). Re-runnable: a second run does nothing.

use std::fmt;

use data_pool_client::chain::Chain;
use data_pool_client::instructions::{self as ix, PoolCreateArgs, PoolUpdateArgs};
use data_pool_client::query;
use serde::Serialize;

use crate::context::Ctx;
use crate::error::CliError;
use crate::lookup;
use crate::output::{fields, Printed};
use crate::resolve::PoolConfig;

/// What `pool apply` did.
#[derive(Debug, Serialize)]
pub struct Applied {
    /// The pool.
    pub pool: String,
    /// What changed, one sentence each (empty: the pool already matched).
    pub actions: Vec<String>,
    /// The signatures of the transactions sent.
    pub signatures: Vec<String>,
    #[serde(skip)]
    name: String,
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changes = if self.actions.is_empty() {
            "none: the pool already matches the config".into()
        } else {
            self.actions.join("\n          ")
        };
        write!(
            f,
            "{}",
            fields(&[
                ("Pool", format!("{} ({})", self.pool, self.name)),
                ("Changes", changes)
            ])
        )
    }
}

/// Applies `cfg`.
pub async fn apply<C: Chain>(ctx: &Ctx<'_, C>, cfg: &PoolConfig) -> Result<Printed, CliError> {
    let p = &ctx.program_id;
    let me = ctx.signer()?.pubkey();
    let payer = ctx.payer()?.pubkey();
    let (token_program, decimals) = query::mint(ctx.chain, &cfg.mint).await?;
    let params = cfg.params.over(None, decimals)?;
    let create = ix::pool_create(
        p,
        &payer,
        &me,
        &cfg.mint,
        &token_program,
        PoolCreateArgs {
            name: cfg.name.clone(),
            params,
            claim_window: ix::DEFAULT_CLAIM_WINDOW,
        },
    );
    let pool = create.accounts[2].pubkey;
    let mut out = Applied {
        pool: pool.to_string(),
        actions: vec![],
        signatures: vec![],
        name: cfg.name.clone(),
    };

    if ctx.chain.get_account(&pool).await?.is_none() {
        let s = ctx.send("Create pool", &[create], true, &[]).await?;
        out.actions
            .push(format!("created pool {:?} at {pool}", cfg.name));
        out.signatures.push(s.signature);
    } else {
        let cur = lookup::pool(ctx, &pool).await?;
        if cur.mint != cfg.mint {
            return Err(CliError::failed(format!(
                "pool {pool} pays in {}, the config says {}; the mint of a pool cannot change",
                cur.mint, cfg.mint
            )));
        }
        if cur.params != params {
            let changed = format!("{:?} -> {params:?}", cur.params);
            let i = ix::pool_update(p, &me, &pool, PoolUpdateArgs { params });
            let s = ctx.send("Update pool", &[i], true, &[]).await?;
            out.actions
                .push(format!("updated pool parameters {changed}"));
            out.signatures.push(s.signature);
        }
    }

    let existing = query::attestors(ctx.chain, p, &pool).await?;
    for key in &cfg.attestors {
        if !existing.iter().any(|(_, a)| a.key == *key && a.active) {
            let i = ix::attestor_add(p, &payer, &me, &pool, key);
            let s = ctx.send("Add attestor", &[i], true, &[]).await?;
            out.actions.push(format!("added attestor {key}"));
            out.signatures.push(s.signature);
        }
    }
    if cfg.remove_unlisted_attestors {
        for (_, a) in existing
            .iter()
            .filter(|(_, a)| a.active && !cfg.attestors.contains(&a.key))
        {
            let i = ix::attestor_remove(p, &me, &pool, &a.key);
            let s = ctx.send("Remove attestor", &[i], true, &[]).await?;
            out.actions.push(format!("removed attestor {}", a.key));
            out.signatures.push(s.signature);
        }
    }
    Ok(Printed::of(&out))
}
