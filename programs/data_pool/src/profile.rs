//! Compute-unit profiling marks. `cu_mark!()` logs the units left ("Program consumption: N units
//! remaining") when the program is built with the `cu-profile` feature, and is nothing otherwise.
//! `scripts/profile-cu.sh` builds such a program and prints where each hot instruction spends.

/// Logs the compute units left here (only with the `cu-profile` feature).
#[macro_export]
macro_rules! cu_mark {
    () => {
        #[cfg(feature = "cu-profile")]
        {
            #[cfg(target_os = "solana")]
            // SAFETY: a syscall without arguments or effects beyond logging.
            #[allow(unsafe_code)]
            unsafe {
                solana_msg::syscalls::sol_log_compute_units_()
            }
        }
    };
}
