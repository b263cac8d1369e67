//! The resolve step: the strings of a parsed command line become a typed [`Action`]. Everything
//! that can be checked without a node is checked here (addresses, hashes, durations, amounts'
//! shape, files to read, the attestor's keypair), so a mistake exits 2 before any settings file,
//! keypair or node is read.

use data_pool::state::OfferState;
use data_pool_client::dataset::{DatasetError, Slice, Terms};
use data_pool_client::story::unwrapped;

use crate::args::*;
use crate::error::CliError;
use crate::signer;

mod action;
mod values;

pub use action::*;
use values::*;
pub use values::{attestation_file, duration, hash, open_store, pubkey};

fn attest(a: &AttestArgs) -> Result<Attest, CliError> {
    let ttl = duration(&a.expires_in, "--expires-in")?;
    if ttl <= 0 {
        return Err(CliError::input("--expires-in must be positive"));
    }
    let source = if a.file.is_empty() {
        let score = a.score.unwrap_or(0);
        if score == 0 {
            return Err(CliError::input("--score must be at least 1"));
        }
        let identity = a.identity.as_deref().unwrap_or_default();
        AttestSource::Given {
            identity: hex32(identity)
                .ok_or_else(|| CliError::input("--identity must be 64 hex characters"))?,
            hash: hash(a.data_hash.as_deref().unwrap_or_default())?,
            score,
        }
    } else {
        AttestSource::Export(a.file.clone())
    };
    Ok(Attest {
        pool: pubkey(&a.pool, "pool")?,
        contributor: pubkey(&a.contributor, "contributor")?,
        source,
        max_score: a.max_score,
        attestor: signer::read_keypair(&a.attestor_keypair)?,
        ttl,
        out: a.out.clone(),
        identities: a.identities.clone(),
    })
}

/// The terms `--slice` and `--terms FILE` describe, `None` when neither is given.
fn given_terms(t: &TermsArgs) -> Result<Option<Terms>, CliError> {
    if t.slice.is_none() && t.terms.is_none() {
        return Ok(None);
    }
    terms(t).map(Some)
}

/// The terms `--slice` (default `rows`) and `--terms FILE` describe.
fn terms(t: &TermsArgs) -> Result<Terms, CliError> {
    let slice: Slice = t
        .slice
        .as_deref()
        .unwrap_or("rows")
        .parse()
        .map_err(|e: DatasetError| CliError::input(format!("--slice: {e}")))?;
    let text =
        match &t.terms {
            Some(path) => Some(std::fs::read(path).map_err(|e| {
                CliError::input(format!("cannot read terms {}: {e}", path.display()))
            })?),
            None => None,
        };
    Ok(Terms::new(slice, text.as_deref()))
}

fn offer_create(
    pool: &str,
    price: &str,
    t: &TermsArgs,
    terms_uri: &str,
    from: &Option<String>,
    refund_to: &Option<String>,
) -> Result<OfferCreate, CliError> {
    if terms_uri.len() > data_pool::constants::MAX_TERMS_URI_LEN {
        return Err(CliError::input("--terms-uri is longer than 200 bytes"));
    }
    Ok(OfferCreate {
        pool: pubkey(pool, "pool")?,
        price: Amount::parse(price, "--price")?,
        terms: terms(t)?,
        terms_uri: terms_uri.to_string(),
        from: opt_pubkey(from, "paying token account")?,
        refund_to: opt_pubkey(refund_to, "refund account")?,
    })
}

fn serve(cmd: &AttestorCmd) -> Result<Action, CliError> {
    let AttestorCmd::Serve {
        pool,
        bind,
        max_body,
        concurrency,
        ttl,
        max_score,
        store,
        custodians,
        sweep_every,
        rate_limit,
        no_access_log,
        log_clients,
        identity,
    } = cmd
    else {
        return Err(CliError::input("not a serve command"));
    };
    Ok(Action::AttestorServe(Serve {
        pool: pubkey(pool, "pool")?,
        bind: bind_address(bind)?,
        max_body: *max_body,
        concurrency: *concurrency,
        ttl: duration(ttl, "--ttl")?,
        max_score: *max_score,
        store: store.clone(),
        rate_limit: *rate_limit,
        access_log: if *no_access_log {
            crate::service::AccessLog::Off
        } else {
            crate::service::AccessLog::Stderr {
                with_client: *log_clients,
            }
        },
        custodians: custodians
            .iter()
            .map(|c| pubkey(c, "custodian"))
            .collect::<Result<_, _>>()?,
        sweep_every: duration(sweep_every, "--sweep-every")?.max(1),
        identities: identity.clone(),
    }))
}

fn offer_state(s: OfferStateArg) -> OfferState {
    match s {
        OfferStateArg::Open => OfferState::Open,
        OfferStateArg::Accepted => OfferState::Accepted,
        OfferStateArg::Rejected => OfferState::Rejected,
        OfferStateArg::Cancelled => OfferState::Cancelled,
        OfferStateArg::AwaitingDelivery => OfferState::AwaitingDelivery,
        OfferStateArg::Undelivered => OfferState::Undelivered,
    }
}

/// Resolves a parsed command line.
pub fn resolve(command: &Command) -> Result<Action, CliError> {
    Ok(match command {
        Command::Pool(c) => match c {
            PoolCmd::Create {
                name,
                mint,
                params,
                claim_window,
            } => Action::PoolCreate {
                name: pool_name(name)?,
                mint: pubkey(mint, "mint")?,
                params: params_change(params)?,
                claim_window: duration(claim_window, "--claim-window")?,
            },
            PoolCmd::WindDown { pool } => Action::PoolWindDown {
                pool: pubkey(pool, "pool")?,
            },
            PoolCmd::Close { pool, to } => Action::PoolClose {
                pool: pubkey(pool, "pool")?,
                to: opt_pubkey(to, "--to")?,
            },
            PoolCmd::Show { pool } => Action::PoolShow {
                pool: pubkey(pool, "pool")?,
            },
            PoolCmd::List { authority } => Action::PoolList {
                authority: opt_pubkey(authority, "authority")?,
            },
            PoolCmd::Update { pool, params } => Action::PoolUpdate {
                pool: pubkey(pool, "pool")?,
                change: {
                    let change = params_change(params)?;
                    if change.is_empty() {
                        return Err(CliError::input("nothing to update: give at least one of --fee-bps, --quorum-bps, --approval-bps, --voting-period, --min-price, --max-score"));
                    }
                    change
                },
            },
            PoolCmd::Pause { pool } => Action::PoolPause {
                pool: pubkey(pool, "pool")?,
                pause: true,
            },
            PoolCmd::Unpause { pool } => Action::PoolPause {
                pool: pubkey(pool, "pool")?,
                pause: false,
            },
            PoolCmd::WithdrawFees { pool, amount, to } => Action::PoolWithdrawFees {
                pool: pubkey(pool, "pool")?,
                amount: amount
                    .as_deref()
                    .map(|a| Amount::parse(a, "--amount"))
                    .transpose()?,
                to: opt_pubkey(to, "destination")?,
            },
            PoolCmd::Authority(AuthorityCmd::Propose {
                pool,
                new_authority,
            }) => Action::AuthorityPropose {
                pool: pubkey(pool, "pool")?,
                new_authority: pubkey(new_authority, "new authority")?,
            },
            PoolCmd::Authority(AuthorityCmd::Accept { pool }) => Action::AuthorityAccept {
                pool: pubkey(pool, "pool")?,
            },
            PoolCmd::Apply { config } => Action::PoolApply(pool_config(config)?),
        },
        Command::Attestor(c) => match c {
            AttestorCmd::Add { pool, key } | AttestorCmd::Remove { pool, key } => {
                Action::AttestorSet {
                    pool: pubkey(pool, "pool")?,
                    key: pubkey(key, "attestor key")?,
                    add: matches!(c, AttestorCmd::Add { .. }),
                }
            }
            AttestorCmd::List { pool } => Action::AttestorList {
                pool: pubkey(pool, "pool")?,
            },
            AttestorCmd::Serve { .. } => serve(c)?,
        },
        Command::Custodian(c) => match c {
            CustodianCmd::Add { pool, key } | CustodianCmd::Remove { pool, key } => {
                Action::CustodianSet {
                    pool: pubkey(pool, "pool")?,
                    key: pubkey(key, "custodian key")?,
                    add: matches!(c, CustodianCmd::Add { .. }),
                }
            }
            CustodianCmd::List { pool } => Action::CustodianList {
                pool: pubkey(pool, "pool")?,
            },
            CustodianCmd::Deliver {
                offer,
                store,
                terms: t,
            } => Action::Deliver {
                offer: pubkey(offer, "offer")?,
                store: store.clone(),
                terms: given_terms(t)?,
            },
            CustodianCmd::Sweep { pool, store, grace } => Action::Sweep {
                pool: pubkey(pool, "pool")?,
                store: store.clone(),
                grace: duration(grace, "--grace")?,
            },
        },
        Command::Dataset(DatasetCmd::Fetch {
            offer,
            from,
            store,
            out,
        }) => Action::DatasetFetch {
            offer: pubkey(offer, "offer")?,
            from: match (from, store) {
                (Some(url), _) => FetchFrom::Service(url.trim_end_matches('/').to_string()),
                (None, Some(s)) => FetchFrom::Store(s.clone()),
                (None, None) => {
                    return Err(CliError::input(
                        "pass --from URL (the pool's data service) or --store URL",
                    ))
                }
            },
            out: out.clone(),
        },
        Command::Attest(a) => Action::Attest(Box::new(attest(a)?)),
        Command::Contribute {
            pool,
            attestation,
            file,
            attestor_url,
        } => {
            match (attestation, attestor_url) {
                (Some(path), _) => Action::ContributeAttestation {
                    pool: pubkey(pool, "pool")?,
                    file: Box::new(attestation_file(path)?),
                    source: path.display().to_string(),
                },
                (None, Some(url)) => Action::ContributeExport {
                    pool: pubkey(pool, "pool")?,
                    files: file.clone(),
                    attestor_url: url.clone(),
                },
                (None, None) => return Err(CliError::input(
                    "--file needs --attestor-url (or sign offline with `datapool attest --file`)",
                )),
            }
        }
        Command::Contribution(c) => match c {
            ContributionCmd::List { pool, contributor } => Action::ContributionList {
                pool: pubkey(pool, "pool")?,
                contributor: opt_pubkey(contributor, "contributor")?,
            },
            ContributionCmd::Show { contribution } => Action::ContributionShow {
                contribution: pubkey(contribution, "contribution")?,
            },
            ContributionCmd::Reap { contribution } => Action::ContributionReap {
                contribution: pubkey(contribution, "contribution")?,
            },
            ContributionCmd::Leave { contribution }
            | ContributionCmd::Invalidate { contribution } => Action::ContributionEnd {
                contribution: pubkey(contribution, "contribution")?,
                leave: matches!(c, ContributionCmd::Leave { .. }),
            },
        },
        Command::Offer(c) => match c {
            OfferCmd::Create {
                pool,
                price,
                terms,
                terms_uri,
                from,
                refund_to,
            } => Action::OfferCreate(offer_create(
                pool, price, terms, terms_uri, from, refund_to,
            )?),
            OfferCmd::List { pool, state } => Action::OfferList {
                pool: pubkey(pool, "pool")?,
                state: state.map(offer_state),
            },
            OfferCmd::Show { offer } => Action::OfferShow {
                offer: pubkey(offer, "offer")?,
            },
            OfferCmd::Cancel { offer, to } | OfferCmd::Refund { offer, to } => {
                Action::OfferReturn {
                    offer: pubkey(offer, "offer")?,
                    to: opt_pubkey(to, "destination")?,
                    cancel: matches!(c, OfferCmd::Cancel { .. }),
                }
            }
            OfferCmd::Finalize { offer } => Action::OfferFinalize {
                offer: pubkey(offer, "offer")?,
            },
            OfferCmd::Close { offer } => Action::OfferClose {
                offer: pubkey(offer, "offer")?,
            },
        },
        Command::Vote {
            offer,
            approve,
            reject,
        } => Action::Vote {
            offer: pubkey(offer, "offer")?,
            approve: *approve && !*reject,
        },
        Command::Claim { pool, to } => Action::Claim {
            pool: pubkey(pool, "pool")?,
            to: opt_pubkey(to, "destination")?,
        },
        Command::Contributor(c) => match c {
            ContributorCmd::Show { pool, wallet } => Action::ContributorShow {
                pool: pubkey(pool, "pool")?,
                wallet: opt_pubkey(wallet, "wallet")?,
            },
            ContributorCmd::List { pool } => Action::ContributorList {
                pool: pubkey(pool, "pool")?,
            },
        },
        Command::Audit {
            pool,
            html,
            no_history,
        } => Action::Audit {
            pool: pubkey(pool, "pool")?,
            html: html.clone(),
            history: !*no_history,
        },
        Command::Events {
            pool,
            follow,
            limit,
        } => Action::Events {
            pool: pubkey(pool, "pool")?,
            follow: *follow,
            limit: *limit,
        },
        Command::Keypair(KeypairCmd::New {
            outfile,
            force,
            word_count,
            no_bip39_passphrase: _,
        }) => Action::KeypairNew {
            outfile: outfile.clone(),
            force: *force,
            words: *word_count,
        },
        Command::Address => Action::Address,
        Command::Blockhash => Action::Blockhash,
        Command::Completions { shell } => Action::Completions(*shell),
        Command::Config(ConfigCmd::Get) => Action::ConfigGet,
        Command::Config(ConfigCmd::Set) => Action::ConfigSet,
        Command::Balance { address } => Action::Balance {
            address: opt_pubkey(address, "address")?,
        },
        Command::Airdrop { amount, address } => Action::Airdrop {
            amount: Amount::parse(amount, "amount")?,
            address: opt_pubkey(address, "address")?,
        },
        Command::TestMint(TestMintCmd::Create { decimals }) => Action::TestMintCreate {
            decimals: *decimals,
        },
        Command::TestMint(TestMintCmd::Mint { mint, amount, to }) => Action::TestMint {
            mint: pubkey(mint, "mint")?,
            amount: Amount::parse(amount, "amount")?,
            to: opt_pubkey(to, "owner")?,
        },
        Command::Demo(d) => {
            let cfg = unwrapped::Config {
                contributors: d.contributors,
                turnout: d.turnout,
                price: Amount::parse(&d.price, "--price")?.base_units(unwrapped::DECIMALS)?,
                seed: d.seed,
                concurrency: d.concurrency,
                store: open_store(&match &d.store {
                    Some(s) => s.clone(),
                    None => std::env::temp_dir()
                        .join(format!("datapool-demo-{}-{}", std::process::id(), d.seed))
                        .display()
                        .to_string(),
                })?,
                slice: d
                    .slice
                    .parse()
                    .map_err(|e: DatasetError| CliError::input(format!("--slice: {e}")))?,
            };
            cfg.validate().map_err(|e| CliError::input(e.to_string()))?;
            Action::Demo(cfg, d.out.clone(), d.html.clone())
        }
    })
}
