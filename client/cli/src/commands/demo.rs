//! `datapool demo`: the Unwrapped story (the SDK's story engine) on the embedded chain or a
//! node, with progress on the terminal and a summary with the audit's verdicts.

use std::fmt;
use std::path::Path;

use data_pool_client::chain::Chain;
use data_pool_client::story::unwrapped::{self, Summary, DECIMALS};
use data_pool_client::story::Stage;
use data_pool_client::units::{format_amount, format_sol as sol, format_time};
use serde::Serialize;
use solana_keypair::Keypair;

use crate::context::Ctx;
use crate::error::CliError;
use crate::output::{checks_text, fields, table, Printed};
use crate::progress::Bars;

/// The demo's outcome: the story's summary as JSON, a report as text.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct DemoSummary(pub Summary);

/// Runs the demo. The payer is the signer on a node; on the embedded chain a fresh key funded
/// by the test faucet.
pub async fn run<C: Chain>(
    ctx: &Ctx<'_, C>,
    cfg: &unwrapped::Config,
    out: Option<&Path>,
    html: Option<&Path>,
) -> Result<Printed, CliError> {
    let payer = if ctx.chain.is_embedded() {
        Keypair::new()
    } else {
        ctx.payer_keypair("the demo (its funding wallet)")?
            .insecure_clone()
    };
    eprintln!(
        "datapool demo on {}: {} contributors, {}% turnout, seed {}",
        ctx.chain.label(),
        cfg.contributors,
        cfg.turnout,
        cfg.seed
    );
    let bars = Bars::new(ctx.progress);
    let mut stage = Stage::new(ctx.chain, ctx.program_id, payer, &bars);
    stage.send_opts = ctx.send_opts.clone();
    let summary = DemoSummary(unwrapped::run(&stage, cfg).await?);
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
        for f in &summary.0.dataset {
            let p = dir.join(&f.name);
            std::fs::write(&p, &f.bytes)
                .map_err(|e| CliError::input(format!("cannot write {}: {e}", p.display())))?;
            eprintln!("wrote {}", p.display());
        }
    }
    if let Some(path) = html {
        // The story's closing audit, taken before the pool closed.
        std::fs::write(
            path,
            data_pool_client::report_html::render(&summary.0.report),
        )
        .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))?;
        eprintln!("wrote {}", path.display());
    }
    let printed = Printed::of(&summary);
    if summary.0.sound() {
        Ok(printed)
    } else {
        eprintln!("{}", crate::output::terminal_safe(&printed.text));
        Err(CliError::failed(
            "an invariant does not hold after the demo (see above)",
        ))
    }
}

impl fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        let usdc = |v: u64| format_amount(v.into(), DECIMALS);
        let late = if s.votes_after_decision > 0 {
            format!(
                "; {} more arrived after the votes had decided the offer",
                s.votes_after_decision
            )
        } else {
            String::new()
        };
        let mut out = String::from("\nUnwrapped on data-pool: summary\n");
        out.push_str(&fields(&[
            ("Chain", s.chain.clone()),
            ("Pool", s.pool.clone()),
            ("Offer", s.offer.clone()),
            (
                "Contributors",
                format!("{} (total weight {})", s.contributors, s.total_weight),
            ),
            (
                "Turnout",
                format!(
                    "{} voters, {:.2}% of the weight{late}",
                    s.voters, s.turnout_weight_percent
                ),
            ),
            (
                "Tally",
                format!("yes {} / no {}", s.yes_weight, s.no_weight),
            ),
            ("Outcome", s.outcome.clone()),
            (
                "Records",
                format!(
                    "{} listening histories stored encrypted to the custodian ({} bytes) in {}",
                    s.contributors, s.records_bytes, s.store
                ),
            ),
            (
                "Delivered",
                if s.delivered_contributions == 0 {
                    "nothing".to_string()
                } else {
                    format!(
                        "the {} slice of exactly the {} contributions paid ({} bytes, encrypted to the buyer) before any money moved",
                        s.slice, s.delivered_contributions, s.delivered_bytes
                    )
                },
            ),
            (
                "Buyer verified",
                if s.delivered_files.is_empty() {
                    "nothing".to_string()
                } else {
                    format!(
                        "{} ({} rows) against the on-chain receipt",
                        s.delivered_files.join(", "),
                        s.delivered_rows
                    )
                },
            ),
            ("Price", format!("{} USDC", usdc(s.price))),
            ("Curator fee", format!("{} USDC", usdc(s.fee))),
            ("To contributors", format!("{} USDC", usdc(s.distributed))),
            (
                "Claimed",
                format!(
                    "{} USDC by {} contributors",
                    usdc(s.claimed),
                    s.contributors
                ),
            ),
            (
                "Payouts",
                format!(
                    "min {} / median {} / max {} USDC",
                    usdc(s.payout_min),
                    usdc(s.payout_median),
                    usdc(s.payout_max)
                ),
            ),
            ("Vault dust", format!("{} base units", s.vault_dust)),
            (
                "Left",
                format!(
                    "{} contributors, {} of deposits back to whoever paid them",
                    s.ending.left,
                    sol(s.ending.deposits_returned)
                ),
            ),
            (
                "Wound down",
                if s.ending.closed {
                    format!(
                        "pool closed after its claim window: {} base units swept to the curator, {} of rent back",
                        s.ending.swept,
                        sol(s.ending.close_returned)
                    )
                } else {
                    format!(
                        "claim window open until {}; then `datapool pool close {}` returns the pool's rent",
                        format_time(s.ending.claims_end),
                        s.pool
                    )
                },
            ),
            (
                "Still locked",
                format!(
                    "{} (the accepted offer, the buyer's license{})",
                    sol(s.ending.still_locked),
                    if s.ending.closed { "" } else { ", and the pool until it closes" }
                ),
            ),
            (
                "Transactions",
                format!("{} using {} compute units", s.transactions, s.compute_units),
            ),
            ("Time", format!("{:.2} s", s.seconds)),
        ]));
        let rows: Vec<Vec<String>> = s
            .top_shares
            .iter()
            .map(|t| {
                vec![
                    format!("#{}", t.contributor),
                    t.weight.to_string(),
                    format!("{:.3}%", t.share_percent),
                    format!("≈{} USDC", usdc(t.expected_payout)),
                ]
            })
            .collect();
        out.push_str("\nTop shares\n");
        out.push_str(&table(&["CONTRIBUTOR", "WEIGHT", "SHARE", "PAYOUT"], &rows));
        out.push('\n');
        out.push_str(&checks_text(
            &format!(
                "Audit ({:.2} s): invariants (docs/PROTOCOL.md)",
                s.audit_seconds
            ),
            &s.invariants,
        ));
        out.push_str(&checks_text(
            "History: events against the totals",
            &s.history_checks,
        ));
        write!(f, "{out}")
    }
}
