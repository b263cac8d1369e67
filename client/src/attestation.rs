//! Building attestation messages and the Ed25519 verify instruction that carries them.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
pub use data_pool::attestation::{Attestation, ED25519_PROGRAM_ID};

/// Header plus one offsets entry.
const DATA_START: usize = 2 + 14;

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

/// Data of an Ed25519 verify instruction with one signature, key and message all inside it
/// (instruction indexes `u16::MAX`), laid out key ‖ signature ‖ message.
pub fn ed25519_instruction_data(pubkey: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> Vec<u8> {
    let key_offset = DATA_START as u16;
    let sig_offset = key_offset + 32;
    let msg_offset = sig_offset + 64;
    let mut d = Vec::with_capacity(DATA_START + 96 + message.len());
    d.extend_from_slice(&[1, 0]);
    for v in [
        sig_offset,
        u16::MAX,
        key_offset,
        u16::MAX,
        msg_offset,
        message.len() as u16,
        u16::MAX,
    ] {
        d.extend_from_slice(&v.to_le_bytes());
    }
    d.extend_from_slice(pubkey);
    d.extend_from_slice(signature);
    d.extend_from_slice(message);
    d
}

/// The Ed25519 verify instruction for a signature by `pubkey` over `message`.
pub fn ed25519_verify_ix(pubkey: &Pubkey, signature: &[u8; 64], message: &[u8]) -> Instruction {
    Instruction {
        program_id: ED25519_PROGRAM_ID,
        accounts: vec![],
        data: ed25519_instruction_data(&pubkey.to_bytes(), signature, message),
    }
}
