//! One processing file per noun. Each handler checks what it can against chain state first (so
//! a mistake gets a precise message and nothing is sent), shows a review block before moving
//! money or voting, sends, and returns one typed result. Command files import from the shared
//! modules (`context`, `lookup`, `output`, `resolve`), never from each other.

pub mod apply;
pub mod attestor;
pub mod audit;
pub mod contribution;
pub mod contributor;
pub mod custodian;
pub mod dataset;
pub mod demo;
pub mod offer;
pub mod offer_end;
pub mod pool;
pub mod proof;
pub mod vote;
pub mod wallet;
pub mod wind_down;

use data_pool_client::chain::Chain;

use crate::context::Ctx;
use crate::error::CliError;
use crate::output::Printed;
use crate::resolve::Action;

/// Runs one resolved command. With `--sign-only`, the command stops at its first transaction
/// and the result is that transaction's signatures.
pub async fn dispatch<C: Chain>(ctx: &Ctx<'_, C>, action: Action) -> Result<Printed, CliError> {
    let result = run(ctx, action).await;
    match ctx.take_signed_offline() {
        Some(signed) => Ok(Printed::of(&signed)),
        None => result,
    }
}

async fn run<C: Chain>(ctx: &Ctx<'_, C>, action: Action) -> Result<Printed, CliError> {
    match action {
        Action::PoolCreate {
            name,
            mint,
            params,
            claim_window,
        } => pool::create(ctx, &name, &mint, &params, claim_window).await,
        Action::PoolWindDown { pool } => wind_down::wind_down(ctx, &pool).await,
        Action::PoolClose { pool, to } => wind_down::close(ctx, &pool, to.as_ref()).await,
        Action::ContributionReap { contribution } => wind_down::reap(ctx, &contribution).await,
        Action::PoolShow { pool } => pool::show(ctx, &pool).await,
        Action::PoolList { authority } => pool::list(ctx, authority).await,
        Action::PoolUpdate { pool, change } => pool::update(ctx, &pool, &change).await,
        Action::PoolPause { pool, pause } => pool::pause(ctx, &pool, pause).await,
        Action::PoolWithdrawFees { pool, amount, to } => {
            pool::withdraw_fees(ctx, &pool, amount.as_ref(), to.as_ref()).await
        }
        Action::AuthorityPropose {
            pool,
            new_authority,
        } => pool::propose(ctx, &pool, &new_authority).await,
        Action::AuthorityAccept { pool } => pool::accept(ctx, &pool).await,
        Action::PoolApply(cfg) => apply::apply(ctx, &cfg).await,
        Action::AttestorSet { pool, key, add } => attestor::set(ctx, &pool, &key, add).await,
        Action::AttestorList { pool } => attestor::list(ctx, &pool).await,
        Action::AttestorServe(s) => attestor::serve(ctx, &s).await,
        Action::CustodianSet { pool, key, add } => custodian::set(ctx, &pool, &key, add).await,
        Action::CustodianList { pool } => custodian::list(ctx, &pool).await,
        Action::Deliver {
            offer,
            store,
            terms,
        } => custodian::deliver(ctx, &offer, &store, terms).await,
        Action::Sweep { pool, store, grace } => custodian::sweep(ctx, &pool, &store, grace).await,
        Action::DatasetFetch { offer, from, out } => dataset::fetch(ctx, &offer, &from, &out).await,
        Action::Attest(a) => proof::attest(ctx, &a).await,
        Action::ContributeAttestation { pool, file, source } => {
            proof::submit(ctx, &pool, &file, &source).await
        }
        Action::ContributeExport {
            pool,
            files,
            attestor_url,
        } => proof::contribute_export(ctx, &pool, &files, &attestor_url).await,
        Action::ContributionList { pool, contributor } => {
            contribution::list(ctx, &pool, contributor.as_ref()).await
        }
        Action::ContributionShow { contribution } => contribution::show(ctx, &contribution).await,
        Action::ContributionEnd {
            contribution,
            leave,
        } => contribution::end(ctx, &contribution, leave).await,
        Action::OfferCreate(a) => offer::create(ctx, &a).await,
        Action::OfferList { pool, state } => offer::list(ctx, &pool, state).await,
        Action::OfferShow { offer } => offer::show(ctx, &offer).await,
        Action::OfferReturn { offer, to, cancel } => {
            offer_end::give_back(ctx, &offer, to.as_ref(), cancel).await
        }
        Action::OfferFinalize { offer } => offer::finalize(ctx, &offer).await,
        Action::OfferClose { offer } => offer_end::close(ctx, &offer).await,
        Action::Vote { offer, approve } => vote::vote(ctx, &offer, approve).await,
        Action::Claim { pool, to } => contributor::claim(ctx, &pool, to.as_ref()).await,
        Action::ContributorShow { pool, wallet } => {
            contributor::show(ctx, &pool, wallet.as_ref()).await
        }
        Action::ContributorList { pool } => contributor::list(ctx, &pool).await,
        Action::Audit {
            pool,
            html,
            history,
        } => audit::run_audit(ctx, &pool, html.as_deref(), history).await,
        Action::Events {
            pool,
            follow,
            limit,
        } => audit::run_events(ctx, &pool, follow, limit).await,
        Action::Demo(cfg, out, html) => demo::run(ctx, &cfg, out.as_deref(), html.as_deref()).await,
        Action::KeypairNew {
            outfile,
            force,
            words,
        } => {
            let path = outfile.unwrap_or_else(wallet::default_keypair_path);
            wallet::keypair_new(&path, force, words)
        }
        Action::Address => wallet::address(ctx),
        Action::Blockhash => wallet::blockhash(ctx).await,
        Action::Completions(shell) => Ok(wallet::completions(shell)),
        Action::ConfigGet | Action::ConfigSet => Err(CliError::input(
            "config get/set run from the command line, with its -C, -u, -k and --commitment",
        )),
        Action::Balance { address } => wallet::balance(ctx, address.as_ref()).await,
        Action::Airdrop { amount, address } => {
            wallet::airdrop(ctx, &amount, address.as_ref()).await
        }
        Action::TestMintCreate { decimals } => wallet::mint_create(ctx, decimals).await,
        Action::TestMint { mint, amount, to } => {
            wallet::mint_to(ctx, &mint, &amount, to.as_ref()).await
        }
    }
}
