//! `datapool`: the data-pool CLI. See `datapool --help`.

fn main() {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = runtime.block_on(data_pool_cli::main_with_args(std::env::args().collect()));
    std::process::exit(code);
}
