//! Seeds, protocol constants and limits. Seeds are `#[constant]` so they reach the IDL.

use anchor_lang::prelude::*;

/// Seed of the Pool PDA: `["pool", creator, name]`.
#[constant]
pub const SEED_POOL: &[u8] = b"pool";
/// Seed of the reward vault token account: `["vault", pool]`.
#[constant]
pub const SEED_VAULT: &[u8] = b"vault";
/// Seed of the fee vault token account: `["fees", pool]`. Fees are paid here, never to an
/// account outside the program's control, and leave only through `fees_withdraw`.
#[constant]
pub const SEED_FEE_VAULT: &[u8] = b"fees";
/// Seed of an Attestor record: `["attestor", pool, attestor key]`.
#[constant]
pub const SEED_ATTESTOR: &[u8] = b"attestor";
/// Seed of a Contributor record: `["contributor", pool, data hash]`.
#[constant]
pub const SEED_CONTRIBUTOR: &[u8] = b"contributor";
/// Seed of an Offer: `["offer", pool, offer index (u64 LE)]`.
#[constant]
pub const SEED_OFFER: &[u8] = b"offer";
/// Seed of an offer's escrow token account: `["escrow", offer]`.
#[constant]
pub const SEED_ESCROW: &[u8] = b"escrow";
/// Seed of a Custodian record: `["custodian", pool, custodian key]`.
#[constant]
pub const SEED_CUSTODIAN: &[u8] = b"custodian";
/// Largest account a program can create in one instruction (the runtime's limit on an inner
/// `CreateAccount`): bounds an offer's vote bitmap, so a pool of up to 76,616 contributors (by
/// arrival index) can take offers.
#[constant]
pub const MAX_CREATED_ACCOUNT_LEN: u64 = 10_240;

/// Domain separator that starts every attestation message.
#[constant]
pub const ATTESTATION_DOMAIN: &[u8] = b"DATAPOOL-ATTEST-V2";
/// Domain separator of the pool's set-history hash (see [`crate::commitment::next_set_hash`]).
#[constant]
pub const SET_HASH_DOMAIN: &[u8] = b"DATAPOOL-SET-V2";
/// Length of an attestation message: domain ‖ program ‖ pool ‖ wallet ‖ identity ‖ data hash ‖
/// score ‖ expiry.
pub const ATTESTATION_MESSAGE_LEN: usize = 18 + 32 * 5 + 8 + 8;

/// Longest pool name, in bytes (it is a PDA seed). (`usize` constants do not reach the IDL.)
pub const MAX_POOL_NAME_LEN: usize = 32;
/// Longest offer terms URI, in bytes.
pub const MAX_TERMS_URI_LEN: usize = 200;
/// 100 % in basis points.
#[constant]
pub const BPS_DENOMINATOR: u64 = 10_000;
/// Shortest voting period a pool may set, in seconds.
#[constant]
pub const MIN_VOTING_PERIOD: i64 = 60;
/// Longest voting period a pool may set, in seconds (one year).
#[constant]
pub const MAX_VOTING_PERIOD: i64 = 365 * 24 * 60 * 60;
/// Shortest delivery period a pool may set, in seconds.
#[constant]
pub const MIN_DELIVERY_PERIOD: i64 = 60;
/// Shortest claim window a pool may set, in seconds (thirty days): after a wind-down,
/// contributors have at least this long to claim and leave.
#[constant]
pub const MIN_CLAIM_WINDOW: i64 = 30 * 24 * 60 * 60;
/// Longest claim window a pool may set, in seconds (ten years).
#[constant]
pub const MAX_CLAIM_WINDOW: i64 = 10 * 365 * 24 * 60 * 60;
/// Where forfeited deposits go: the incinerator, so nobody profits from an invalidation.
pub const INCINERATOR: Pubkey = pubkey!("1nc1nerator11111111111111111111111111111111");
/// Longest delivery period a pool may set, in seconds (ninety days).
#[constant]
pub const MAX_DELIVERY_PERIOD: i64 = 90 * 24 * 60 * 60;
/// Fixed-point shift of the reward accumulator: it counts base units per unit of weight in
/// Q64.64, so one sale loses less than one base unit to rounding whatever the pool's weight.
pub const ACC_FRACTION_BITS: u32 = 64;
/// Version written into every account's leading `version` byte.
pub const LAYOUT_VERSION: u8 = 2;
