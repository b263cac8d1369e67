//! In-place access to the hot accounts (Pool, Offer, Contributor).
//!
//! `Account<T>` deserializes every field with Borsh on entry and serializes every field on exit:
//! for `offer_vote`, `payout_claim` and `contribution_submit` that was 2,400-3,800 of their compute
//! units (measured with `scripts/profile-cu.sh` and the benchmark), to touch a handful
//! of fields. These accounts keep their Borsh layout (clients, the IDL and every other instruction
//! read them as before) with the variable-length field last, so every other field sits at a fixed
//! offset, listed here. A [`View`] checks what `Account<T>` checks — owner, discriminator, length —
//! then reads and writes single fields in place. The offsets are tested against Borsh.

use std::cell::RefMut;

use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::constants::LAYOUT_VERSION;
use crate::error::DataPoolError;

/// Offset of the `version` byte every account starts with, right after the discriminator.
const VERSION_AT: usize = 8;

/// Defines consecutive field offsets, the first right after the 8-byte discriminator.
macro_rules! layout {
    (@next $prev:ident $size:expr;) => {};
    (@next $prev:ident $size:expr; $field:ident: $fsize:expr $(, $rest:ident: $rsize:expr)*) => {
        #[doc = concat!("Offset of `", stringify!($field), "`.")]
        pub const $field: usize = $prev + $size;
        layout!(@next $field $fsize; $($rest: $rsize),*);
    };
    ($first:ident: $fsize:expr $(, $rest:ident: $rsize:expr)* $(,)?) => {
        #[doc = concat!("Offset of `", stringify!($first), "`.")]
        pub const $first: usize = 8;
        layout!(@next $first $fsize; $($rest: $rsize),*);
    };
}

/// Field offsets of [`crate::state::Pool`]; `NAME` (a Borsh string) is last, and `HEAD_END`
/// covers its length prefix.
pub mod pool {
    layout!(
        VERSION: 1, BUMP: 1, VAULT_BUMP: 1, PAUSED: 1, MINT_DECIMALS: 1, CREATOR: 32,
        AUTHORITY: 32, PENDING_AUTHORITY: 32, MINT: 32, TOKEN_PROGRAM: 32, VAULT: 32,
        FEE_VAULT: 32, FEE_BPS: 2, QUORUM_BPS: 2, APPROVAL_BPS: 2, VOTING_PERIOD: 8,
        MIN_OFFER_PRICE: 8, MAX_SCORE: 8, DELIVERY_PERIOD: 8, TOTAL_WEIGHT: 8, CONTRIBUTOR_COUNT: 8,
        CLOSED_CONTRIBUTOR_COUNT: 8, ACTIVE_CONTRIBUTION_COUNT: 8, OFFER_COUNT: 8,
        ACCEPTED_OFFER_COUNT: 8, ACTIVE_ATTESTOR_COUNT: 4, ACC_REWARD_PER_WEIGHT: 16,
        TOTAL_DISTRIBUTED: 16, TOTAL_CLAIMED: 16, TOTAL_FEES: 16, OPEN_OFFER_COUNT: 8,
        TOTAL_FEES_WITHDRAWN: 16, FEE_VAULT_BUMP: 1, ACTIVE_CUSTODIAN_COUNT: 4, SET_HASH: 32,
        CLOSED_OFFER_COUNT: 8, CLAIM_WINDOW: 8, WOUND_DOWN_AT: 8, ATTESTOR_RECORDS: 4,
        CUSTODIAN_RECORDS: 4, PAYER: 32, TOTAL_FORFEITED: 16, NAME: 4, HEAD_END: 0,
    );
}

/// Field offsets of [`crate::state::Offer`]; `TERMS_URI` (a Borsh string) is last, and
/// `HEAD_END` covers its length prefix.
pub mod offer {
    layout!(
        VERSION: 1, BUMP: 1, ESCROW_BUMP: 1, STATE: 1, REFUND_PENDING: 1, POOL: 32, INDEX: 8,
        BUYER: 32, REFUND_ACCOUNT: 32, PRICE: 8, TERMS_HASH: 32, CREATED_AT: 8,
        VOTING_ENDS_AT: 8, SNAPSHOT_TOTAL_WEIGHT: 8, SNAPSHOT_CONTRIBUTOR_COUNT: 8, FEE_BPS: 2,
        QUORUM_BPS: 2, APPROVAL_BPS: 2, YES_WEIGHT: 16, NO_WEIGHT: 16, VOTER_COUNT: 8,
        RESERVED: 24, DECIDED_AT: 8, FEE_PAID: 8,
        NET_DISTRIBUTED: 8, DELIVERY_PERIOD: 8, DELIVERY_DEADLINE: 8, DELIVERED_AT: 8,
        CUSTODIAN: 32, RECEIPT: 88, PAYER: 32, TERMS_URI: 4, HEAD_END: 0,
    );
}

/// Field offsets of [`crate::state::Contributor`] (all fixed).
pub mod contributor {
    layout!(
        VERSION: 1, BUMP: 1, STATUS: 1, POOL: 32, WALLET: 32, PAYER: 32, ATTESTOR: 32, INDEX: 8,
        WEIGHT: 8, ACC_CHECKPOINT: 16, OWED_Q64: 16, END: 0,
    );
}

/// Field offsets of [`crate::state::Attestor`] (all fixed).
pub mod attestor {
    layout!(
        VERSION: 1, BUMP: 1, ACTIVE: 1, POOL: 32, KEY: 32, ATTESTED_COUNT: 8, ADDED_AT: 8,
        REMOVED_AT: 8, PAYER: 32, END: 0,
    );
}

/// Field offsets of [`crate::state::Custodian`] (all fixed).
pub mod custodian {
    layout!(
        VERSION: 1, BUMP: 1, ACTIVE: 1, POOL: 32, KEY: 32, DELIVERED_COUNT: 8, ADDED_AT: 8,
        REMOVED_AT: 8, PAYER: 32, END: 0,
    );
}

/// The checks every instruction that moves the pool's tokens makes on the pool: `mint` is its
/// payout mint (`WrongMint`) and `token_program` its token program (`InvalidTokenProgram`).
pub fn require_pool_tokens(pool: &View, mint: &Pubkey, token_program: &Pubkey) -> Result<()> {
    require!(pool.key_is(pool::MINT, mint), DataPoolError::WrongMint);
    require!(
        pool.key_is(pool::TOKEN_PROGRAM, token_program),
        DataPoolError::InvalidTokenProgram
    );
    Ok(())
}

/// The data of one account of a known type, borrowed for reading and writing fields in place.
pub struct View<'a, 'info> {
    data: RefMut<'a, &'info mut [u8]>,
}

impl<'a, 'info> View<'a, 'info> {
    /// Checks `info` as a `T` whose fixed fields end at `head_end`, as `Account<T>` does: it
    /// exists, the owner is this program, the discriminator is `T`'s, the data is long enough
    /// (Anchor's own error codes, with the account's `name`); and its layout version is the one
    /// these offsets describe (`UnsupportedAccountVersion`). The data is borrowed only for the check, so every
    /// account of an instruction can be checked before any is held.
    pub fn check<T: Discriminator>(info: &AccountInfo, head_end: usize, name: &str) -> Result<()> {
        Self::check_as(info, T::DISCRIMINATOR, head_end, name)
    }

    /// [`View::check`] against the account type whose discriminator is `discriminator`.
    pub fn check_as(
        info: &AccountInfo,
        discriminator: &[u8],
        head_end: usize,
        name: &str,
    ) -> Result<()> {
        if info.owner == &anchor_lang::system_program::ID && info.lamports() == 0 {
            return Err(Error::from(ErrorCode::AccountNotInitialized).with_account_name(name));
        }
        if info.owner != &crate::ID {
            return Err(Error::from(ErrorCode::AccountOwnedByWrongProgram)
                .with_account_name(name)
                .with_pubkeys((*info.owner, crate::ID)));
        }
        let data = info.try_borrow_data()?;
        let code = if data.len() < discriminator.len() {
            ErrorCode::AccountDiscriminatorNotFound
        } else if &data[..discriminator.len()] != discriminator {
            ErrorCode::AccountDiscriminatorMismatch
        } else if data.len() < head_end.max(VERSION_AT + 1) {
            ErrorCode::AccountDidNotDeserialize
        } else if data[VERSION_AT] != LAYOUT_VERSION {
            return Err(
                Error::from(DataPoolError::UnsupportedAccountVersion).with_account_name(name)
            );
        } else {
            return Ok(());
        };
        Err(Error::from(code).with_account_name(name))
    }

    /// The bump stored at `at` in `info`, a [`View::check`]ed `T` whose fixed fields end at
    /// `head_end`: what an `Accounts` struct verifies a PDA's address with (`bump = ...`) when the
    /// account is read in place.
    pub fn stored_bump<T: Discriminator>(
        info: &AccountInfo,
        head_end: usize,
        at: usize,
        name: &str,
    ) -> Result<u8> {
        Self::check::<T>(info, head_end, name)?;
        Ok(info.try_borrow_data()?[at])
    }

    /// [`View::check`]s `info`, then holds its data for reading and writing fields in place.
    pub fn load<T: Discriminator>(
        info: &'a AccountInfo<'info>,
        head_end: usize,
        name: &str,
    ) -> Result<Self> {
        Self::check::<T>(info, head_end, name)?;
        Ok(Self {
            data: info.try_borrow_mut_data()?,
        })
    }

    /// [`View::load`] of the account type whose discriminator is `discriminator`.
    pub fn load_as(
        info: &'a AccountInfo<'info>,
        discriminator: &[u8],
        head_end: usize,
        name: &str,
    ) -> Result<Self> {
        Self::check_as(info, discriminator, head_end, name)?;
        Ok(Self {
            data: info.try_borrow_mut_data()?,
        })
    }

    /// Two accounts for reading and writing at once: both are [`View::check`]ed before either is
    /// held, so one account passed as both is refused as the wrong type, not as a double borrow.
    pub fn load_pair<A: Discriminator, B: Discriminator>(
        a: (&'a AccountInfo<'info>, usize, &str),
        b: (&'a AccountInfo<'info>, usize, &str),
    ) -> Result<(Self, Self)> {
        Self::load_pair_as(
            (a.0, A::DISCRIMINATOR, a.1, a.2),
            (b.0, B::DISCRIMINATOR, b.1, b.2),
        )
    }

    /// [`View::load_pair`] of the account types whose discriminators are given.
    pub fn load_pair_as(
        a: (&'a AccountInfo<'info>, &[u8], usize, &str),
        b: (&'a AccountInfo<'info>, &[u8], usize, &str),
    ) -> Result<(Self, Self)> {
        Self::check_as(a.0, a.1, a.2, a.3)?;
        Self::check_as(b.0, b.1, b.2, b.3)?;
        Ok((
            Self {
                data: a.0.try_borrow_mut_data()?,
            },
            Self {
                data: b.0.try_borrow_mut_data()?,
            },
        ))
    }

    /// Holds the data of an account this instruction just created (zeroed, owned by this
    /// program, of the length it was given), to write its discriminator and fields.
    pub fn fresh(info: &'a AccountInfo<'info>) -> Result<Self> {
        Ok(Self {
            data: info.try_borrow_mut_data()?,
        })
    }

    /// Writes `T`'s discriminator and the current layout version: the head of a new account.
    pub fn set_head<T: Discriminator>(&mut self) {
        self.set_head_as(T::DISCRIMINATOR);
    }

    /// [`View::set_head`] with the discriminator `discriminator`.
    pub fn set_head_as(&mut self, discriminator: &[u8]) {
        self.data[..discriminator.len()].copy_from_slice(discriminator);
        self.data[VERSION_AT] = LAYOUT_VERSION;
    }

    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.data[at..at.saturating_add(N)]);
        out
    }

    /// The byte at `at`.
    pub fn u8(&self, at: usize) -> u8 {
        self.data[at]
    }

    /// The `u16` at `at`.
    pub fn u16(&self, at: usize) -> u16 {
        u16::from_le_bytes(self.bytes(at))
    }

    /// The `u32` at `at`.
    pub fn u32(&self, at: usize) -> u32 {
        u32::from_le_bytes(self.bytes(at))
    }

    /// The `u64` at `at`.
    pub fn u64(&self, at: usize) -> u64 {
        u64::from_le_bytes(self.bytes(at))
    }

    /// The `i64` at `at`.
    pub fn i64(&self, at: usize) -> i64 {
        i64::from_le_bytes(self.bytes(at))
    }

    /// The `u128` at `at`.
    pub fn u128(&self, at: usize) -> u128 {
        u128::from_le_bytes(self.bytes(at))
    }

    /// The 32 bytes at `at` (a hash).
    pub fn hash(&self, at: usize) -> [u8; 32] {
        self.bytes(at)
    }

    /// The public key at `at`.
    pub fn key(&self, at: usize) -> Pubkey {
        Pubkey::new_from_array(self.bytes(at))
    }

    /// Whether the public key at `at` is `key` (no copy).
    pub fn key_is(&self, at: usize, key: &Pubkey) -> bool {
        self.data[at..at.saturating_add(32)] == key.as_ref()[..]
    }

    /// The bytes of the Borsh string at `at` (a `u32` length, then the bytes).
    pub fn str_bytes(&self, at: usize) -> Result<&[u8]> {
        let len = u32::from_le_bytes(self.bytes(at)) as usize;
        let start = at.saturating_add(4);
        self.data
            .get(start..start.saturating_add(len))
            .ok_or_else(|| ErrorCode::AccountDidNotDeserialize.into())
    }

    /// Where bit `i` of the bitmap that starts at `at` lives (byte `i / 8`, bit `i % 8`, least
    /// significant first), or `None` past the end of the account.
    fn bit_at(&self, at: usize, i: u64) -> Option<(usize, u8)> {
        let byte = at.checked_add(usize::try_from(i / 8).ok()?)?;
        (byte < self.data.len()).then_some((byte, 1u8 << (i % 8)))
    }

    /// Bit `i` of the bitmap that starts at `at`; `None` past the end of the account.
    pub fn bit(&self, at: usize, i: u64) -> Option<bool> {
        self.bit_at(at, i)
            .map(|(byte, mask)| self.data[byte] & mask != 0)
    }

    /// Sets bit `i` of the bitmap that starts at `at`; `false` (and no change) past the end.
    pub fn set_bit(&mut self, at: usize, i: u64) -> bool {
        match self.bit_at(at, i) {
            Some((byte, mask)) => {
                self.data[byte] |= mask;
                true
            }
            None => false,
        }
    }

    /// Writes the byte `v` at `at`.
    pub fn set_u8(&mut self, at: usize, v: u8) {
        self.data[at] = v;
    }

    /// Writes `v` at `at`.
    pub fn set_u16(&mut self, at: usize, v: u16) {
        self.data[at..at.saturating_add(2)].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes `v` at `at`.
    pub fn set_u32(&mut self, at: usize, v: u32) {
        self.data[at..at.saturating_add(4)].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes `v` at `at`.
    pub fn set_i64(&mut self, at: usize, v: i64) {
        self.data[at..at.saturating_add(8)].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes the public key `v` at `at`.
    pub fn set_key(&mut self, at: usize, v: &Pubkey) {
        self.data[at..at.saturating_add(32)].copy_from_slice(v.as_ref());
    }

    /// Writes `v` as a Borsh string at `at` (a `u32` length, then the bytes); fails past the
    /// end of the account.
    pub fn set_str(&mut self, at: usize, v: &str) -> Result<()> {
        let len = u32::try_from(v.len()).map_err(|_| DataPoolError::MathOverflow)?;
        let end = at.saturating_add(4).saturating_add(v.len());
        let out = self
            .data
            .get_mut(at..end)
            .ok_or(ErrorCode::AccountDidNotSerialize)?;
        out[..4].copy_from_slice(&len.to_le_bytes());
        out[4..].copy_from_slice(v.as_bytes());
        Ok(())
    }

    /// Writes `v` at `at`.
    pub fn set_u64(&mut self, at: usize, v: u64) {
        self.data[at..at.saturating_add(8)].copy_from_slice(&v.to_le_bytes());
    }

    /// Writes the 32 bytes `v` at `at`.
    pub fn set_hash(&mut self, at: usize, v: &[u8; 32]) {
        self.data[at..at.saturating_add(32)].copy_from_slice(v);
    }

    /// Writes `v` at `at`.
    pub fn set_u128(&mut self, at: usize, v: u128) {
        self.data[at..at.saturating_add(16)].copy_from_slice(&v.to_le_bytes());
    }
}

#[cfg(test)]
mod tests;
