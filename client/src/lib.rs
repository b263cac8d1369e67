//! Client library (SDK) for the data-pool program: PDA helpers, pure instruction builders,
//! attestation encoding, account and event decoding, a chain layer (RPC or embedded LiteSVM), a
//! careful transaction sender, the auditor, Spotify proof of contribution, and the story engine
//! that tells a whole sale cycle on any chain. It carries no CLI or server dependencies: the
//! `datapool` command line is the `data-pool-cli` crate beside it.

pub mod accounts;
pub mod attestation;
pub mod audit;
pub mod chain;
pub mod checks;
pub mod custody;
pub mod dataset;
pub mod delivery;
pub mod errors;
pub mod events;
pub mod fetch;
pub mod history;
pub mod idl;
pub mod instructions;
pub mod pda;
pub mod query;
pub mod report_html;
pub mod rng;
pub mod seal;
pub mod send;
pub mod spotify;
pub mod store;
pub mod story;
pub mod token;
pub mod units;

pub use data_pool::ID as PROGRAM_ID;
