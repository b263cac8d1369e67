//! Command handlers, written once against [`Chain`]. Each checks its input against chain state
//! first (so mistakes get a precise message and nothing is sent), shows a review block before
//! moving money or voting, sends, and returns a [`Report`].

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use data_pool::state::{Contribution, ContributionStatus, Offer, OfferState, Pool};
use serde_json::json;
use sha2::{Digest, Sha256};
use solana_signer::Signer;

use super::args::*;
use super::output::{fields, table};
use super::{parse_pubkey, CliError, Ctx, Report, Review};
use crate::attestation::{AttestationFile, MAX_ATTESTATION_FILE_LEN};
use crate::chain::Chain;
use crate::instructions::{self as ix, PoolCreateArgs, PoolTokens, PoolUpdateArgs};
use crate::pda::*;
use crate::query::offer_state_name as state_name;
use crate::query::{self, QueryError};
use crate::send::Sent;
use crate::token;
use crate::units::{format_amount, format_duration, parse_amount, parse_duration};

/// Runs one command.
pub async fn dispatch<C: Chain>(ctx: &Ctx<'_, C>, command: &Command) -> Result<Report, CliError> {
    match command {
        Command::Pool(c) => pool_cmd(ctx, c).await,
        Command::Attestor(c) => attestor_cmd(ctx, c).await,
        Command::Attest(a) => super::proof::attest(ctx, a).await,
        Command::Contribute {
            pool,
            attestation,
            file,
            attestor_url,
        } => match attestation {
            Some(path) => {
                let a = read_attestation(path)?;
                submit_attestation(ctx, pool, a, &path.display().to_string()).await
            }
            None => {
                super::proof::contribute_from_export(ctx, pool, file, attestor_url.as_deref()).await
            }
        },
        Command::Contribution(c) => contribution_cmd(ctx, c).await,
        Command::Offer(c) => offer_cmd(ctx, c).await,
        Command::Vote {
            offer,
            approve,
            reject,
        } => vote(ctx, offer, *approve && !*reject).await,
        Command::Claim { pool, to } => claim(ctx, pool, to.as_deref()).await,
        Command::Contributor(c) => contributor_cmd(ctx, c).await,
        Command::Audit {
            pool,
            html,
            no_history,
        } => super::auditor::run_audit(ctx, pool, html.as_deref(), *no_history).await,
        Command::Events {
            pool,
            follow,
            limit,
        } => super::auditor::run_events(ctx, pool, *follow, *limit).await,
        Command::Demo(d) => super::demo::run(ctx, d).await,
    }
}

// ---------------------------------------------------------------- helpers

fn bps(v: u16) -> String {
    format!("{}.{:02}%", v / 100, v % 100)
}

fn share(part: u128, whole: u128) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let ppm = part.saturating_mul(1_000_000) / whole;
    format!("{}.{:04}%", ppm / 10_000, ppm % 10_000)
}

/// A unix time as `YYYY-MM-DD HH:MM:SS UTC` (`-` for 0).
pub fn when(ts: i64) -> String {
    if ts == 0 {
        return "-".into();
    }
    let days = ts.div_euclid(86_400);
    let secs = ts.rem_euclid(86_400);
    let (y, m, d) = crate::units::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// A pool by address, with a message that says what is wrong with the address.
pub async fn load_pool<C: Chain>(ctx: &Ctx<'_, C>, text: &str) -> Result<(Pubkey, Pool), CliError> {
    let addr = parse_pubkey(text, "pool")?;
    let pool = query::pool(ctx.chain, &ctx.program_id, &addr)
        .await
        .map_err(|e| match e {
            QueryError::NotFound { .. } => {
                CliError::input(format!("no pool at {addr} on {}", ctx.chain.label()))
                    .with_hint("list pools with `datapool pool list`; check --url")
            }
            other => other.into(),
        })?;
    Ok((addr, pool))
}

async fn load_offer<C: Chain>(ctx: &Ctx<'_, C>, text: &str) -> Result<(Pubkey, Offer), CliError> {
    let addr = parse_pubkey(text, "offer")?;
    let offer = query::offer(ctx.chain, &ctx.program_id, &addr)
        .await
        .map_err(|e| match e {
            QueryError::NotFound { .. } => {
                CliError::input(format!("no offer at {addr} on {}", ctx.chain.label()))
                    .with_hint("list offers with `datapool offer list <POOL>`")
            }
            other => other.into(),
        })?;
    Ok((addr, offer))
}

/// The token accounts an offer or claim settles with.
pub fn pool_tokens(pool: &Pool) -> PoolTokens {
    PoolTokens {
        mint: pool.mint,
        token_program: pool.token_program,
        vault: pool.vault,
        fee_vault: pool.fee_vault,
    }
}

/// A token account of the pool's mint, checked (exists, mint, optionally owner).
async fn check_token_account<C: Chain>(
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

fn tx_report<C: Chain>(
    ctx: &Ctx<'_, C>,
    headline: String,
    sent: &Sent,
    mut details: serde_json::Value,
    rows: Vec<(&str, String)>,
) -> Report {
    let events: Vec<_> = crate::events::raw_events_from_logs(&ctx.program_id, &sent.logs)
        .iter()
        .filter_map(|b| crate::events::event_json(b))
        .collect();
    if let Some(obj) = details.as_object_mut() {
        obj.insert("signature".into(), json!(sent.signature));
        obj.insert("computeUnits".into(), json!(sent.compute_units));
        obj.insert("computeUnitLimit".into(), json!(sent.compute_unit_limit));
        obj.insert("events".into(), json!(events));
    }
    let mut all = rows;
    all.push(("Signature", sent.signature.clone()));
    all.push((
        "Compute units",
        format!("{} (limit {})", sent.compute_units, sent.compute_unit_limit),
    ));
    if !sent.events.is_empty() {
        let names: Vec<&str> = sent.events.iter().map(|e| e.name()).collect();
        all.push(("Events", names.join(", ")));
    }
    if let Some(sfx) = &ctx.explorer {
        all.push((
            "Explorer",
            format!("https://explorer.solana.com/tx/{}{sfx}", sent.signature),
        ));
    }
    Report {
        code: 0,
        json: details,
        text: format!("{headline}\n{}", fields(&all)),
    }
}

// ---------------------------------------------------------------- pool

fn pool_json(addr: &Pubkey, p: &Pool, balances: PoolBalances) -> serde_json::Value {
    let d = p.mint_decimals;
    json!({
        "address": addr.to_string(),
        "name": p.name,
        "creator": p.creator.to_string(),
        "authority": p.authority.to_string(),
        "pendingAuthority": (p.pending_authority != Pubkey::default()).then(|| p.pending_authority.to_string()),
        "paused": p.paused,
        "mint": p.mint.to_string(),
        "mintDecimals": d,
        "tokenProgram": p.token_program.to_string(),
        "vault": p.vault.to_string(),
        "vaultBalance": balances.vault,
        "feeVault": p.fee_vault.to_string(),
        "feeVaultBalance": balances.fee_vault,
        "openOfferCount": p.open_offer_count,
        "feeBps": p.fee_bps,
        "quorumBps": p.quorum_bps,
        "approvalBps": p.approval_bps,
        "votingPeriod": p.voting_period,
        "minOfferPrice": p.min_offer_price,
        "minOfferPriceUi": format_amount(p.min_offer_price.into(), d),
        "maxScore": p.max_score,
        "totalWeight": p.total_weight,
        "contributorCount": p.contributor_count,
        "contributionCount": p.contribution_count,
        "activeContributionCount": p.active_contribution_count,
        "offerCount": p.offer_count,
        "acceptedOfferCount": p.accepted_offer_count,
        "activeAttestorCount": p.active_attestor_count,
        "totalDistributed": p.total_distributed.to_string(),
        "totalClaimed": p.total_claimed.to_string(),
        "totalFees": p.total_fees.to_string(),
        "totalDistributedUi": format_amount(p.total_distributed, d),
        "totalClaimedUi": format_amount(p.total_claimed, d),
        "totalFeesUi": format_amount(p.total_fees, d),
        "totalFeesWithdrawn": p.total_fees_withdrawn.to_string(),
        "totalFeesWithdrawnUi": format_amount(p.total_fees_withdrawn, d),
    })
}

/// Balances of a pool's two token accounts (`None`: could not be read).
#[derive(Clone, Copy, Debug, Default)]
struct PoolBalances {
    vault: Option<u64>,
    fee_vault: Option<u64>,
}

async fn pool_balances<C: Chain>(ctx: &Ctx<'_, C>, p: &Pool) -> PoolBalances {
    let amount = |a| async move {
        query::token_account(ctx.chain, &a)
            .await
            .ok()
            .map(|t| t.amount)
    };
    PoolBalances {
        vault: amount(p.vault).await,
        fee_vault: amount(p.fee_vault).await,
    }
}

fn pool_text(addr: &Pubkey, p: &Pool, balances: PoolBalances) -> String {
    let d = p.mint_decimals;
    let mut rows = vec![
        ("Pool", format!("{addr} ({})", p.name)),
        (
            "Status",
            if p.paused {
                "paused".into()
            } else {
                "active".into()
            },
        ),
        ("Curator", p.authority.to_string()),
    ];
    if p.pending_authority != Pubkey::default() {
        rows.push(("Proposed curator", p.pending_authority.to_string()));
    }
    rows.extend([
        ("Payout mint", format!("{} ({} decimals)", p.mint, d)),
        (
            "Vault",
            match balances.vault {
                Some(b) => format!("{} holding {}", p.vault, format_amount(b.into(), d)),
                None => p.vault.to_string(),
            },
        ),
        (
            "Fee vault",
            match balances.fee_vault {
                Some(b) => format!("{} holding {}", p.fee_vault, format_amount(b.into(), d)),
                None => p.fee_vault.to_string(),
            },
        ),
        ("Fee", bps(p.fee_bps)),
        ("Quorum", bps(p.quorum_bps)),
        ("Approval", bps(p.approval_bps)),
        ("Voting period", format_duration(p.voting_period)),
        ("Minimum price", format_amount(p.min_offer_price.into(), d)),
        ("Max score", p.max_score.to_string()),
        ("Contributors", p.contributor_count.to_string()),
        (
            "Contributions",
            format!(
                "{} active of {}",
                p.active_contribution_count, p.contribution_count
            ),
        ),
        ("Total weight", p.total_weight.to_string()),
        ("Attestors", p.active_attestor_count.to_string()),
        (
            "Offers",
            format!(
                "{} ({} accepted, {} open)",
                p.offer_count, p.accepted_offer_count, p.open_offer_count
            ),
        ),
        ("Distributed", format_amount(p.total_distributed, d)),
        ("Claimed", format_amount(p.total_claimed, d)),
        (
            "Fees",
            format!(
                "{} paid, {} withdrawn",
                format_amount(p.total_fees, d),
                format_amount(p.total_fees_withdrawn, d)
            ),
        ),
    ]);
    fields(&rows)
}

async fn pool_cmd<C: Chain>(ctx: &Ctx<'_, C>, cmd: &PoolCmd) -> Result<Report, CliError> {
    match cmd {
        PoolCmd::Create { name, mint, params } => pool_create(ctx, name, mint, params).await,
        PoolCmd::Show { pool } => {
            let (addr, p) = load_pool(ctx, pool).await?;
            let balances = pool_balances(ctx, &p).await;
            Ok(Report {
                code: 0,
                json: pool_json(&addr, &p, balances),
                text: pool_text(&addr, &p, balances),
            })
        }
        PoolCmd::List { authority } => {
            let filter = authority
                .as_deref()
                .map(|a| parse_pubkey(a, "authority"))
                .transpose()?;
            let mut pools = query::pools(ctx.chain, &ctx.program_id).await?;
            pools.retain(|(_, p)| filter.is_none_or(|a| p.authority == a));
            pools.sort_by(|a, b| a.1.name.cmp(&b.1.name).then(a.0.cmp(&b.0)));
            let rows: Vec<Vec<String>> = pools
                .iter()
                .map(|(k, p)| {
                    vec![
                        k.to_string(),
                        p.name.clone(),
                        p.contributor_count.to_string(),
                        p.total_weight.to_string(),
                        p.offer_count.to_string(),
                        if p.paused {
                            "paused".into()
                        } else {
                            "active".into()
                        },
                    ]
                })
                .collect();
            let json: Vec<_> = pools
                .iter()
                .map(|(k, p)| pool_json(k, p, PoolBalances::default()))
                .collect();
            let text = if pools.is_empty() {
                format!("no pools on {}", ctx.chain.label())
            } else {
                table(
                    &[
                        "ADDRESS",
                        "NAME",
                        "CONTRIBUTORS",
                        "WEIGHT",
                        "OFFERS",
                        "STATUS",
                    ],
                    &rows,
                )
            };
            Ok(Report::new(&json, text))
        }
        PoolCmd::Update { pool, params } => pool_update(ctx, pool, params).await,
        PoolCmd::WithdrawFees { pool, amount, to } => {
            withdraw_fees(ctx, pool, amount.as_deref(), to.as_deref()).await
        }
        PoolCmd::Pause { pool } | PoolCmd::Unpause { pool } => {
            let pause = matches!(cmd, PoolCmd::Pause { .. });
            let (addr, p) = load_pool(ctx, pool).await?;
            let me = ctx.signer()?.pubkey();
            let i = if pause {
                ix::pool_pause(&ctx.program_id, &me, &addr)
            } else {
                ix::pool_unpause(&ctx.program_id, &me, &addr)
            };
            let verb = if pause { "Paused" } else { "Unpaused" };
            let sent = ctx.send(verb, &[i], true, &[]).await?;
            Ok(tx_report(
                ctx,
                format!("{verb} pool {addr} ({})", p.name),
                &sent,
                json!({ "pool": addr.to_string(), "paused": pause }),
                vec![],
            ))
        }
        PoolCmd::Authority(AuthorityCmd::Propose {
            pool,
            new_authority,
        }) => {
            let (addr, p) = load_pool(ctx, pool).await?;
            let new = parse_pubkey(new_authority, "new authority")?;
            ctx.confirm(&Review {
                title: format!("Propose a new curator for pool {} ({addr})", p.name),
                rows: vec![
                    ("current".into(), p.authority.to_string()),
                    ("proposed".into(), new.to_string()),
                ],
            })?;
            let i = ix::authority_propose(&ctx.program_id, &ctx.signer()?.pubkey(), &addr, &new);
            let sent = ctx.send("Propose curator", &[i], true, &[]).await?;
            Ok(tx_report(
                ctx,
                format!("Proposed {new} as curator of {addr}"),
                &sent,
                json!({ "pool": addr.to_string(), "proposed": new.to_string() }),
                vec![(
                    "Next",
                    format!("the proposed curator runs `datapool pool authority accept {addr}`"),
                )],
            ))
        }
        PoolCmd::Authority(AuthorityCmd::Accept { pool }) => {
            let (addr, _) = load_pool(ctx, pool).await?;
            let me = ctx.signer()?.pubkey();
            let sent = ctx
                .send(
                    "Accept curator role",
                    &[ix::authority_accept(&ctx.program_id, &me, &addr)],
                    true,
                    &[],
                )
                .await?;
            Ok(tx_report(
                ctx,
                format!("{me} is now the curator of {addr}"),
                &sent,
                json!({ "pool": addr.to_string(), "authority": me.to_string() }),
                vec![],
            ))
        }
        PoolCmd::Apply { config } => super::apply::apply(ctx, config).await,
    }
}

async fn pool_create<C: Chain>(
    ctx: &Ctx<'_, C>,
    name: &str,
    mint: &str,
    params: &PoolParams,
) -> Result<Report, CliError> {
    if name.is_empty() || name.len() > data_pool::constants::MAX_POOL_NAME_LEN {
        return Err(CliError::input(format!(
            "pool name {name:?} must be 1 to 32 bytes"
        )));
    }
    let mint_addr = parse_pubkey(mint, "mint")?;
    let (token_program, decimals) = query::mint(ctx.chain, &mint_addr).await?;
    let voting_period = parse_duration(&params.voting_period).map_err(CliError::input)?;
    let min_offer_price = parse_amount(&params.min_price, decimals).map_err(CliError::input)?;
    let me = ctx.signer()?.pubkey();
    let args = PoolCreateArgs {
        name: name.to_string(),
        fee_bps: params.fee_bps,
        quorum_bps: params.quorum_bps,
        approval_bps: params.approval_bps,
        voting_period,
        min_offer_price,
        max_score: params.max_score,
    };
    let i = ix::pool_create(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        &mint_addr,
        &token_program,
        args,
    );
    let pool = i.accounts[2].pubkey;
    if ctx.chain.get_account(&pool).await?.is_some() {
        return Err(
            CliError::input(format!("you already have a pool named {name:?}: {pool}"))
                .with_hint("pick another name, or see it with `datapool pool show`"),
        );
    }
    let sent = ctx.send("Create pool", &[i], true, &[]).await?;
    let vault = find_vault_pda(&ctx.program_id, &pool).0;
    let fee_vault = find_fee_vault_pda(&ctx.program_id, &pool).0;
    Ok(tx_report(
        ctx,
        format!("Created pool {name:?}"),
        &sent,
        json!({ "pool": pool.to_string(), "name": name, "vault": vault.to_string(), "feeVault": fee_vault.to_string(), "authority": me.to_string() }),
        vec![
            ("Pool", pool.to_string()),
            ("Vault", vault.to_string()),
            ("Fee vault", fee_vault.to_string()),
        ],
    ))
}

async fn pool_update<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    p: &PoolUpdateParams,
) -> Result<Report, CliError> {
    let (addr, pl) = load_pool(ctx, pool).await?;
    let args = PoolUpdateArgs {
        fee_bps: p.fee_bps,
        quorum_bps: p.quorum_bps,
        approval_bps: p.approval_bps,
        voting_period: p
            .voting_period
            .as_deref()
            .map(parse_duration)
            .transpose()
            .map_err(CliError::input)?,
        min_offer_price: p
            .min_price
            .as_deref()
            .map(|s| parse_amount(s, pl.mint_decimals))
            .transpose()
            .map_err(CliError::input)?,
        max_score: p.max_score,
    };
    if args.fee_bps.is_none()
        && args.quorum_bps.is_none()
        && args.approval_bps.is_none()
        && args.voting_period.is_none()
        && args.min_offer_price.is_none()
        && args.max_score.is_none()
    {
        return Err(CliError::input("nothing to update: give at least one of --fee-bps, --quorum-bps, --approval-bps, --voting-period, --min-price, --max-score"));
    }
    let i = ix::pool_update(&ctx.program_id, &ctx.signer()?.pubkey(), &addr, args);
    let sent = ctx.send("Update pool", &[i], true, &[]).await?;
    Ok(tx_report(
        ctx,
        format!(
            "Updated pool {addr} ({}); open offers keep their rules",
            pl.name
        ),
        &sent,
        json!({ "pool": addr.to_string() }),
        vec![],
    ))
}

async fn withdraw_fees<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    amount: Option<&str>,
    to: Option<&str>,
) -> Result<Report, CliError> {
    let (addr, p) = load_pool(ctx, pool).await?;
    let me = ctx.signer()?.pubkey();
    if p.authority != me {
        return Err(CliError::input(format!(
            "only the curator {} can withdraw fees, not {me}",
            p.authority
        ))
        .with_hint("sign with the curator's keypair (-k)"));
    }
    let d = p.mint_decimals;
    let amount = amount
        .map(|a| parse_amount(a, d))
        .transpose()
        .map_err(CliError::input)?;
    let mut ixs = vec![];
    let dest = match to {
        Some(t) => {
            let t = parse_pubkey(t, "destination")?;
            check_token_account(ctx, &t, &p, None, "destination").await?;
            t
        }
        None => {
            ixs.push(token::create_associated_idempotent(
                &ctx.payer()?.pubkey(),
                &me,
                &p.mint,
                &p.token_program,
            ));
            token::associated_address(&me, &p.mint, &p.token_program)
        }
    };
    let available = u64::try_from(p.total_fees - p.total_fees_withdrawn).unwrap_or(u64::MAX);
    let want = amount.unwrap_or(available);
    if available == 0 {
        return Err(CliError::input(format!(
            "pool {addr} has no fees to withdraw (paid {}, all withdrawn)",
            format_amount(p.total_fees, d)
        )));
    }
    if want == 0 || want > available {
        return Err(CliError::input(format!(
            "the fee vault has {} to withdraw, not {}",
            format_amount(available.into(), d),
            format_amount(want.into(), d)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Withdraw fees of pool {} ({addr})", p.name),
        rows: vec![
            ("amount".into(), format_amount(want.into(), d)),
            ("to".into(), dest.to_string()),
        ],
    })?;
    ixs.push(ix::fees_withdraw(
        &ctx.program_id,
        &me,
        &addr,
        &pool_tokens(&p),
        &dest,
        amount,
    ));
    let sent = ctx.send("Withdraw fees", &ixs, true, &[]).await?;
    Ok(tx_report(
        ctx,
        format!(
            "Withdrew {} of fees to {dest}",
            format_amount(want.into(), d)
        ),
        &sent,
        json!({ "pool": addr.to_string(), "amount": want, "to": dest.to_string() }),
        vec![],
    ))
}

// ---------------------------------------------------------------- attestors

async fn attestor_cmd<C: Chain>(ctx: &Ctx<'_, C>, cmd: &AttestorCmd) -> Result<Report, CliError> {
    match cmd {
        AttestorCmd::Serve { .. } => super::proof::serve(ctx, cmd).await,
        AttestorCmd::Add { pool, key } | AttestorCmd::Remove { pool, key } => {
            let add = matches!(cmd, AttestorCmd::Add { .. });
            let (addr, _) = load_pool(ctx, pool).await?;
            let key = parse_pubkey(key, "attestor key")?;
            let me = ctx.signer()?.pubkey();
            let i = if add {
                ix::attestor_add(&ctx.program_id, &ctx.payer()?.pubkey(), &me, &addr, &key)
            } else {
                ix::attestor_remove(&ctx.program_id, &me, &addr, &key)
            };
            let sent = ctx
                .send(
                    if add {
                        "Add attestor"
                    } else {
                        "Remove attestor"
                    },
                    &[i],
                    true,
                    &[],
                )
                .await?;
            let record = find_attestor_pda(&ctx.program_id, &addr, &key).0;
            Ok(tx_report(
                ctx,
                format!(
                    "{} attestor {key} {} pool {addr}",
                    if add { "Added" } else { "Removed" },
                    if add { "to" } else { "from" }
                ),
                &sent,
                json!({ "pool": addr.to_string(), "attestor": key.to_string(), "record": record.to_string(), "active": add }),
                vec![],
            ))
        }
        AttestorCmd::List { pool } => {
            let (addr, _) = load_pool(ctx, pool).await?;
            let mut list = query::attestors(ctx.chain, &ctx.program_id, &addr).await?;
            list.sort_by_key(|(_, a)| (!a.active, a.added_at));
            let json: Vec<_> = list.iter().map(|(k, a)| json!({
                "record": k.to_string(), "key": a.key.to_string(), "active": a.active,
                "attestedCount": a.attested_count, "addedAt": a.added_at, "removedAt": a.removed_at,
            })).collect();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|(_, a)| {
                    vec![
                        a.key.to_string(),
                        if a.active {
                            "active".into()
                        } else {
                            "removed".into()
                        },
                        a.attested_count.to_string(),
                        when(a.added_at),
                    ]
                })
                .collect();
            let text = if list.is_empty() {
                format!("pool {addr} has no attestors")
            } else {
                table(&["KEY", "STATUS", "ATTESTED", "ADDED"], &rows)
            };
            Ok(Report::new(&json, text))
        }
    }
}

// ---------------------------------------------------------------- attest / contribute

pub fn parse_hash(text: &str) -> Result<[u8; 32], CliError> {
    let t = text.trim().trim_start_matches("0x");
    let bytes = hex::decode(t).map_err(|_| CliError::input(format!("{text:?} is not hex")))?;
    bytes
        .try_into()
        .map_err(|_| CliError::input("a data hash is 32 bytes: 64 hex characters"))
}

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Reads and checks an attestation file.
pub fn read_attestation(path: &Path) -> Result<AttestationFile, CliError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > MAX_ATTESTATION_FILE_LEN as u64 {
        return Err(CliError::input(format!(
            "{} is {} bytes: too large for an attestation file",
            path.display(),
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    AttestationFile::parse(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

/// Checks an attestation against the pool, the signer, its signature and expiry, then submits it.
/// `source` names where it came from (a file path or an attestor URL) in messages.
pub async fn submit_attestation<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    file: AttestationFile,
    source: &str,
) -> Result<Report, CliError> {
    let (addr, p) = load_pool(ctx, pool).await?;
    let me = ctx.signer()?.pubkey();
    if file.program_id != ctx.program_id {
        return Err(CliError::input(format!(
            "the attestation is for program {}, not {}",
            file.program_id, ctx.program_id
        )));
    }
    if file.pool != addr {
        return Err(CliError::input(format!(
            "the attestation is for pool {}, not {addr}",
            file.pool
        )));
    }
    if file.contributor != me {
        return Err(CliError::input(format!(
            "the attestation is for wallet {}, but you sign as {me}",
            file.contributor
        ))
        .with_hint("pass the contributor's keypair with -k"));
    }
    let msg = file.message();
    if !solana_signature::Signature::from(file.signature).verify(file.attestor.as_ref(), &msg) {
        return Err(CliError::input(format!(
            "{source}: the signature does not verify (the file was altered or signed for other values)"
        )));
    }
    let now = ctx.chain.unix_time().await?;
    if file.expires_at <= now {
        return Err(CliError::input(format!(
            "the attestation expired at {}",
            when(file.expires_at)
        ))
        .with_hint("ask the attestor for a fresh attestation"));
    }
    if file.score > p.max_score {
        return Err(CliError::input(format!(
            "score {} is above the pool's maximum {}",
            file.score, p.max_score
        )));
    }
    let contribution = find_contribution_pda(&ctx.program_id, &addr, &file.data_hash).0;
    if ctx.chain.get_account(&contribution).await?.is_some() {
        return Err(CliError::input(format!(
            "DuplicateData: this data has been contributed already ({contribution})"
        ))
        .with_hint("each data hash can be contributed once per pool"));
    }
    let args = ix::ContributionSubmitArgs {
        data_hash: file.data_hash,
        score: file.score,
        expires_at: file.expires_at,
    };
    let ixs = [
        file.verify_ix(),
        ix::contribution_submit(
            &ctx.program_id,
            &ctx.payer()?.pubkey(),
            &me,
            &addr,
            &file.attestor,
            args,
        ),
    ];
    let sent = ctx.send("Contribute", &ixs, true, &[]).await?;
    let new_weight = sent.events.iter().find_map(|e| match e {
        crate::events::DataPoolEvent::ContributionSubmitted(c) => Some(c.contributor_weight),
        _ => None,
    });
    Ok(tx_report(
        ctx,
        format!("Contributed to pool {} with score {}", p.name, file.score),
        &sent,
        json!({ "pool": addr.to_string(), "contribution": contribution.to_string(), "score": file.score,
                "dataHash": hex::encode(file.data_hash), "weight": new_weight }),
        vec![("Contribution", contribution.to_string())],
    ))
}

fn status_name(s: &ContributionStatus) -> &'static str {
    match s {
        ContributionStatus::Active => "active",
        ContributionStatus::Revoked => "revoked",
        ContributionStatus::Invalidated => "invalidated",
    }
}

fn contribution_json(k: &Pubkey, c: &Contribution) -> serde_json::Value {
    json!({
        "address": k.to_string(), "pool": c.pool.to_string(), "contributor": c.contributor.to_string(),
        "dataHash": hex::encode(c.data_hash), "score": c.score, "attestor": c.attestor.to_string(),
        "status": status_name(&c.status), "submittedAt": c.submitted_at, "endedAt": c.ended_at,
    })
}

async fn load_contribution<C: Chain>(
    ctx: &Ctx<'_, C>,
    text: &str,
) -> Result<(Pubkey, Contribution), CliError> {
    let addr = parse_pubkey(text, "contribution")?;
    let c = query::contribution(ctx.chain, &ctx.program_id, &addr).await?;
    Ok((addr, c))
}

async fn contribution_cmd<C: Chain>(
    ctx: &Ctx<'_, C>,
    cmd: &ContributionCmd,
) -> Result<Report, CliError> {
    match cmd {
        ContributionCmd::List { pool, contributor } => {
            let (addr, _) = load_pool(ctx, pool).await?;
            let wallet = contributor
                .as_deref()
                .map(|w| parse_pubkey(w, "contributor"))
                .transpose()?;
            let list =
                query::contributions(ctx.chain, &ctx.program_id, &addr, wallet.as_ref()).await?;
            let json: Vec<_> = list.iter().map(|(k, c)| contribution_json(k, c)).collect();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|(k, c)| {
                    vec![
                        k.to_string(),
                        c.contributor.to_string(),
                        c.score.to_string(),
                        status_name(&c.status).into(),
                        when(c.submitted_at),
                    ]
                })
                .collect();
            let text = if list.is_empty() {
                "no contributions".into()
            } else {
                table(
                    &[
                        "CONTRIBUTION",
                        "CONTRIBUTOR",
                        "SCORE",
                        "STATUS",
                        "SUBMITTED",
                    ],
                    &rows,
                )
            };
            Ok(Report::new(&json, text))
        }
        ContributionCmd::Show { contribution } => {
            let (k, c) = load_contribution(ctx, contribution).await?;
            let text = fields(&[
                ("Contribution", k.to_string()),
                ("Pool", c.pool.to_string()),
                ("Contributor", c.contributor.to_string()),
                ("Data hash", hex::encode(c.data_hash)),
                ("Score", c.score.to_string()),
                ("Attestor", c.attestor.to_string()),
                ("Status", status_name(&c.status).into()),
                ("Submitted", when(c.submitted_at)),
                ("Ended", when(c.ended_at)),
            ]);
            Ok(Report {
                code: 0,
                json: contribution_json(&k, &c),
                text,
            })
        }
        ContributionCmd::Revoke { contribution } | ContributionCmd::Invalidate { contribution } => {
            let revoke = matches!(cmd, ContributionCmd::Revoke { .. });
            let (k, c) = load_contribution(ctx, contribution).await?;
            if !c.is_active() {
                return Err(CliError::input(format!(
                    "contribution {k} is already {}",
                    status_name(&c.status)
                )));
            }
            let me = ctx.signer()?.pubkey();
            let i = if revoke {
                if c.contributor != me {
                    return Err(CliError::input(format!(
                        "contribution {k} belongs to {}, not {me}",
                        c.contributor
                    )));
                }
                ctx.confirm(&Review {
                    title: format!("Revoke contribution {k}"),
                    rows: vec![(
                        "score".into(),
                        format!(
                            "{} leaves your weight (what you earned so far stays claimable)",
                            c.score
                        ),
                    )],
                })?;
                ix::contribution_revoke(&ctx.program_id, &me, &c.pool, &c.data_hash)
            } else {
                let p = query::pool(ctx.chain, &ctx.program_id, &c.pool).await?;
                if p.open_offer_count > 0 {
                    return Err(CliError::input(format!(
                        "pool {} has {} open offer(s): no contribution can be invalidated until they settle",
                        c.pool, p.open_offer_count
                    ))
                    .with_hint("pause the pool (`datapool pool pause`), finalize its open offers, then invalidate"));
                }
                ix::contribution_invalidate(
                    &ctx.program_id,
                    &me,
                    &c.pool,
                    &c.contributor,
                    &c.data_hash,
                    &c.attestor,
                )
            };
            let verb = if revoke { "Revoked" } else { "Invalidated" };
            let sent = ctx.send(verb, &[i], true, &[]).await?;
            Ok(tx_report(
                ctx,
                format!("{verb} contribution {k} (score {})", c.score),
                &sent,
                json!({ "contribution": k.to_string(), "status": if revoke { "revoked" } else { "invalidated" } }),
                vec![],
            ))
        }
    }
}

// ---------------------------------------------------------------- offers and votes

fn offer_phase(o: &Offer, now: i64) -> String {
    if o.state != OfferState::Open {
        return if o.refund_pending {
            "rejected; refund pending (buyer runs `offer refund`)".into()
        } else {
            state_name(&o.state).into()
        };
    }
    match offer_decision(o, now) {
        Some(out) => format!("decided ({out}), awaiting `datapool offer finalize`"),
        None if now < o.voting_ends_at => format!(
            "voting, ends in {}",
            format_duration(o.voting_ends_at - now)
        ),
        None => "voting ended, awaiting finalize".into(),
    }
}

/// What the votes decided (`"accept"` / `"reject"`), final once set; `None` while undecided.
fn offer_decision(o: &Offer, now: i64) -> Option<&'static str> {
    let accepted = match o.state {
        OfferState::Open => matches!(o.outcome(now)?, data_pool::math::Outcome::Accepted),
        OfferState::Accepted => true,
        OfferState::Rejected => false,
        OfferState::Cancelled => return None,
    };
    Some(if accepted { "accept" } else { "reject" })
}

fn offer_json(k: &Pubkey, o: &Offer, decimals: u8, now: i64) -> serde_json::Value {
    json!({
        "address": k.to_string(), "pool": o.pool.to_string(), "index": o.index, "buyer": o.buyer.to_string(),
        "refundAccount": o.refund_account.to_string(), "price": o.price, "priceUi": format_amount(o.price.into(), decimals),
        "termsHash": hex::encode(o.terms_hash), "termsUri": o.terms_uri, "state": state_name(&o.state),
        "phase": offer_phase(o, now), "decision": offer_decision(o, now), "refundPending": o.refund_pending, "createdAt": o.created_at,
        "votingEndsAt": o.voting_ends_at, "snapshotTotalWeight": o.snapshot_total_weight,
        "snapshotContributorCount": o.snapshot_contributor_count, "feeBps": o.fee_bps, "quorumBps": o.quorum_bps,
        "approvalBps": o.approval_bps, "yesWeight": o.yes_weight.to_string(), "noWeight": o.no_weight.to_string(),
        "voterCount": o.voter_count, "decidedAt": o.decided_at, "feePaid": o.fee_paid, "netDistributed": o.net_distributed,
    })
}

async fn offer_cmd<C: Chain>(ctx: &Ctx<'_, C>, cmd: &OfferCmd) -> Result<Report, CliError> {
    match cmd {
        OfferCmd::Create {
            pool,
            price,
            terms,
            terms_uri,
            from,
            refund_to,
        } => {
            offer_create(
                ctx,
                pool,
                price,
                terms,
                terms_uri,
                from.as_deref(),
                refund_to.as_deref(),
            )
            .await
        }
        OfferCmd::List { pool, state } => {
            let (addr, p) = load_pool(ctx, pool).await?;
            let now = ctx.chain.unix_time().await?;
            let mut list = query::offers(ctx.chain, &ctx.program_id, &addr).await?;
            if let Some(s) = state {
                let want = match s {
                    OfferStateArg::Open => OfferState::Open,
                    OfferStateArg::Accepted => OfferState::Accepted,
                    OfferStateArg::Rejected => OfferState::Rejected,
                    OfferStateArg::Cancelled => OfferState::Cancelled,
                };
                list.retain(|(_, o)| o.state == want);
            }
            let json: Vec<_> = list
                .iter()
                .map(|(k, o)| offer_json(k, o, p.mint_decimals, now))
                .collect();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|(k, o)| {
                    vec![
                        o.index.to_string(),
                        k.to_string(),
                        format_amount(o.price.into(), p.mint_decimals),
                        o.voter_count.to_string(),
                        offer_phase(o, now),
                    ]
                })
                .collect();
            let text = if list.is_empty() {
                "no offers".into()
            } else {
                table(&["#", "OFFER", "PRICE", "VOTERS", "STATE"], &rows)
            };
            Ok(Report::new(&json, text))
        }
        OfferCmd::Show { offer } => {
            let (k, o) = load_offer(ctx, offer).await?;
            let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
            let now = ctx.chain.unix_time().await?;
            let d = p.mint_decimals;
            let voted = o.yes_weight.saturating_add(o.no_weight);
            let snap = u128::from(o.snapshot_total_weight);
            let text = fields(&[
                ("Offer", format!("{k} (#{} of pool {})", o.index, p.name)),
                ("State", offer_phase(&o, now)),
                ("Buyer", o.buyer.to_string()),
                ("Price", format_amount(o.price.into(), d)),
                (
                    "Terms",
                    format!(
                        "sha256 {}{}",
                        hex::encode(o.terms_hash),
                        if o.terms_uri.is_empty() {
                            String::new()
                        } else {
                            format!(" at {}", o.terms_uri)
                        }
                    ),
                ),
                ("Voting ends", when(o.voting_ends_at)),
                (
                    "Eligible",
                    format!(
                        "{} contributors, weight {}",
                        o.snapshot_contributor_count, o.snapshot_total_weight
                    ),
                ),
                (
                    "Turnout",
                    format!(
                        "{} voters, weight {} ({} of snapshot; quorum {})",
                        o.voter_count,
                        voted,
                        share(voted, snap),
                        bps(o.quorum_bps)
                    ),
                ),
                (
                    "Yes",
                    format!(
                        "{} ({} of votes; needs {})",
                        o.yes_weight,
                        share(o.yes_weight, voted),
                        bps(o.approval_bps)
                    ),
                ),
                (
                    "No",
                    format!("{} ({} of votes)", o.no_weight, share(o.no_weight, voted)),
                ),
                ("Fee", bps(o.fee_bps)),
                (
                    "Settled",
                    if o.state == OfferState::Accepted {
                        format!(
                            "{} to contributors, {} fee",
                            format_amount(o.net_distributed.into(), d),
                            format_amount(o.fee_paid.into(), d)
                        )
                    } else {
                        "-".into()
                    },
                ),
            ]);
            Ok(Report {
                code: 0,
                json: offer_json(&k, &o, d, now),
                text,
            })
        }
        OfferCmd::Cancel { offer, to } | OfferCmd::Refund { offer, to } => {
            let cancel = matches!(cmd, OfferCmd::Cancel { .. });
            let (k, o) = load_offer(ctx, offer).await?;
            let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
            let me = ctx.signer()?.pubkey();
            if o.buyer != me {
                return Err(CliError::input(format!(
                    "offer {k} was made by {}, not {me}",
                    o.buyer
                ))
                .with_hint("sign with the buyer's keypair (-k)"));
            }
            let dest = match to {
                Some(t) => parse_pubkey(t, "destination")?,
                None if cancel => o.refund_account,
                None => token::associated_address(&me, &p.mint, &p.token_program),
            };
            check_token_account(ctx, &dest, &p, None, "destination").await?;
            ctx.confirm(&Review {
                title: format!("{} offer {k}", if cancel { "Cancel" } else { "Refund" }),
                rows: vec![
                    (
                        "amount".into(),
                        format_amount(o.price.into(), p.mint_decimals),
                    ),
                    ("to".into(), dest.to_string()),
                ],
            })?;
            let tokens = pool_tokens(&p);
            let i = if cancel {
                ix::offer_cancel(&ctx.program_id, &me, &o.pool, &k, &tokens, &dest)
            } else {
                ix::offer_refund(&ctx.program_id, &me, &o.pool, &k, &tokens, &dest)
            };
            let verb = if cancel { "Cancelled" } else { "Refunded" };
            let sent = ctx.send(verb, &[i], true, &[]).await?;
            Ok(tx_report(
                ctx,
                format!(
                    "{verb} offer {k}: {} back to {dest}",
                    format_amount(o.price.into(), p.mint_decimals)
                ),
                &sent,
                json!({ "offer": k.to_string(), "refunded": o.price, "to": dest.to_string() }),
                vec![],
            ))
        }
        OfferCmd::Finalize { offer } => {
            let (k, o) = load_offer(ctx, offer).await?;
            let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
            let now = ctx.chain.unix_time().await?;
            if o.state != OfferState::Open {
                return Err(CliError::input(format!(
                    "offer {k} is already {}",
                    state_name(&o.state)
                )));
            }
            let outcome = o.outcome(now).ok_or_else(|| {
                CliError::input(format!(
                    "offer {k} is not decided yet: {}",
                    offer_phase(&o, now)
                ))
            })?;
            let accepted = matches!(outcome, data_pool::math::Outcome::Accepted);
            ctx.confirm(&Review {
                title: format!("Finalize offer {k}"),
                rows: vec![
                    (
                        "outcome".into(),
                        if accepted {
                            "accepted: pay the pool and the fee".into()
                        } else {
                            "rejected: refund the buyer".into()
                        },
                    ),
                    (
                        "price".into(),
                        format_amount(o.price.into(), p.mint_decimals),
                    ),
                ],
            })?;
            let i = ix::offer_finalize(
                &ctx.program_id,
                &o.pool,
                &k,
                &pool_tokens(&p),
                &o.refund_account,
                &o.buyer,
            );
            let sent = ctx.send("Finalize", &[i], false, &[]).await?;
            let after = query::offer(ctx.chain, &ctx.program_id, &k).await.ok();
            let (state, fee, net) = after
                .as_ref()
                .map(|a| (state_name(&a.state), a.fee_paid, a.net_distributed))
                .unwrap_or(("?", 0, 0));
            let d = p.mint_decimals;
            Ok(tx_report(
                ctx,
                format!("Finalized offer {k}: {state}"),
                &sent,
                json!({ "offer": k.to_string(), "state": state, "feePaid": fee, "netDistributed": net }),
                vec![
                    ("Paid to contributors", format_amount(net.into(), d)),
                    ("Fee", format_amount(fee.into(), d)),
                ],
            ))
        }
        OfferCmd::CloseVote { offer } => {
            let (k, o) = load_offer(ctx, offer).await?;
            let me = ctx.signer()?.pubkey();
            let vote = find_vote_pda(&ctx.program_id, &k, &me).0;
            if ctx.chain.get_account(&vote).await?.is_none() {
                return Err(CliError::input(format!(
                    "{me} has no open vote record on offer {k}"
                )));
            }
            if !o.is_terminal() {
                return Err(CliError::input(format!(
                    "offer {k} is still {}: vote records close once it is settled",
                    state_name(&o.state)
                )));
            }
            let sent = ctx
                .send(
                    "Close vote",
                    &[ix::vote_close(&ctx.program_id, &k, &me)],
                    true,
                    &[],
                )
                .await?;
            Ok(tx_report(
                ctx,
                format!("Closed your vote record on offer {k}; its rent is back"),
                &sent,
                json!({ "offer": k.to_string(), "vote": vote.to_string() }),
                vec![],
            ))
        }
    }
}

async fn offer_create<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    price: &str,
    terms: &Path,
    terms_uri: &str,
    from: Option<&str>,
    refund_to: Option<&str>,
) -> Result<Report, CliError> {
    let (addr, p) = load_pool(ctx, pool).await?;
    let d = p.mint_decimals;
    let price = parse_amount(price, d).map_err(CliError::input)?;
    if price < p.min_offer_price {
        return Err(CliError::input(format!(
            "the pool's minimum price is {}",
            format_amount(p.min_offer_price.into(), d)
        )));
    }
    if terms_uri.len() > data_pool::constants::MAX_TERMS_URI_LEN {
        return Err(CliError::input("--terms-uri is longer than 200 bytes"));
    }
    let terms_bytes = std::fs::read(terms)
        .map_err(|e| CliError::input(format!("cannot read terms {}: {e}", terms.display())))?;
    let terms_hash: [u8; 32] = Sha256::digest(&terms_bytes).into();
    let me = ctx.signer()?.pubkey();
    let from = match from {
        Some(f) => parse_pubkey(f, "paying token account")?,
        None => token::associated_address(&me, &p.mint, &p.token_program),
    };
    let t = check_token_account(ctx, &from, &p, Some(&me), "paying account").await?;
    if t.amount < price {
        return Err(CliError::failed(format!(
            "insufficient funds: {from} holds {}, the offer needs {}",
            format_amount(t.amount.into(), d),
            format_amount(price.into(), d)
        )));
    }
    let refund = match refund_to {
        Some(r) => parse_pubkey(r, "refund account")?,
        None => from,
    };
    if refund != from {
        check_token_account(ctx, &refund, &p, None, "refund account").await?;
    }
    let fee = data_pool::math::bps_of(price, p.fee_bps).unwrap_or(0);
    ctx.confirm(&Review {
        title: format!("Offer to buy the data of pool {} ({addr})", p.name),
        rows: vec![
            (
                "price".into(),
                format!(
                    "{} (into escrow now; refunded if the pool says no)",
                    format_amount(price.into(), d)
                ),
            ),
            (
                "fee".into(),
                format!(
                    "{} to the curator if accepted ({})",
                    format_amount(fee.into(), d),
                    bps(p.fee_bps)
                ),
            ),
            (
                "voting".into(),
                format!(
                    "{} among {} contributors",
                    format_duration(p.voting_period),
                    p.contributor_count
                ),
            ),
            ("from".into(), from.to_string()),
            ("refunds to".into(), refund.to_string()),
            (
                "terms".into(),
                format!("sha256 {}", hex::encode(terms_hash)),
            ),
        ],
    })?;
    let args = ix::OfferCreateArgs {
        price,
        terms_hash,
        terms_uri: terms_uri.to_string(),
    };
    let i = ix::offer_create(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        &addr,
        p.offer_count,
        &pool_tokens(&p),
        &from,
        &refund,
        args,
    );
    let offer = find_offer_pda(&ctx.program_id, &addr, p.offer_count).0;
    let sent = ctx.send("Create offer", &[i], true, &[]).await?;
    let ends = sent.events.iter().find_map(|e| match e {
        crate::events::DataPoolEvent::OfferCreated(o) => Some(o.voting_ends_at),
        _ => None,
    });
    Ok(tx_report(
        ctx,
        format!(
            "Offered {} for the data of pool {}",
            format_amount(price.into(), d),
            p.name
        ),
        &sent,
        json!({ "pool": addr.to_string(), "offer": offer.to_string(), "index": p.offer_count, "price": price,
                "escrow": find_escrow_pda(&ctx.program_id, &offer).0.to_string(), "termsHash": hex::encode(terms_hash), "votingEndsAt": ends }),
        vec![
            ("Offer", offer.to_string()),
            ("Voting ends", ends.map(when).unwrap_or_default()),
        ],
    ))
}

async fn vote<C: Chain>(ctx: &Ctx<'_, C>, offer: &str, approve: bool) -> Result<Report, CliError> {
    let (k, o) = load_offer(ctx, offer).await?;
    let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
    let me = ctx.signer()?.pubkey();
    let now = ctx.chain.unix_time().await?;
    let vote_addr = find_vote_pda(&ctx.program_id, &k, &me).0;
    if ctx.chain.get_account(&vote_addr).await?.is_some() {
        return Err(
            CliError::failed(format!("{me} has already voted on offer {k}"))
                .with_hint("a vote is final"),
        );
    }
    let c = query::contributor_opt(
        ctx.chain,
        &ctx.program_id,
        &find_contributor_pda(&ctx.program_id, &o.pool, &me).0,
    )
    .await?;
    let weight = c.as_ref().map(|c| c.weight).unwrap_or(0);
    let eligible = c
        .as_ref()
        .is_some_and(|c| c.index < o.snapshot_contributor_count && c.weight > 0);
    if !eligible {
        return Err(CliError::failed(format!(
            "{me} cannot vote on offer {k}: only contributors who had weight when it was made can"
        )));
    }
    // Votes end at the deadline, or as soon as the votes decide the offer (a decision is final).
    if o.state != OfferState::Open || now >= o.voting_ends_at || o.outcome(now).is_some() {
        return Err(CliError::input(format!(
            "offer {k} is not open for votes: {}",
            offer_phase(&o, now)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Vote on offer {k} (pool {})", p.name),
        rows: vec![
            (
                "choice".into(),
                if approve {
                    "APPROVE the sale".into()
                } else {
                    "REJECT the sale".into()
                },
            ),
            (
                "price".into(),
                format_amount(o.price.into(), p.mint_decimals),
            ),
            (
                "your weight".into(),
                format!(
                    "{weight} ({} of the snapshot)",
                    share(weight.into(), o.snapshot_total_weight.into())
                ),
            ),
            ("voter".into(), me.to_string()),
        ],
    })?;
    let i = ix::offer_vote(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        &o.pool,
        &k,
        approve,
    );
    let sent = ctx.send("Vote", &[i], true, &[]).await?;
    let (yes, no) = sent
        .events
        .iter()
        .find_map(|e| match e {
            crate::events::DataPoolEvent::VoteCast(v) => Some((v.yes_weight, v.no_weight)),
            _ => None,
        })
        .unwrap_or((o.yes_weight, o.no_weight));
    let choice = if approve { "approve" } else { "reject" };
    Ok(tx_report(
        ctx,
        format!("Voted {choice} on offer {k} with weight {weight}"),
        &sent,
        json!({ "offer": k.to_string(), "vote": vote_addr.to_string(), "approve": approve, "weight": weight,
                "yesWeight": yes.to_string(), "noWeight": no.to_string() }),
        vec![("Tally", format!("yes {yes} / no {no}"))],
    ))
}

// ---------------------------------------------------------------- claims and contributors

async fn claim<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    to: Option<&str>,
) -> Result<Report, CliError> {
    let (addr, p) = load_pool(ctx, pool).await?;
    let me = ctx.signer()?.pubkey();
    let c = query::contributor_opt(
        ctx.chain,
        &ctx.program_id,
        &find_contributor_pda(&ctx.program_id, &addr, &me).0,
    )
    .await?
    .ok_or_else(|| CliError::input(format!("{me} has never contributed to pool {addr}")))?;
    let mut ixs = Vec::new();
    let dest = match to {
        Some(t) => {
            let dest = parse_pubkey(t, "destination")?;
            check_token_account(ctx, &dest, &p, None, "destination").await?;
            dest
        }
        None => {
            let ata = token::associated_address(&me, &p.mint, &p.token_program);
            if ctx.chain.get_account(&ata).await?.is_none() {
                ixs.push(token::create_associated_idempotent(
                    &ctx.payer()?.pubkey(),
                    &me,
                    &p.mint,
                    &p.token_program,
                ));
            } else {
                check_token_account(ctx, &ata, &p, Some(&me), "destination").await?;
            }
            ata
        }
    };
    let owed = c.entitlement(p.acc_reward_per_weight).unwrap_or(0);
    let d = p.mint_decimals;
    if owed == 0 {
        return Err(CliError::failed(format!(
            "nothing to claim: {me} is owed 0 (claimed {} so far)",
            format_amount(c.claimed, d)
        )));
    }
    ctx.confirm(&Review {
        title: format!("Claim from pool {} ({addr})", p.name),
        rows: vec![
            ("amount".into(), format_amount(owed.into(), d)),
            (
                "to".into(),
                format!(
                    "{dest}{}",
                    if ixs.is_empty() { "" } else { " (created now)" }
                ),
            ),
        ],
    })?;
    ixs.push(ix::payout_claim(
        &ctx.program_id,
        &me,
        &addr,
        &pool_tokens(&p),
        &dest,
    ));
    let sent = ctx.send("Claim", &ixs, true, &[]).await?;
    let amount = sent
        .events
        .iter()
        .find_map(|e| match e {
            crate::events::DataPoolEvent::PayoutClaimed(c) => Some(c.amount),
            _ => None,
        })
        .unwrap_or(owed);
    Ok(tx_report(
        ctx,
        format!(
            "Claimed {} from pool {}",
            format_amount(amount.into(), d),
            p.name
        ),
        &sent,
        json!({ "pool": addr.to_string(), "amount": amount, "amountUi": format_amount(amount.into(), d), "to": dest.to_string() }),
        vec![("To", dest.to_string())],
    ))
}

async fn contributor_cmd<C: Chain>(
    ctx: &Ctx<'_, C>,
    cmd: &ContributorCmd,
) -> Result<Report, CliError> {
    match cmd {
        ContributorCmd::Show { pool, wallet } => {
            let (addr, p) = load_pool(ctx, pool).await?;
            let wallet = match wallet {
                Some(w) => parse_pubkey(w, "wallet")?,
                None => ctx.signer()?.pubkey(),
            };
            let rec = find_contributor_pda(&ctx.program_id, &addr, &wallet).0;
            let c = query::contributor_opt(ctx.chain, &ctx.program_id, &rec)
                .await?
                .ok_or_else(|| {
                    CliError::input(format!("{wallet} has never contributed to pool {addr}"))
                })?;
            let owed = c.entitlement(p.acc_reward_per_weight).unwrap_or(0);
            let d = p.mint_decimals;
            let text = fields(&[
                (
                    "Contributor",
                    format!("{wallet} (#{} in pool {})", c.index, p.name),
                ),
                ("Weight", format!("{} of {}", c.weight, p.total_weight)),
                ("Share", share(c.weight.into(), p.total_weight.into())),
                (
                    "Contributions",
                    format!(
                        "{} active of {}",
                        c.active_contribution_count, c.contribution_count
                    ),
                ),
                ("Owed", format_amount(owed.into(), d)),
                ("Claimed", format_amount(c.claimed, d)),
                ("Joined", when(c.joined_at)),
            ]);
            Ok(Report {
                code: 0,
                json: json!({
                    "pool": addr.to_string(), "wallet": wallet.to_string(), "record": rec.to_string(), "index": c.index,
                    "weight": c.weight, "poolWeight": p.total_weight, "share": share(c.weight.into(), p.total_weight.into()),
                    "activeContributions": c.active_contribution_count, "contributions": c.contribution_count,
                    "owed": owed, "owedUi": format_amount(owed.into(), d), "claimed": c.claimed.to_string(),
                    "claimedUi": format_amount(c.claimed, d), "joinedAt": c.joined_at,
                }),
                text,
            })
        }
        ContributorCmd::List { pool } => {
            let (addr, p) = load_pool(ctx, pool).await?;
            let list = query::contributors(ctx.chain, &ctx.program_id, &addr).await?;
            let d = p.mint_decimals;
            let json: Vec<_> = list.iter().map(|(k, c)| json!({
                "record": k.to_string(), "wallet": c.wallet.to_string(), "index": c.index, "weight": c.weight,
                "owed": c.entitlement(p.acc_reward_per_weight).unwrap_or(0), "claimed": c.claimed.to_string(),
            })).collect();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|(_, c)| {
                    vec![
                        c.index.to_string(),
                        c.wallet.to_string(),
                        c.weight.to_string(),
                        share(c.weight.into(), p.total_weight.into()),
                        format_amount(
                            c.entitlement(p.acc_reward_per_weight).unwrap_or(0).into(),
                            d,
                        ),
                        format_amount(c.claimed, d),
                    ]
                })
                .collect();
            let text = if list.is_empty() {
                "no contributors".into()
            } else {
                table(
                    &["#", "WALLET", "WEIGHT", "SHARE", "OWED", "CLAIMED"],
                    &rows,
                )
            };
            Ok(Report::new(&json, text))
        }
    }
}
