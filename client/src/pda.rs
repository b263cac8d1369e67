//! Program-derived addresses of the data-pool program.

use anchor_lang::prelude::Pubkey;
use data_pool::constants::*;

/// Pool PDA: `["pool", creator, name]`.
pub fn find_pool_pda(program_id: &Pubkey, creator: &Pubkey, name: &str) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_POOL, creator.as_ref(), name.as_bytes()], program_id)
}

/// Reward vault PDA: `["vault", pool]`.
pub fn find_vault_pda(program_id: &Pubkey, pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_VAULT, pool.as_ref()], program_id)
}

/// Fee vault PDA: `["fees", pool]`.
pub fn find_fee_vault_pda(program_id: &Pubkey, pool: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_FEE_VAULT, pool.as_ref()], program_id)
}

/// Attestor PDA: `["attestor", pool, key]`.
pub fn find_attestor_pda(program_id: &Pubkey, pool: &Pubkey, key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_ATTESTOR, pool.as_ref(), key.as_ref()], program_id)
}

/// Custodian PDA: `["custodian", pool, key]`.
pub fn find_custodian_pda(program_id: &Pubkey, pool: &Pubkey, key: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_CUSTODIAN, pool.as_ref(), key.as_ref()], program_id)
}

/// Contributor record PDA: `["contributor", pool, identity commitment]` (one record per person).
pub fn find_contributor_pda(
    program_id: &Pubkey,
    pool: &Pubkey,
    identity: &[u8; 32],
) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_CONTRIBUTOR, pool.as_ref(), identity], program_id)
}

/// Offer PDA: `["offer", pool, index (u64 LE)]`.
pub fn find_offer_pda(program_id: &Pubkey, pool: &Pubkey, index: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_OFFER, pool.as_ref(), &index.to_le_bytes()],
        program_id,
    )
}

/// Escrow PDA: `["escrow", offer]`.
pub fn find_escrow_pda(program_id: &Pubkey, offer: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_ESCROW, offer.as_ref()], program_id)
}
