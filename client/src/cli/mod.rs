//! The `datapool` CLI: argument parsing (`args`), settings (`config`), handlers written once
//! against [`Chain`] (`commands`, `demo`, `apply`) and printing (`output`).
//!
//! Exit codes: 0 success, 1 the chain refused or the transaction failed, 2 bad input (nothing
//! was sent), 3 the node could not be reached.

pub mod apply;
pub mod args;
pub mod auditor;
pub mod commands;
pub mod config;
pub mod demo;
pub mod output;
pub mod proof;

use std::io::{IsTerminal, Write};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::chain::rpc::RpcChain;
use crate::chain::{Chain, ChainError};
use crate::errors::Failure;
use crate::query::QueryError;
use crate::send::{self, SendError, SendOptions, Sent};

pub use args::{Cli, Command, OutputFormat};
pub use output::Report;

/// Exit code: the chain refused or the transaction failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: bad input; nothing was sent.
pub const EXIT_INPUT: i32 = 2;
/// Exit code: the node could not be reached.
pub const EXIT_UNREACHABLE: i32 = 3;

/// What went wrong, for people and for scripts.
#[derive(Debug, serde::Serialize)]
pub struct CliError {
    /// One sentence.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Process exit code.
    #[serde(rename = "exitCode")]
    pub code: i32,
    /// The decoded on-chain error, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Box<Failure>>,
    /// Program logs that explain it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
}

impl CliError {
    /// Bad input (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: EXIT_INPUT,
            failure: None,
            logs: vec![],
        }
    }

    /// A refusal by the chain or a failed check against chain state (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_FAILED,
            ..CliError::input(message)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl From<ChainError> for CliError {
    fn from(e: ChainError) -> Self {
        let code = if e.is_transient() {
            EXIT_UNREACHABLE
        } else {
            EXIT_FAILED
        };
        let hint = match &e {
            ChainError::Unreachable { .. } => {
                Some("check --url and that the node is running; nothing was changed".to_string())
            }
            _ => None,
        };
        CliError {
            message: e.to_string(),
            hint,
            code,
            failure: None,
            logs: vec![],
        }
    }
}

impl From<QueryError> for CliError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Chain(c) => c.into(),
            other => CliError::input(other.to_string()),
        }
    }
}

impl From<SendError> for CliError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Chain(c) => c.into(),
            SendError::Signing(m) => CliError::input(format!("cannot sign: {m}"))
                .with_hint("pass the keypair of the account that must sign with -k"),
            other => {
                let failure = other.failure().cloned().map(Box::new);
                let hint = failure.as_ref().and_then(|f| f.hint.clone());
                let message = match &other {
                    SendError::Simulation { failure, .. } => {
                        format!("the transaction would fail, so it was not sent: {failure}")
                    }
                    _ => other.to_string(),
                };
                CliError {
                    message,
                    hint,
                    code: EXIT_FAILED,
                    failure,
                    logs: other.logs().to_vec(),
                }
            }
        }
    }
}

/// A confirmation block shown before a command moves money or casts a vote.
pub struct Review {
    /// What is about to happen.
    pub title: String,
    /// `(label, value)` lines.
    pub rows: Vec<(String, String)>,
}

/// Everything a command needs: the chain, who signs, who pays, how to send.
pub struct Ctx<'a, C: Chain> {
    /// The chain.
    pub chain: &'a C,
    /// The data-pool program id.
    pub program_id: Pubkey,
    signer: Result<Keypair, (String, Option<String>)>,
    fee_payer: Option<Keypair>,
    /// How transactions are sent.
    pub send_opts: SendOptions,
    /// Skip confirmations.
    pub yes: bool,
    /// Show spinners and progress bars on stderr.
    pub progress: bool,
    /// Explorer link suffix (`?cluster=devnet`), `None` for chains no explorer shows.
    pub explorer: Option<String>,
    /// PubSub URL, `None` for the embedded chain.
    pub ws_url: Option<String>,
    /// Commitment of subscriptions.
    pub commitment: solana_commitment_config::CommitmentConfig,
    /// Stream JSON lines (`--output json*`) rather than text.
    pub json_lines: bool,
}

impl<'a, C: Chain> Ctx<'a, C> {
    /// A context; `signer` may be an error that is only reported if a command needs to sign.
    pub fn new(
        chain: &'a C,
        program_id: Pubkey,
        signer: Result<Keypair, CliError>,
        fee_payer: Option<Keypair>,
    ) -> Self {
        // A context built directly (tests, the demo) does not prompt.
        Ctx {
            chain,
            program_id,
            signer: signer.map_err(|e| (e.message, e.hint)),
            fee_payer,
            send_opts: SendOptions::default(),
            yes: true,
            progress: false,
            explorer: None,
            ws_url: None,
            commitment: solana_commitment_config::CommitmentConfig::confirmed(),
            json_lines: false,
        }
    }

    /// The wallet acting.
    pub fn signer(&self) -> Result<&Keypair, CliError> {
        self.signer.as_ref().map_err(|(m, h)| CliError {
            hint: h.clone(),
            ..CliError::input(m.clone())
        })
    }

    /// Who pays fees and rent: `--fee-payer`, else the signer.
    pub fn payer(&self) -> Result<&Keypair, CliError> {
        match &self.fee_payer {
            Some(k) => Ok(k),
            None => self.signer(),
        }
    }

    /// Shows `review` on stderr and asks unless `-y`.
    pub fn confirm(&self, review: &Review) -> Result<(), CliError> {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "\n{}", review.title);
        let width = review.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in &review.rows {
            let _ = writeln!(err, "  {k:<width$}  {v}");
        }
        if self.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(
                CliError::input("confirmation needed and stdin is not a terminal")
                    .with_hint("pass -y to proceed without a prompt"),
            );
        }
        let _ = write!(err, "Proceed? [y/N] ");
        let _ = err.flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CliError::input(format!("cannot read the answer: {e}")))?;
        if matches!(answer.trim(), "y" | "Y" | "yes") {
            Ok(())
        } else {
            Err(CliError::input("cancelled; nothing was sent"))
        }
    }

    /// Sends `ixs` signed by the payer, the signer (when `with_signer`) and `extra`.
    pub async fn send(
        &self,
        what: &str,
        ixs: &[Instruction],
        with_signer: bool,
        extra: &[&Keypair],
    ) -> Result<Sent, CliError> {
        let payer = self.payer()?;
        let mut signers: Vec<&Keypair> = vec![payer];
        if with_signer {
            signers.push(self.signer()?);
        }
        signers.extend_from_slice(extra);
        let spinner = self.progress.then(|| {
            let s = indicatif::ProgressBar::new_spinner();
            s.set_message(format!("{what}: sending to {}", self.chain.label()));
            s.enable_steady_tick(std::time::Duration::from_millis(100));
            s
        });
        let r = send::send(
            self.chain,
            &self.program_id,
            ixs,
            &payer.pubkey(),
            &signers,
            &self.send_opts,
        )
        .await;
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        Ok(r?)
    }
}

/// Parses an address argument: a base58 public key, or a keypair file whose public key is used.
pub fn parse_pubkey(text: &str, what: &str) -> Result<Pubkey, CliError> {
    if let Ok(k) = text.parse::<Pubkey>() {
        return Ok(k);
    }
    let path = std::path::Path::new(text);
    if path.is_file() {
        return config::read_keypair(path).map(|k| k.pubkey());
    }
    Err(CliError::input(format!(
        "{text:?} is not a valid {what} address (base58 public key)"
    )))
}

fn explorer_suffix(url: &str) -> Option<String> {
    if url.contains("devnet") {
        Some("?cluster=devnet".into())
    } else if url.contains("testnet") {
        Some("?cluster=testnet".into())
    } else if url.contains("mainnet") {
        Some(String::new())
    } else {
        let enc: String = url
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        Some(format!("?cluster=custom&customUrl={enc}"))
    }
}

/// Runs a parsed command line against `chain` (tests call this with an embedded chain).
pub async fn execute<C: Chain>(ctx: &Ctx<'_, C>, command: &Command) -> Result<Report, CliError> {
    commands::dispatch(ctx, command).await
}

/// Parses `argv`, builds the chain from the settings and runs; returns the exit code.
pub async fn main_with_args(argv: Vec<String>) -> i32 {
    let cli = match <Cli as clap::Parser>::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_INPUT } else { 0 };
        }
    };
    let format = cli.global.output;
    let result = run(&cli).await;
    output::print_result(format, result)
}

/// `--program-id`, or the built-in id.
fn program_id(g: &args::GlobalArgs) -> Result<Pubkey, CliError> {
    match &g.program_id {
        Some(p) => parse_pubkey(p, "program"),
        None => Ok(crate::PROGRAM_ID),
    }
}

/// A context for `chain` from the global flags; the signer is read from `keypair_path` (an error
/// there only matters to commands that sign).
pub fn build_ctx<'a, C: Chain>(
    chain: &'a C,
    g: &args::GlobalArgs,
    keypair_path: &std::path::Path,
) -> Result<Ctx<'a, C>, CliError> {
    let program_id = program_id(g)?;
    let signer = config::read_keypair(keypair_path);
    let fee_payer = g
        .fee_payer
        .as_deref()
        .map(config::read_keypair)
        .transpose()?;
    let mut ctx = Ctx::new(chain, program_id, signer, fee_payer);
    ctx.send_opts.compute_unit_price = g.compute_unit_price;
    ctx.yes = g.yes;
    ctx.progress = std::io::stderr().is_terminal();
    ctx.json_lines = g.output != OutputFormat::Text;
    Ok(ctx)
}

async fn run(cli: &Cli) -> Result<Report, CliError> {
    let g = &cli.global;
    let settings = config::settings(g)?;
    #[cfg(feature = "embedded")]
    if let Command::Demo(d) = &cli.command {
        if !settings.url_explicit {
            let chain =
                crate::chain::embedded::EmbeddedChain::with_default_program(&program_id(g)?)?;
            let mut ctx = build_ctx(&chain, g, &settings.keypair_path)?;
            ctx.send_opts.fetch_logs = false;
            return demo::run(&ctx, d).await;
        }
    }
    let chain = RpcChain::new(
        &settings.url,
        settings.commitment,
        std::time::Duration::from_secs(30),
    );
    let mut ctx = build_ctx(&chain, g, &settings.keypair_path)?;
    ctx.explorer = explorer_suffix(&settings.url);
    ctx.ws_url = Some(settings.ws_url.clone());
    ctx.commitment = settings.commitment;
    if let Command::Demo(_) = &cli.command {
        ctx.send_opts.fetch_logs = false;
    }
    execute(&ctx, &cli.command).await
}
