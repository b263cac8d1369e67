//! Client library for the data-pool program: PDA helpers, pure instruction builders and
//! attestation encoding. RPC, decoding and the CLI build on these.

pub mod accounts;
pub mod attestation;
pub mod events;
pub mod instructions;
pub mod pda;

pub use data_pool::ID as PROGRAM_ID;
