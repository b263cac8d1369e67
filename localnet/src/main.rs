//! `data-pool-localnet`: a local Solana validator (agave's `solana-test-validator` library) with
//! the built `data_pool.so` preloaded at the program id, a faucet, and RPC transaction history.
//!
//! It prints one ready line, `READY rpc=<url> ws=<url> faucet=<addr> program=<id>`, then runs until
//! killed. Agave binds its RPC and PubSub on 0.0.0.0 whatever is asked, so run it inside a private
//! network namespace (scripts/localnet.sh does).
//!
//! `data-pool-localnet --program PATH --program-id ID [--ledger DIR] [--rpc-port N]
//!  [--faucet-port N]`

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use solana_faucet::faucet::{run_faucet, Faucet};
use solana_keypair::Keypair;
use solana_net_utils::SocketAddrSpace;
use solana_pubkey::Pubkey;
use solana_rpc::rpc::JsonRpcConfig;
use solana_signer::Signer;
use solana_test_validator::{TestValidatorGenesis, UpgradeableProgramInfo};

struct Opts {
    program: PathBuf,
    program_id: Pubkey,
    ledger: PathBuf,
    rpc_port: u16,
    faucet_port: u16,
}

fn parse() -> Result<Opts, String> {
    let mut program = None;
    let mut program_id = None;
    let mut ledger = PathBuf::from("test-ledger");
    let mut rpc_port = 8899u16;
    let mut faucet_port = 9900u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--program" => program = Some(PathBuf::from(value()?)),
            "--program-id" => {
                program_id = Some(value()?.parse().map_err(|_| "--program-id: not a public key")?)
            }
            "--ledger" => ledger = PathBuf::from(value()?),
            "--rpc-port" => rpc_port = value()?.parse().map_err(|_| "--rpc-port: not a port")?,
            "--faucet-port" => {
                faucet_port = value()?.parse().map_err(|_| "--faucet-port: not a port")?
            }
            "-h" | "--help" => {
                println!(
                    "usage: data-pool-localnet --program PATH --program-id ID [--ledger DIR] \
                     [--rpc-port N] [--faucet-port N]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    let program = program.ok_or("--program PATH (the built data_pool.so) is required")?;
    if !program.exists() {
        return Err(format!("{} does not exist: build it with scripts/build-sbf.sh", program.display()));
    }
    Ok(Opts {
        program,
        program_id: program_id.ok_or("--program-id is required")?,
        ledger,
        rpc_port,
        faucet_port,
    })
}

fn main() {
    let opts = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    // The faucet: its keypair is the genesis mint, so it holds the cluster's SOL.
    let mint = Keypair::new();
    let faucet_addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), opts.faucet_port);
    let faucet = Arc::new(Mutex::new(Faucet::new(mint.insecure_clone(), None, None, None)));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("faucet runtime");
        rt.block_on(run_faucet(faucet, faucet_addr, None));
    });

    let mut genesis = TestValidatorGenesis::default();
    genesis
        .ledger_path(&opts.ledger)
        .rpc_port(opts.rpc_port)
        .rpc_config(JsonRpcConfig {
            enable_rpc_transaction_history: true,
            // Keep log messages in transaction history: clients decode events from them.
            enable_extended_tx_metadata_storage: true,
            full_api: true,
            ..JsonRpcConfig::default_for_test()
        })
        // After rpc_config, which would otherwise reset it.
        .faucet_addr(Some(faucet_addr))
        .add_upgradeable_programs_with_path(&[UpgradeableProgramInfo {
            program_id: opts.program_id,
            loader: solana_sdk_ids::bpf_loader_upgradeable::id(),
            upgrade_authority: Pubkey::default(),
            program_path: opts.program.clone(),
        }]);
    let validator = match genesis
        .start_with_mint_address(mint.pubkey(), SocketAddrSpace::new(/* allow_private_addr */ true))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: the validator did not start: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "READY rpc={} ws={} faucet={} program={}",
        validator.rpc_url(),
        validator.rpc_pubsub_url(),
        faucet_addr,
        opts.program_id
    );
    validator.join();
}
