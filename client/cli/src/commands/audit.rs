//! `audit` and `events`: prove a pool's books from chain state and history (the SDK's auditor,
//! optionally as an HTML page), and read or follow its decoded events.

use std::fmt;
use std::path::Path;

use anchor_lang::prelude::Pubkey;
use data_pool_client::audit::{audit, AuditReport};
use data_pool_client::chain::Chain;
use data_pool_client::events::{event_json, raw_events_from_logs};
use data_pool_client::history::pool_history;
use data_pool_client::units::{format_money, Money};
use futures::StreamExt;
use serde::Serialize;
use serde_json::json;

use crate::context::Ctx;
use crate::error::{CliError, EXIT_FAILED, EXIT_INPUT, EXIT_UNREACHABLE};
use crate::lookup;
use crate::output::{checks_text, fields, table, Listing, Printed};

/// An audit's report: the SDK's [`AuditReport`] as JSON, a summary with its verdicts as text.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Audited(pub AuditReport);

impl fmt::Display for Audited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", audit_text(&self.0))
    }
}

fn audit_text(r: &AuditReport) -> String {
    let money = |v: u128| format_money(v, r.decimals, &r.unit);
    let mut out = fields(&[
        ("Pool", format!("{} ({})", r.pool, r.name)),
        ("Chain", r.chain.clone()),
        (
            "Verdict",
            if r.ok {
                "every invariant holds".into()
            } else {
                "VIOLATIONS FOUND".into()
            },
        ),
        (
            "Contributors",
            format!("{} (Gini of weights {:.3})", r.contributors, r.gini),
        ),
        ("Vault", money(r.vault.into())),
        ("Distributed", money(r.total_distributed)),
        ("Claimed", money(r.total_claimed)),
        ("Fees", money(r.total_fees)),
        ("Audited in", format!("{:.2} s", r.seconds)),
    ]);
    out.push('\n');
    out.push_str(&checks_text("Invariants (docs/PROTOCOL.md)", &r.invariants));
    if let Some(h) = &r.history {
        out.push('\n');
        out.push_str(&checks_text(
            &format!(
                "History ({} transactions, {} events)",
                h.transactions, h.events
            ),
            &h.checks,
        ));
    }
    if !r.offers.is_empty() {
        out.push_str("\nOffers\n");
        let rows: Vec<Vec<String>> = r
            .offers
            .iter()
            .map(|o| {
                vec![
                    o.index.to_string(),
                    o.state.clone(),
                    money(o.price.into()),
                    o.voters.to_string(),
                    format!("{:.1}%", o.turnout_percent),
                    format!("{} / {}", o.yes, o.no),
                    money(o.fee.into()),
                    money(o.net.into()),
                ]
            })
            .collect();
        out.push_str(&table(
            &[
                "#",
                "STATE",
                "PRICE",
                "VOTERS",
                "TURNOUT",
                "YES / NO",
                "FEE",
                "TO CONTRIBUTORS",
            ],
            &rows,
        ));
    }
    out
}

/// `datapool audit`: exit 0 sound, 1 a violation, 2 could not audit.
pub async fn run_audit<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    html: Option<&Path>,
    history: bool,
) -> Result<Printed, CliError> {
    // Could not audit (not a pool, node unreachable): exit 2.
    let could_not = |e: CliError| CliError {
        code: EXIT_INPUT,
        ..e
    };
    lookup::pool(ctx, pool).await.map_err(could_not)?;
    let r = audit(ctx.chain, &ctx.program_id, pool, history)
        .await
        .map_err(|e| could_not(e.into()))?;
    if let Some(path) = html {
        std::fs::write(path, data_pool_client::report_html::render(&r))
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))?;
    }
    let code = if r.ok { 0 } else { EXIT_FAILED };
    Ok(Printed::of(&Audited(r)).with_code(code))
}

/// `datapool events`.
pub async fn run_events<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    follow: bool,
    limit: Option<usize>,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, pool).await?;
    let unit = Money::of(&p.mint, p.mint_decimals);
    if follow {
        return follow_events(ctx, pool, &unit).await;
    }
    let (mut events, _) = pool_history(ctx.chain, &ctx.program_id, pool, 16).await?;
    if let Some(n) = limit {
        let skip = events.len().saturating_sub(n);
        events.drain(..skip);
    }
    Ok(Printed::of(&Listing::new(
        events,
        &["SLOT", "EVENT", "FIELDS", "SIGNATURE"],
        |e| {
            vec![
                e.slot.to_string(),
                e.name.clone(),
                short_fields(&e.data, &unit),
                e.signature.clone(),
            ]
        },
        "no events",
    )))
}

/// Event fields that are amounts of the payout mint, in base units.
const MONEY_FIELDS: [&str; 7] = [
    "amount",
    "price",
    "fee",
    "net",
    "sweptFees",
    "sweptRewards",
    "totalWithdrawn",
];

fn short_fields(data: &serde_json::Value, unit: &Money) -> String {
    data.as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "pool")
                .map(|(k, v)| {
                    let base = v
                        .as_u64()
                        .map(u128::from)
                        .or_else(|| v.as_str().and_then(|s| s.parse::<u128>().ok()));
                    if let (true, Some(b)) = (MONEY_FIELDS.contains(&k.as_str()), base) {
                        return format!("{k}={}", unit.show(b));
                    }
                    let v = v
                        .as_str()
                        .map(|s| {
                            if s.len() > 12 {
                                format!("{}…", &s[..8])
                            } else {
                                s.to_string()
                            }
                        })
                        .unwrap_or(v.to_string());
                    format!("{k}={v}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

async fn follow_events<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    unit: &Money,
) -> Result<Printed, CliError> {
    let Some(ws) = &ctx.ws_url else {
        return Err(CliError::input(
            "--follow needs a node: pass --url (the embedded chain has no subscriptions)",
        ));
    };
    let client = solana_pubsub_client::nonblocking::pubsub_client::PubsubClient::new(ws.as_str())
        .await
        .map_err(|e| CliError {
            code: EXIT_UNREACHABLE,
            ..CliError::failed(format!("cannot subscribe at {ws}: {e}"))
        })?;
    let filter =
        solana_rpc_client_api::config::RpcTransactionLogsFilter::Mentions(vec![pool.to_string()]);
    let config = solana_rpc_client_api::config::RpcTransactionLogsConfig {
        commitment: Some(ctx.commitment),
    };
    let (mut stream, unsubscribe) = client
        .logs_subscribe(filter, config)
        .await
        .map_err(|e| CliError::failed(format!("logs subscription refused: {e}")))?;
    eprintln!("following events of pool {pool} (Ctrl-C to stop)");
    let mut seen = 0u64;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            item = stream.next() => {
                let Some(resp) = item else {
                    return Err(CliError { code: EXIT_UNREACHABLE, ..CliError::failed(format!("the node at {ws} closed the subscription")) });
                };
                if resp.value.err.is_some() {
                    continue;
                }
                for raw in raw_events_from_logs(&ctx.program_id, &resp.value.logs) {
                    let Some(ev) = event_json(&raw) else { continue };
                    seen += 1;
                    let line = json!({ "signature": resp.value.signature, "slot": resp.context.slot, "name": ev["name"], "data": ev["data"] });
                    if ctx.json_lines {
                        crate::output::print_line(line);
                    } else {
                        let text = format!("{} {} {} {}", resp.context.slot, ev["name"].as_str().unwrap_or(""), short_fields(&ev["data"], unit), resp.value.signature);
                        crate::output::print_line(crate::output::terminal_safe(&text));
                    }
                }
            }
        }
    }
    unsubscribe().await;
    eprintln!("{seen} events");
    Ok(Printed::nothing())
}
