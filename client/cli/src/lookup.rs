//! Chain reads that commands share, with messages that say what is wrong and what to do.

use anchor_lang::prelude::Pubkey;
use data_pool::state::{Offer, Pool};
use data_pool_client::chain::Chain;
use data_pool_client::query::{self, QueryError};

use crate::context::Ctx;
use crate::error::CliError;

/// The pool at `addr`.
pub async fn pool<C: Chain>(ctx: &Ctx<'_, C>, addr: &Pubkey) -> Result<Pool, CliError> {
    query::pool(ctx.chain, &ctx.program_id, addr)
        .await
        .map_err(|e| match e {
            QueryError::NotFound { .. } => {
                CliError::input(format!("no pool at {addr} on {}", ctx.chain.label()))
                    .with_hint("list pools with `datapool pool list`; check --url")
            }
            other => other.into(),
        })
}

/// The offer at `addr`.
pub async fn offer<C: Chain>(ctx: &Ctx<'_, C>, addr: &Pubkey) -> Result<Offer, CliError> {
    Ok(offer_with_votes(ctx, addr).await?.0)
}

/// The offer at `addr` and its vote bitmap (empty once voting is over).
pub async fn offer_with_votes<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
) -> Result<(Offer, Vec<u8>), CliError> {
    query::offer_with_votes(ctx.chain, &ctx.program_id, addr)
        .await
        .map_err(|e| match e {
            QueryError::NotFound { .. } => {
                CliError::input(format!("no offer at {addr} on {}", ctx.chain.label()))
                    .with_hint("list offers with `datapool offer list <POOL>`")
            }
            other => other.into(),
        })
}

/// A token account of the pool's mint, checked (exists, mint, optionally owner).
pub async fn token_account<C: Chain>(
    ctx: &Ctx<'_, C>,
    address: &Pubkey,
    pool: &Pool,
    owner: Option<&Pubkey>,
    role: &str,
) -> Result<query::TokenAccount, CliError> {
    let t = query::token_account(ctx.chain, address)
        .await
        .map_err(|e| match e {
            QueryError::Chain(c) => c.into(),
            other => CliError::input(format!("{role}: {other}")),
        })?;
    if t.mint != pool.mint {
        return Err(CliError::input(format!(
            "{role} {address} holds mint {}, but the pool pays in {}",
            t.mint, pool.mint
        ))
        .with_hint("use a token account of the pool's payout mint"));
    }
    if let Some(o) = owner {
        if t.owner != *o {
            return Err(CliError::input(format!(
                "{role} {address} belongs to {}, not {o}",
                t.owner
            )));
        }
    }
    Ok(t)
}

/// The identity commitment of contributor record `record` of `pool`, read from its latest
/// submission (records do not store it; it is their address's seed).
pub async fn identity<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    record: &Pubkey,
) -> Result<[u8; 32], CliError> {
    data_pool_client::history::record_contribution(ctx.chain, &ctx.program_id, pool, record)
        .await?
        .map(|r| r.identity)
        .ok_or_else(|| {
            CliError::failed(format!(
                "the node has no record of the transaction that created contribution {record}, so its identity commitment is unknown"
            ))
            .with_hint("use an RPC node that keeps full transaction history")
        })
}

/// Where a payout or a sweep goes: `to` (checked as a token account of the pool's mint), or
/// `owner`'s associated token account, created by an instruction pushed to `ixs` when missing.
pub async fn destination<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pool,
    to: Option<&Pubkey>,
    owner: &Pubkey,
    ixs: &mut Vec<anchor_lang::solana_program::instruction::Instruction>,
) -> Result<Pubkey, CliError> {
    if let Some(d) = to {
        token_account(ctx, d, pool, None, "destination").await?;
        return Ok(*d);
    }
    let ata = data_pool_client::token::associated_address(owner, &pool.mint, &pool.token_program);
    if ctx.chain.get_account(&ata).await?.is_none() {
        ixs.push(data_pool_client::token::create_associated_idempotent(
            &ctx.payer()?.pubkey(),
            owner,
            &pool.mint,
            &pool.token_program,
        ));
    } else {
        token_account(ctx, &ata, pool, Some(owner), "destination").await?;
    }
    Ok(ata)
}
