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

pub use crate::cli_fixtures::{scenario, setup, Scenario, Setup, USDC};

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
            data_pool_cli::signer::read_keypair(Path::new(custodian)).expect("custodian");
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
