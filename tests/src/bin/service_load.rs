//! The attestor service's memory under hostile load: `uploads` clients (default 50) each send a
//! valid export of `mb` MiB (default 100) at the same moment to a service with `concurrency`
//! slots (default 4), over loopback. Prints the statuses and the process's resident memory
//! before and at its peak (the service runs in this process; the clients generate their bodies
//! as they send them, 64 KiB at a time).
//!
//!     cargo run --release -p data-pool-tests --bin service_load -- [uploads] [mb] [concurrency]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use data_pool_tests::cli::CliEnv;
use data_pool_tests::data_service::DataService;
use data_pool_tests::load::{proc_kib, send, Upload};

fn main() {
    let arg = |i: usize, default: usize| {
        std::env::args()
            .nth(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let (uploads, mb, concurrency) = (arg(1, 50), arg(2, 100), arg(3, 4));
    let env = CliEnv::new();
    let made = env.cli_pool("", "load", &["--max-score", "1000000"]);
    let svc = DataService::start(
        &made.pool,
        &made.attestor,
        None,
        (mb + 1) << 20,
        concurrency,
    );
    let target = svc.url.trim_start_matches("http://").to_string();
    let before = proc_kib("VmRSS:");
    let t = Instant::now();
    let clients: Vec<_> = (0..uploads)
        .map(|_| {
            let target = target.clone();
            std::thread::spawn(move || {
                send(
                    &target,
                    "11111111111111111111111111111112",
                    Upload::Good { bytes: mb << 20 },
                    Duration::from_secs(600),
                )
            })
        })
        .collect();
    let mut statuses = BTreeMap::<u16, usize>::new();
    for c in clients {
        *statuses.entry(c.join().unwrap_or(0)).or_default() += 1;
    }
    let took = t.elapsed().as_secs_f64();
    let peak = proc_kib("VmHWM:");
    println!(
        "| uploads | MiB each | slots | statuses | resident before (MiB) | peak (MiB) | wall (s) |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {uploads} | {mb} | {concurrency} | {statuses:?} | {:.0} | {:.0} | {took:.1} |",
        before as f64 / 1024.0,
        peak as f64 / 1024.0
    );
}
