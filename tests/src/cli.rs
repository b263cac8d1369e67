//! Running the `datapool` CLI in-process against an embedded chain: real argument parsing, real
//! handlers, real LiteSVM executing the built program. Keypairs live in files, as for the binary.

use std::path::{Path, PathBuf};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use clap::Parser;
use data_pool_cli::{build_ctx, execute, output, Cli, CliError, Printed};
use data_pool_client::chain::embedded::EmbeddedChain;
use data_pool_client::chain::Chain;
use data_pool_client::send::{self, SendOptions};
use data_pool_client::{query, token, PROGRAM_ID};
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::{program_path, SOL};

/// An embedded chain, a scratch directory and a runtime to drive the CLI with.
pub struct CliEnv {
    /// The chain.
    pub chain: EmbeddedChain,
    /// Scratch directory (keypairs, attestations, terms).
    pub dir: PathBuf,
    rt: tokio::runtime::Runtime,
    funder: Keypair,
}

impl Default for CliEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl CliEnv {
    /// A fresh chain with the built program.
    pub fn new() -> Self {
        let chain = EmbeddedChain::new(&PROGRAM_ID, &program_path()).expect("embedded chain");
        let dir = std::env::temp_dir().join(format!(
            "datapool-cli-{}-{}",
            std::process::id(),
            Keypair::new().pubkey()
        ));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let funder = Keypair::new();
        let env = CliEnv {
            chain,
            dir,
            rt,
            funder,
        };
        env.fund(&env.funder.pubkey(), 10_000);
        env
    }

    /// Blocks on `f`.
    pub fn block<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// Gives `who` `sol` SOL.
    pub fn fund(&self, who: &Pubkey, sol: u64) {
        self.block(self.chain.airdrop(who, sol * SOL))
            .expect("airdrop");
    }

    /// A new keypair saved as `<name>.json`, funded with `sol` SOL (0: none).
    pub fn keypair(&self, name: &str, sol: u64) -> (Keypair, String) {
        let k = Keypair::new();
        let path = self.dir.join(format!("{name}.json"));
        let bytes: Vec<u8> = k.to_bytes().to_vec();
        std::fs::write(&path, serde_json::to_string(&bytes).expect("json")).expect("write keypair");
        if sol > 0 {
            self.fund(&k.pubkey(), sol);
        }
        (k, path.display().to_string())
    }

    /// Writes `contents` to `name` in the scratch directory.
    pub fn write(&self, name: &str, contents: &[u8]) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, contents).expect("write");
        p.display().to_string()
    }

    /// Path of `name` in the scratch directory.
    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// Parses `datapool <args>`; returns the command line and the signer's keypair path.
    pub fn parse(&self, args: &[&str]) -> Result<(Cli, PathBuf), CliError> {
        let argv = std::iter::once("datapool").chain(args.iter().copied());
        let mut cli = Cli::try_parse_from(argv).map_err(|e| CliError::input(e.to_string()))?;
        // An attestor's identity index defaults to a file in the user's home: keep each test's
        // in its scratch directory.
        if let data_pool_cli::args::Command::Attest(a) = &mut cli.command {
            a.identities
                .identity_index
                .get_or_insert_with(|| self.dir.join("identity-index.jsonl"));
        }
        let keypair = cli
            .global
            .keypair
            .clone()
            .unwrap_or_else(|| self.dir.join("no-default-keypair.json"));
        Ok((cli, keypair))
    }

    /// Runs `datapool <args>` and returns the whole report (JSON, text, exit code) or the error.
    pub fn report(&self, args: &[&str]) -> Result<Printed, CliError> {
        let (cli, keypair) = self.parse(args)?;
        self.block(async {
            let ctx = build_ctx(&self.chain, &cli.global, Path::new(&keypair))?;
            execute(&ctx, &cli.command).await
        })
    }

    /// Runs `datapool <args>` and returns its JSON result or its error.
    pub fn run(&self, args: &[&str]) -> Result<Value, CliError> {
        self.report(args).map(|r| {
            // One typed value, three forms: the text renders, and both JSON forms parse back to
            // the same value.
            use data_pool_cli::OutputFormat;
            assert!(!output::render(OutputFormat::Text, &r).is_empty());
            for format in [OutputFormat::Json, OutputFormat::JsonCompact] {
                let printed = output::render(format, &r);
                let parsed: Value = serde_json::from_str(&printed)
                    .unwrap_or_else(|e| panic!("{args:?} printed JSON that does not parse: {e}"));
                assert_eq!(parsed, r.json, "{args:?}: {format:?} output");
            }
            r.json
        })
    }

    /// Runs and expects success.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Value {
        match self.run(args) {
            Ok(v) => v,
            Err(e) => panic!("datapool {args:?} failed:\n{}", output::error_text(&e)),
        }
    }

    /// Runs and expects failure with `code`; returns the error.
    #[track_caller]
    pub fn fails(&self, args: &[&str], code: i32) -> CliError {
        match self.run(args) {
            Ok(v) => panic!("datapool {args:?} should have failed, returned {v}"),
            Err(e) => {
                assert_eq!(
                    e.code,
                    code,
                    "exit code of {args:?}: {}",
                    output::error_text(&e)
                );
                e
            }
        }
    }

    /// `datapool attest`: `attestor` (keypair path) signs `score` for `wallet`'s data `hash`
    /// (the person [`crate::person`]`(hash)`) into the file `out`; `extra` arguments are appended.
    #[allow(clippy::too_many_arguments)]
    pub fn attest(
        &self,
        pool: &str,
        wallet: &Pubkey,
        hash: &str,
        score: u64,
        attestor: &str,
        out: &str,
        extra: &[&str],
    ) -> Value {
        let (wallet, score) = (wallet.to_string(), score.to_string());
        let raw: [u8; 32] = hex::decode(hash)
            .ok()
            .and_then(|h| h.try_into().ok())
            .expect("a 64-hex data hash");
        let identity = hex::encode(crate::person(&raw));
        let mut args = vec![
            "attest",
            "--pool",
            pool,
            "--contributor",
            &wallet,
            "--identity",
            &identity,
            "--data-hash",
            hash,
            "--score",
            &score,
            "--attestor-keypair",
            attestor,
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        self.ok(&args)
    }

    /// Stores synthetic canonical records number `i` for `pool` in the store `store`, sealed to
    /// the custodian whose keypair file is `custodian` (as the data service does for an
    /// upload); returns their data hash, hex.
    pub fn records(&self, store: &str, pool: &str, custodian: &str, i: u64) -> String {
        let custodian =
            data_pool_cli::config::read_keypair(Path::new(custodian)).expect("custodian");
        let r = data_pool_client::story::synthetic_records(0xC11, i, 20 + i * 7);
        let h = r.hash();
        let sealed =
            data_pool_client::seal::seal(&r.to_bytes(), &[custodian.pubkey()]).expect("seal");
        let st = data_pool_client::store::Store::open(store).expect("store");
        let key = data_pool_client::store::records_key(&pool.parse().expect("pool"), &h);
        self.block(st.put(&key, sealed)).expect("put");
        hex::encode(h)
    }

    /// Sends instructions paid by the funder.
    pub fn send(&self, ixs: &[Instruction], signers: &[&Keypair]) {
        let mut all = vec![&self.funder];
        all.extend_from_slice(signers);
        self.block(send::send(
            &self.chain,
            &PROGRAM_ID,
            ixs,
            &self.funder.pubkey(),
            &all,
            &SendOptions::default(),
        ))
        .expect("send");
    }

    /// A new SPL Token mint (6 decimals) whose authority is the funder.
    pub fn mint(&self) -> Pubkey {
        let m = Keypair::new();
        let rent = self
            .block(self.chain.rent_exempt_minimum(token::MINT_LEN))
            .expect("rent");
        let ixs = token::create_mint(
            &self.funder.pubkey(),
            &m.pubkey(),
            &self.funder.pubkey(),
            6,
            &anchor_spl::token::ID,
            rent,
        )
        .expect("mint ixs");
        self.send(&ixs, &[&m]);
        m.pubkey()
    }

    /// `owner`'s associated token account of `mint` (created), with `amount` base units minted.
    pub fn token_account(&self, mint: &Pubkey, owner: &Pubkey, amount: u64) -> Pubkey {
        let tp = anchor_spl::token::ID;
        let ata = token::associated_address(owner, mint, &tp);
        let mut ixs = vec![token::create_associated_idempotent(
            &self.funder.pubkey(),
            owner,
            mint,
            &tp,
        )];
        if amount > 0 {
            ixs.push(
                token::mint_to(&tp, mint, &ata, &self.funder.pubkey(), amount, 6).expect("mint_to"),
            );
        }
        self.send(&ixs, &[]);
        ata
    }

    /// Token balance.
    pub fn balance(&self, account: &Pubkey) -> u64 {
        self.block(query::token_account(&self.chain, account))
            .map(|t| t.amount)
            .unwrap_or(0)
    }

    /// Moves the clock.
    pub fn advance(&self, seconds: i64) {
        self.block(self.chain.advance_time(seconds))
            .expect("advance");
    }
}

impl Drop for CliEnv {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A string field of a JSON result.
#[track_caller]
pub fn s<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no string {field} in {v}"))
}

/// A number field of a JSON result.
#[track_caller]
pub fn n(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .or_else(|| v[field].as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("no number {field} in {v}"))
}

/// A pool made through the CLI.
pub struct CliPool {
    /// The pool's address.
    pub pool: String,
    /// Its payout mint (6 decimals, minted by the env's funder).
    pub mint: Pubkey,
    /// The curator's keypair file (funded with 100 SOL).
    pub curator: String,
    /// The registered attestor's keypair file (no SOL).
    pub attestor: String,
    /// The registered custodian's keypair file (no SOL).
    pub custodian: String,
    /// The attestor's key.
    pub attestor_key: Pubkey,
}

impl CliEnv {
    /// `datapool pool create NAME` by a new curator `<prefix>curator` over a new mint,
    /// with `params` appended, then `attestor add` of a new attestor `<prefix>attestor`.
    pub fn cli_pool(&self, prefix: &str, name: &str, params: &[&str]) -> CliPool {
        let (_, curator) = self.keypair(&format!("{prefix}curator"), 100);
        let (attestor_kp, attestor) = self.keypair(&format!("{prefix}attestor"), 0);
        let mint = self.mint();
        let mint_s = mint.to_string();
        let mut args = vec![
            "-k",
            curator.as_str(),
            "-y",
            "pool",
            "create",
            name,
            "--mint",
            &mint_s,
        ];
        args.extend_from_slice(params);
        let created = self.ok(&args);
        assert!(!s(&created, "signature").is_empty());
        let pool = s(&created, "pool").to_string();
        self.ok(&[
            "-k",
            &curator,
            "attestor",
            "add",
            &pool,
            &attestor_kp.pubkey().to_string(),
        ]);
        let (custodian_kp, custodian) = self.keypair(&format!("{prefix}custodian"), 0);
        self.ok(&[
            "-k",
            &curator,
            "custodian",
            "add",
            &pool,
            &custodian_kp.pubkey().to_string(),
        ]);
        CliPool {
            pool,
            mint,
            curator,
            attestor,
            custodian,
            attestor_key: attestor_kp.pubkey(),
        }
    }
}

/// A pool after a demo-like life, driven through the CLI: 4 contributors (one revoked later),
/// an accepted sale, a rejected one, an open offer holding its escrow, claims and a closed vote.
pub struct Scenario {
    /// The pool.
    pub pool: String,
    /// The accepted, rejected and open offers.
    pub offers: [String; 3],
    /// Contributor wallets.
    pub wallets: Vec<Pubkey>,
    /// The curator's keypair file.
    pub curator: String,
}

/// Builds a [`Scenario`] on `env`.
pub fn scenario(env: &CliEnv) -> Scenario {
    let made = env.cli_pool(
        "s-",
        "audited",
        &["--quorum-bps", "3000", "--voting-period", "1d"],
    );
    let (pool, curator, attestor) = (made.pool, made.curator, made.attestor);
    let (buyer_kp, buyer) = env.keypair("s-buyer", 10);
    env.token_account(&made.mint, &buyer_kp.pubkey(), 1_000_000_000_000);
    let store = env.path("s-store");
    let mut people = Vec::new();
    let mut first_data = String::new();
    for (i, score) in [120u64, 340, 560, 780].into_iter().enumerate() {
        let (kp, path) = env.keypair(&format!("s-c{i}"), 2);
        let att = env.path(&format!("s-att{i}.json"));
        let data = env.records(&store, &pool, &made.custodian, 100 + i as u64);
        if i == 0 {
            first_data = data.clone();
        }
        env.attest(&pool, &kp.pubkey(), &data, score, &attestor, &att, &[]);
        env.ok(&["-k", &path, "contribute", &pool, "--attestation", &att]);
        people.push((kp.pubkey(), path));
    }
    let terms = env.write("s-terms.txt", b"terms");
    let offer = |price: &str| {
        s(
            &env.ok(&[
                "-k", &buyer, "-y", "offer", "create", &pool, "--price", price, "--terms", &terms,
            ]),
            "offer",
        )
        .to_string()
    };
    let (accepted, rejected) = (offer("55000"), offer("700"));
    // Everyone votes until the votes decide each offer (later votes are refused).
    let undecided = |offer: &str| env.ok(&["offer", "show", offer])["decision"].is_null();
    for (_, path) in &people {
        if undecided(&accepted) {
            env.ok(&["-k", path, "-y", "vote", &accepted, "--approve"]);
        }
        if undecided(&rejected) {
            env.ok(&["-k", path, "-y", "vote", &rejected, "--reject"]);
        }
    }
    env.ok(&["-k", &curator, "-y", "offer", "finalize", &accepted]);
    env.ok(&[
        "-k",
        &made.custodian,
        "--fee-payer",
        &curator,
        "-y",
        "custodian",
        "deliver",
        &accepted,
        "--store",
        &store,
        "--terms",
        &terms,
    ]);
    env.ok(&["-k", &curator, "-y", "offer", "finalize", &rejected]);
    for (_, path) in &people[..3] {
        env.ok(&["-k", path, "-y", "claim", &pool]);
    }
    // The first contributor brings newer data of hers: it replaces her contribution (the same
    // record, her identity), 120 → 150.
    let first: [u8; 32] = hex::decode(&first_data)
        .ok()
        .and_then(|h| h.try_into().ok())
        .expect("hash");
    let newer = env.records(&store, &pool, &made.custodian, 200);
    let att = env.path("s-att-newer.json");
    let (wallet, identity) = (people[0].0.to_string(), hex::encode(crate::person(&first)));
    env.ok(&[
        "attest",
        "--pool",
        &pool,
        "--contributor",
        &wallet,
        "--identity",
        &identity,
        "--data-hash",
        &newer,
        "--score",
        "150",
        "--attestor-keypair",
        &attestor,
        "--out",
        &att,
    ]);
    let replaced = env.ok(&[
        "-k",
        &people[0].1,
        "contribute",
        &pool,
        "--attestation",
        &att,
    ]);
    assert_eq!(replaced["replaced"], 120);
    let leaving = s(
        &env.ok(&[
            "contribution",
            "list",
            &pool,
            "--contributor",
            &people[3].0.to_string(),
        ])[0],
        "address",
    )
    .to_string();
    env.ok(&["-k", &people[3].1, "-y", "contribution", "leave", &leaving]);
    let open = offer("1000");
    env.ok(&["-k", &people[1].1, "-y", "vote", &open, "--approve"]);
    Scenario {
        pool,
        offers: [accepted, rejected, open],
        wallets: people.iter().map(|(k, _)| *k).collect(),
        curator,
    }
}

/// One USDC in base units (6 decimals).
pub const USDC: u64 = 1_000_000;

/// A pool with a curator, an attestor and three contributors (scores 100, 300, 600), one of
/// them submitted through a relayer (`--fee-payer`) with a wallet holding no SOL.
pub struct Setup {
    /// The CLI environment.
    pub env: CliEnv,
    pub mint: String,
    pub pool: String,
    pub curator: String,
    pub attestor: String,
    pub attestor_key: String,
    /// The registered custodian's keypair path.
    pub custodian: String,
    /// Contributors: (wallet, keypair path).
    pub people: Vec<(String, String)>,
    /// The buyer's keypair path.
    pub buyer: String,
    /// The buyer's funded token account.
    pub buyer_ata: String,
    /// The store holding the contributors' records.
    pub store: String,
}

/// Makes the pool of [`Setup`] through the CLI.
pub fn setup() -> Setup {
    let env = CliEnv::new();
    let made = env.cli_pool(
        "",
        "unwrapped",
        &[
            "--fee-bps",
            "500",
            "--quorum-bps",
            "3000",
            "--approval-bps",
            "6000",
            "--voting-period",
            "2d",
            "--min-price",
            "10",
            "--max-score",
            "1000",
        ],
    );
    let (pool, curator, attestor) = (
        made.pool.clone(),
        made.curator.clone(),
        made.attestor.clone(),
    );
    let (buyer_kp, buyer) = env.keypair("buyer", 10);
    let buyer_ata = env.token_account(&made.mint, &buyer_kp.pubkey(), 100_000 * USDC);
    let store = env.path("store");
    let mut people = Vec::new();
    for (i, score) in [100u64, 300, 600].into_iter().enumerate() {
        let relayed = i == 2;
        let (kp, path) = env.keypair(&format!("contributor{i}"), if relayed { 0 } else { 5 });
        let att = env.path(&format!("att{i}.json"));
        let hash = env.records(&store, &pool, &made.custodian, i as u64);
        let w = env.attest(&pool, &kp.pubkey(), &hash, score, &attestor, &att, &[]);
        assert_eq!(n(&w, "score"), score);
        let mut args = vec![
            "-k",
            path.as_str(),
            "-y",
            "contribute",
            pool.as_str(),
            "--attestation",
            att.as_str(),
        ];
        if relayed {
            args.splice(0..0, ["--fee-payer", curator.as_str()]);
        }
        let c = env.ok(&args);
        assert_eq!(n(&c, "weight"), score);
        people.push((kp.pubkey().to_string(), path));
    }
    Setup {
        env,
        mint: made.mint.to_string(),
        pool,
        curator,
        attestor,
        attestor_key: made.attestor_key.to_string(),
        custodian: made.custodian.clone(),
        people,
        buyer,
        buyer_ata: buyer_ata.to_string(),
        store,
    }
}

/// The built `datapool` binary (`target/<profile>/datapool`, built with the workspace's tests),
/// for the tests that run it as a process.
pub fn datapool_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("exe");
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .join("datapool");
    assert!(
        bin.exists(),
        "{} missing: cargo build -p data-pool-cli --bin datapool",
        bin.display()
    );
    bin
}
