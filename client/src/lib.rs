//! Client library for the data-pool program: PDA helpers, pure instruction builders, attestation
//! encoding, account and event decoding, a chain layer (RPC or embedded LiteSVM), a careful
//! transaction sender, and the `datapool` CLI built on all of it.

pub mod accounts;
pub mod attestation;
pub mod audit;
pub mod chain;
pub mod checks;
pub mod cli;
pub mod errors;
pub mod events;
pub mod history;
pub mod idl;
pub mod instructions;
pub mod pda;
pub mod query;
pub mod report_html;
pub mod rng;
pub mod send;
pub mod service;
pub mod spotify;
pub mod token;
pub mod units;

pub use data_pool::ID as PROGRAM_ID;
