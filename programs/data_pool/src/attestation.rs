//! Attestation checking by Ed25519 precompile introspection.
//!
//! The transaction carries, right before `contribution_submit`, an instruction of the Ed25519
//! signature-verify program. The runtime has verified its signature before our program runs; we
//! check that it verified *our* message with *our* attestor's key, and nothing else.

use anchor_lang::prelude::*;

use crate::constants::{ATTESTATION_DOMAIN, ATTESTATION_MESSAGE_LEN};
use crate::error::DataPoolError;

/// Program id of the Ed25519 signature-verify precompile.
pub const ED25519_PROGRAM_ID: Pubkey = pubkey!("Ed25519SigVerify111111111111111111111111111");

/// Size of one `Ed25519SignatureOffsets` entry.
const OFFSETS_LEN: usize = 14;
/// Header: signature count (u8) and padding (u8).
const HEADER_LEN: usize = 2;
const PUBKEY_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;

/// What an attestation says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attestation<'a> {
    /// The program the attestation is for.
    pub program_id: &'a Pubkey,
    /// The pool.
    pub pool: &'a Pubkey,
    /// The contributor's wallet.
    pub contributor: &'a Pubkey,
    /// The contributor's identity commitment: a keyed hash of the person behind the data, which
    /// the attestor derives and never reveals (one active contribution per identity per pool).
    pub identity: &'a [u8; 32],
    /// Canonical hash of the data.
    pub data_hash: &'a [u8; 32],
    /// The attestor's score.
    pub score: u64,
    /// Unix time after which it is void.
    pub expires_at: i64,
}

impl Attestation<'_> {
    /// The exact bytes the attestor signs.
    pub fn message(&self) -> [u8; ATTESTATION_MESSAGE_LEN] {
        let mut m = [0u8; ATTESTATION_MESSAGE_LEN];
        let parts: [&[u8]; 8] = [
            ATTESTATION_DOMAIN,
            self.program_id.as_ref(),
            self.pool.as_ref(),
            self.contributor.as_ref(),
            self.identity,
            self.data_hash,
            &self.score.to_le_bytes(),
            &self.expires_at.to_le_bytes(),
        ];
        let mut rest = &mut m[..];
        for p in parts {
            let (head, tail) = rest.split_at_mut(p.len());
            head.copy_from_slice(p);
            rest = tail;
        }
        m
    }
}

fn read_u16(data: &[u8], at: usize) -> Result<u16> {
    let end = at
        .checked_add(2)
        .ok_or(DataPoolError::MalformedEd25519Instruction)?;
    let b = data
        .get(at..end)
        .ok_or(DataPoolError::MalformedEd25519Instruction)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

/// Bytes `[offset, offset + len)` of `data`, or a named error if out of bounds.
fn slice(data: &[u8], offset: u16, len: usize) -> Result<&[u8]> {
    let start = usize::from(offset);
    let end = start
        .checked_add(len)
        .ok_or(DataPoolError::MalformedEd25519Instruction)?;
    data.get(start..end)
        .ok_or_else(|| DataPoolError::MalformedEd25519Instruction.into())
}

/// Checks one Ed25519 verify instruction (its program id, account count and data) against the
/// attestor key and the expected message.
pub fn check_ed25519_instruction(
    program_id: &Pubkey,
    account_count: usize,
    data: &[u8],
    attestor: &Pubkey,
    expected_message: &[u8],
) -> Result<()> {
    require_keys_eq!(
        *program_id,
        ED25519_PROGRAM_ID,
        DataPoolError::MissingEd25519Instruction
    );
    require!(account_count == 0, DataPoolError::Ed25519AccountsAttached);
    require!(
        data.len() >= HEADER_LEN,
        DataPoolError::MalformedEd25519Instruction
    );
    require!(data[0] == 1, DataPoolError::WrongSignatureCount);
    require!(
        data.len() >= HEADER_LEN + OFFSETS_LEN,
        DataPoolError::MalformedEd25519Instruction
    );
    let o = HEADER_LEN;
    let signature_offset = read_u16(data, o)?;
    let signature_ix = read_u16(data, o + 2)?;
    let pubkey_offset = read_u16(data, o + 4)?;
    let pubkey_ix = read_u16(data, o + 6)?;
    let message_offset = read_u16(data, o + 8)?;
    let message_size = read_u16(data, o + 10)?;
    let message_ix = read_u16(data, o + 12)?;
    require!(
        signature_ix == u16::MAX && pubkey_ix == u16::MAX && message_ix == u16::MAX,
        DataPoolError::Ed25519DataElsewhere
    );
    slice(data, signature_offset, SIGNATURE_LEN)?;
    let key = slice(data, pubkey_offset, PUBKEY_LEN)?;
    let message = slice(data, message_offset, usize::from(message_size))?;
    require!(key == attestor.as_ref(), DataPoolError::WrongAttestor);
    require!(
        message == expected_message,
        DataPoolError::SignatureMismatch
    );
    Ok(())
}

/// Finds the instruction right before the current one in the Instructions sysvar and checks it
/// with [`check_ed25519_instruction`].
pub fn verify_preceding_ed25519(
    instructions_sysvar: &AccountInfo,
    attestor: &Pubkey,
    expected_message: &[u8],
) -> Result<()> {
    use anchor_lang::compat::solana_instructions_sysvar as ixs;
    require_keys_eq!(
        *instructions_sysvar.key,
        ixs::ID,
        DataPoolError::InvalidInstructionsSysvar
    );
    let current = ixs::load_current_index_checked(instructions_sysvar)
        .map_err(|_| DataPoolError::InvalidInstructionsSysvar)?;
    let previous = current
        .checked_sub(1)
        .ok_or(DataPoolError::MissingEd25519Instruction)?;
    let ix = ixs::load_instruction_at_checked(usize::from(previous), instructions_sysvar)
        .map_err(|_| DataPoolError::MissingEd25519Instruction)?;
    check_ed25519_instruction(
        &ix.program_id,
        ix.accounts.len(),
        &ix.data,
        attestor,
        expected_message,
    )
}

/// Data of an Ed25519 verify instruction with one signature whose key, signature and message
/// all live in the instruction itself (indexes `u16::MAX`), laid out key ‖ signature ‖ message.
/// For clients; the program only reads such data.
pub fn ed25519_instruction_data(
    pubkey: &[u8; 32],
    signature: &[u8; 64],
    message: &[u8],
) -> Vec<u8> {
    const KEY_AT: u16 = (HEADER_LEN + OFFSETS_LEN) as u16;
    const SIG_AT: u16 = KEY_AT + PUBKEY_LEN as u16;
    const MSG_AT: u16 = SIG_AT + SIGNATURE_LEN as u16;
    let msg_len = u16::try_from(message.len()).unwrap_or(u16::MAX);
    let mut d = Vec::with_capacity(usize::from(MSG_AT).saturating_add(message.len()));
    d.extend_from_slice(&[1, 0]);
    for v in [
        SIG_AT,
        u16::MAX,
        KEY_AT,
        u16::MAX,
        MSG_AT,
        msg_len,
        u16::MAX,
    ] {
        d.extend_from_slice(&v.to_le_bytes());
    }
    d.extend_from_slice(pubkey);
    d.extend_from_slice(signature);
    d.extend_from_slice(message);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exact_and_rejects_altered() {
        let key = Pubkey::new_from_array([9; 32]);
        let msg = [1u8; ATTESTATION_MESSAGE_LEN];
        let d = ed25519_instruction_data(&key.to_bytes(), &[7; 64], &msg);
        assert!(check_ed25519_instruction(&ED25519_PROGRAM_ID, 0, &d, &key, &msg).is_ok());
        let other = [2u8; ATTESTATION_MESSAGE_LEN];
        assert!(check_ed25519_instruction(&ED25519_PROGRAM_ID, 0, &d, &key, &other).is_err());
        let mut truncated = d.clone();
        truncated.truncate(d.len() - 1);
        assert!(check_ed25519_instruction(&ED25519_PROGRAM_ID, 0, &truncated, &key, &msg).is_err());
    }
}
