//! Test harness: loads the built `target/deploy/data_pool.so` into LiteSVM and drives it through
//! the client's instruction builders. Nothing here runs the program natively.

use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use solana_keypair::Keypair;

pub use data_pool::ID as PROGRAM_ID;

/// The identity commitment the tests give the person behind test data `hash`: each datum is its
/// own person unless a test names an identity itself (as the identity tests do).
pub fn person(hash: &[u8; 32]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest([b"test person".as_slice(), hash].concat()).into()
}

/// What a test attestation of data `hash` with `score` for `wallet` vouches for (the person is
/// [`person`]`(hash)`).
pub fn attested(
    wallet: &Pubkey,
    hash: &[u8; 32],
    score: u64,
) -> data_pool_client::attestation::Attested {
    data_pool_client::attestation::Attested {
        contributor: *wallet,
        identity: person(hash),
        data_hash: *hash,
        score,
    }
}

/// Memoised PDA derivations: invariant checks and snapshots derive thousands of addresses per
/// step, and each `find_program_address` is a bump search.
pub mod cached {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use anchor_lang::prelude::Pubkey;
    use data_pool_client::pda;

    use super::PROGRAM_ID;

    /// (kind, first seed key, second seed bytes) → address.
    type Cache = HashMap<(u8, Pubkey, [u8; 32]), Pubkey>;

    thread_local! {
        static CACHE: RefCell<Cache> = RefCell::new(HashMap::new());
    }

    fn memo(kind: u8, a: &Pubkey, b: [u8; 32], f: impl FnOnce() -> Pubkey) -> Pubkey {
        if let Some(v) = CACHE.with(|c| c.borrow().get(&(kind, *a, b)).copied()) {
            return v;
        }
        let v = f();
        CACHE.with(|c| c.borrow_mut().insert((kind, *a, b), v));
        v
    }

    /// `find_contributor_pda` of the person behind data `hash` ([`crate::person`]), memoised.
    pub fn contributor(pool: &Pubkey, hash: &[u8; 32]) -> Pubkey {
        memo(0, pool, *hash, || {
            pda::find_contributor_pda(&PROGRAM_ID, pool, &crate::person(hash)).0
        })
    }
    /// `find_attestor_pda`, memoised.
    pub fn attestor(pool: &Pubkey, key: &Pubkey) -> Pubkey {
        memo(2, pool, key.to_bytes(), || {
            pda::find_attestor_pda(&PROGRAM_ID, pool, key).0
        })
    }
    /// `find_escrow_pda`, memoised.
    pub fn escrow(offer: &Pubkey) -> Pubkey {
        memo(3, offer, [0; 32], || {
            pda::find_escrow_pda(&PROGRAM_ID, offer).0
        })
    }
}

pub use data_pool_client;
pub use solana_keypair::Keypair as Kp;
pub use solana_signer::Signer;

/// SPL Token program id.
pub const TOKEN: Pubkey = anchor_spl::token::ID;
/// Token-2022 program id.
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;
/// The cluster time every test starts at.
pub const START_TIME: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
/// Lamports given to every funded wallet.
pub const SOL: u64 = 1_000_000_000;
/// Lamports LiteSVM charges per signature.
pub const SIG_FEE: u64 = 5_000;

/// Path of the built program, overridable with `DATA_POOL_SO`.
pub fn program_path() -> PathBuf {
    if let Ok(p) = std::env::var("DATA_POOL_SO") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/data_pool.so")
}

/// A deterministic keypair for `(tag, n)`, so addresses (and bump searches, and so compute units)
/// are the same on every run.
pub fn kp(tag: &str, n: u64) -> Keypair {
    let mut seed = [0u8; 32];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        let v = h.rotate_left(i as u32 * 13) ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    Keypair::new_from_array(seed)
}

/// A deterministic 32-byte data hash.
pub fn hash_of(tag: &str, n: u64) -> [u8; 32] {
    let k = kp(tag, n);
    k.pubkey().to_bytes()
}

/// The seeded generator the demo and the benchmark use too.
pub use data_pool_client::rng::Rng;

/// The number in environment variable `name`, or `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Expected error helper for the common "not the right account" Anchor failures.
pub use anchor_lang::error::ErrorCode as AnchorError;
/// Re-exported so tests name errors as `DpErr::X`.
pub use data_pool::error::DataPoolError as DpErr;

/// Compute units of each measured instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// CU of `contribution_submit`.
    pub contribution_submit: u64,
    /// CU of `contribution_submit` replacing the same person's contribution.
    pub contribution_replace: u64,
    /// CU of `offer_create`.
    pub offer_create: u64,
    /// CU of `offer_vote`.
    pub offer_vote: u64,
    /// CU of `offer_finalize` approving an offer.
    pub offer_finalize_approve: u64,
    /// CU of `offer_deliver`.
    pub offer_deliver: u64,
    /// CU of `payout_claim`.
    pub payout_claim: u64,
    /// CU of `contributor_leave` (nothing owed).
    pub contributor_leave: u64,
}

/// Measures the instructions in a pool that already has `background` contributors (fixed keys,
/// so the figures repeat exactly).
pub fn measure_instructions(background: u64) -> Figures {
    let mut w = World::new();
    for i in 0..background {
        let k = kp("background", i);
        let hash = hash_of("background-data", i);
        w.contribute_hash(&k, hash, 1 + i % 10).unwrap();
    }
    let probe = w.wallet("probe", 0);
    let max = w.side.cfg.max_score;
    let contribution_submit = w
        .contribute_hash(&probe, hash_of("probe-data", 0), max)
        .unwrap();
    let buyer = w.buyer(0, 1_000_000);
    let (offer, offer_create) = w.offer(&buyer, 1_000_000).unwrap();
    let offer_vote = w.vote(&probe, &offer, true).unwrap();
    let offer_finalize_approve = w.finalize_only(&offer).unwrap();
    let c = w.custodian.insecure_clone();
    let offer_deliver = w.deliver_by(&c, &offer, w.current_receipt()).unwrap();
    assert_eq!(
        w.offer_state(&offer).state,
        data_pool::state::OfferState::Accepted
    );
    let payout_claim = w.claim(&probe).unwrap();
    let first = hash_of("probe-data", 0);
    let contribution_replace = w
        .resubmit(&probe, &first, hash_of("probe-data", 1), max - 1)
        .unwrap();
    let contributor_leave = w.leave(&probe, &first).unwrap();
    w.check_invariants();
    Figures {
        contribution_submit,
        contribution_replace,
        contributor_leave,
        offer_create,
        offer_vote,
        offer_finalize_approve,
        offer_deliver,
        payout_claim,
    }
}

/// The process's peak resident memory (VmHWM), KiB; 0 where `/proc` does not say.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

pub mod cli;
mod cli_fixtures;
pub mod cu;
pub mod data_service;
mod deposits;
mod env;
mod fees;
mod invariants;
pub mod lifetime;
pub mod load;
mod records;
pub mod s3;
mod side;
pub mod sim;
pub mod spotify;
mod world;

pub use env::*;
pub use fees::*;
pub use world::*;
