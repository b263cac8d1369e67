//! Building attestation messages and the Ed25519 verify instruction that carries them.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
pub use data_pool::attestation::{ed25519_instruction_data, Attestation, ED25519_PROGRAM_ID};

/// The bytes an attestor signs for `(program, pool, contributor, data hash, score, expiry)`.
pub fn attestation_message(
    program_id: &Pubkey,
    pool: &Pubkey,
    contributor: &Pubkey,
    data_hash: &[u8; 32],
    score: u64,
    expires_at: i64,
) -> Vec<u8> {
    Attestation {
        program_id,
        pool,
        contributor,
        data_hash,
        score,
        expires_at,
    }
    .message()
    .to_vec()
}

/// The Ed25519 verify instruction for a signature by `pubkey` over `message`.
pub fn ed25519_verify_ix(pubkey: &Pubkey, signature: &[u8; 64], message: &[u8]) -> Instruction {
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data: ed25519_instruction_data(&pubkey.to_bytes(), signature, message),
    }
}
