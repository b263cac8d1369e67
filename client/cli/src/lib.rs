//! The `datapool` CLI, in the shape of agave's `solana` and `spl-token` command lines: clap
//! syntax (`args`), a resolve step that turns strings into a typed [`Action`] and refuses bad
//! input before a node is touched (`resolve`, exit 2), one processing file per noun
//! (`commands`), and typed results printed as text or JSON (`output`). The attestor HTTP
//! service (`service`) lives here too, so the SDK (`data-pool-client`) carries no CLI or server
//! dependencies.
//!
//! Imports point one way: `commands` use `context`, `lookup`, `registry`, `output` and
//! `resolve`; nothing imports from a command file.
//!
//! Exit codes: 0 success, 1 the chain refused or the transaction failed, 2 bad input (nothing
//! was sent), 3 the node could not be reached.

pub mod args;
pub mod commands;
pub mod config;
pub mod context;
pub mod describe;
pub mod error;
pub mod lookup;
pub mod offline;
pub mod output;
pub mod progress;
pub mod registry;
pub mod resolve;
pub mod service;
pub mod signer;
pub mod terminal;

use data_pool_client::chain::rpc::RpcChain;
use data_pool_client::chain::Chain;

pub use args::{Cli, Command, OutputFormat};
pub use context::{build_ctx, Ctx, Review};
pub use error::{CliError, EXIT_FAILED, EXIT_INPUT, EXIT_UNREACHABLE};
pub use output::Printed;
pub use resolve::Action;

/// The program this binary was built with (`target/deploy/data_pool.so` at build time, by
/// `build.rs`); empty when it had not been built. The embedded chain runs it unless
/// `DATAPOOL_PROGRAM_SO` names another file.
pub const EMBEDDED_PROGRAM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/data_pool.so"));

/// The embedded chain with the program: `DATAPOOL_PROGRAM_SO` if set, else the one built in, else
/// `target/deploy/data_pool.so` found from the current directory.
#[cfg(feature = "embedded")]
pub fn embedded_chain(
    program_id: &anchor_lang::prelude::Pubkey,
) -> Result<data_pool_client::chain::embedded::EmbeddedChain, CliError> {
    use data_pool_client::chain::embedded::EmbeddedChain;
    if std::env::var_os("DATAPOOL_PROGRAM_SO").is_none() && !EMBEDDED_PROGRAM.is_empty() {
        return Ok(EmbeddedChain::with_program_bytes(
            program_id,
            EMBEDDED_PROGRAM,
        )?);
    }
    Ok(EmbeddedChain::with_default_program(program_id)?)
}

/// Resolves a parsed command line and runs it against `chain` (tests call this with an
/// embedded chain).
pub async fn execute<C: Chain>(ctx: &Ctx<'_, C>, command: &Command) -> Result<Printed, CliError> {
    let action = resolve::resolve(command)?;
    commands::dispatch(ctx, action).await
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

async fn run(cli: &Cli) -> Result<Printed, CliError> {
    let g = &cli.global;
    // Input is checked before any settings file, keypair or node is read.
    let mut action = resolve::resolve(&cli.command)?;
    let settings = config::settings(g)?;
    if matches!(action, Action::ConfigGet | Action::ConfigSet) {
        return commands::wallet::config(g, &settings, matches!(action, Action::ConfigSet));
    }
    // `keypair new` writes the -k path (or the config's) unless told where.
    if let Action::KeypairNew { outfile, .. } = &mut action {
        outfile.get_or_insert_with(|| settings.keypair_path.clone());
    }
    #[cfg(feature = "embedded")]
    if let Action::Demo(..) = &action {
        if !settings.url_explicit {
            let chain = embedded_chain(&context::program_id(g)?)?;
            let mut ctx = build_ctx(&chain, g, &settings.keypair_path)?;
            ctx.send_opts.fetch_logs = false;
            return commands::dispatch(&ctx, action).await;
        }
    }
    let chain = RpcChain::new(
        &settings.url,
        settings.commitment,
        std::time::Duration::from_secs(30),
    );
    let mut ctx = build_ctx(&chain, g, &settings.keypair_path)?;
    ctx.explorer = context::explorer_suffix(&settings.url);
    ctx.ws_url = Some(settings.ws_url.clone());
    ctx.commitment = settings.commitment;
    if let Action::Demo(..) = &action {
        ctx.send_opts.fetch_logs = false;
    }
    commands::dispatch(&ctx, action).await
}
