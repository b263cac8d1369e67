//! The pool's data service for tests: the real router on a loopback port in its own thread and
//! runtime, whose chain lookups are answered on the test's embedded chain while a CLI command or
//! an HTTP request runs ([`DataService::run`], [`DataService::during`]).

use data_pool_client::spotify::identity::{Identities, IdentityIndex, IdentityKey};
use std::cell::RefCell;
use std::path::Path;

use anchor_lang::prelude::Pubkey;
use data_pool_cli::service::{answer_lookups, lookups, AccessLog, LookupRequests, ServiceConfig};
use data_pool_cli::{build_ctx, execute, CliError};
use data_pool_client::store::Store;
use data_pool_client::PROGRAM_ID;
use serde_json::Value;

use crate::cli::CliEnv;

/// A running data service.
pub struct DataService {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    pool: Pubkey,
    requests: RefCell<LookupRequests>,
}

impl DataService {
    /// Starts the service for `pool`, signing attestations with the keypair file `attestor`
    /// and keeping records and deliveries in `store`, with a body limit and a number of
    /// request slots.
    pub fn start(
        pool: &str,
        attestor: &str,
        store: Option<Store>,
        max_body: usize,
        concurrency: usize,
    ) -> Self {
        Self::start_with(pool, attestor, store, max_body, concurrency, |_| {})
    }

    /// [`DataService::start`], with `configure` changing the configuration first (the access
    /// log, the rate limit).
    pub fn start_with(
        pool: &str,
        attestor: &str,
        store: Option<Store>,
        max_body: usize,
        concurrency: usize,
        configure: impl FnOnce(&mut ServiceConfig),
    ) -> Self {
        let keypair = data_pool_cli::signer::read_keypair(Path::new(attestor)).expect("attestor");
        let (l, requests) = lookups();
        let pool: Pubkey = pool.parse().expect("pool");
        // The key an attestor derives from its keypair, as `attestor serve` does by default.
        let identities = Identities::new(
            IdentityKey::of_attestor(&keypair),
            IdentityIndex::in_memory(),
        );
        let cfg = ServiceConfig {
            program_id: PROGRAM_ID,
            pool,
            max_score: 1_000,
            keypair,
            max_body,
            concurrency,
            ttl: 3_600,
            store,
            custodians: vec![],
            lookups: Some(l),
            access_log: AccessLog::Off,
            rate_per_minute: 0,
            identities,
        };
        let mut cfg = cfg;
        configure(&mut cfg);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("rt");
            rt.block_on(data_pool_cli::service::serve(
                cfg,
                "127.0.0.1:0".parse().expect("addr"),
                move |a| tx.send(a).expect("ready"),
                std::future::pending(),
            ))
            .expect("serve");
        });
        DataService {
            url: format!("http://{}", rx.recv().expect("bound")),
            pool,
            requests: RefCell::new(requests),
        }
    }

    /// Runs `f` on `env`'s runtime while answering the service's lookups on `env`'s chain.
    pub fn during<T>(&self, env: &CliEnv, f: impl std::future::Future<Output = T>) -> T {
        let mut requests = self.requests.borrow_mut();
        env.block(async {
            tokio::select! {
                v = f => v,
                () = answer_lookups(&env.chain, PROGRAM_ID, self.pool, &mut requests) => {
                    panic!("the service stopped")
                }
            }
        })
    }

    /// Runs `datapool <args>` on `env` while answering the service's lookups.
    pub fn run(&self, env: &CliEnv, args: &[&str]) -> Result<Value, CliError> {
        let (cli, keypair) = env.parse(args)?;
        self.during(env, async {
            let ctx = build_ctx(&env.chain, &cli.global, Path::new(&keypair))?;
            execute(&ctx, &cli.command).await.map(|p| p.json)
        })
    }
}
