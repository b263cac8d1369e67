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

/// Field offsets of the head of [`crate::state::Attestor`] (for clients' memcmp filters).
pub mod attestor {
    layout!(VERSION: 1, BUMP: 1, ACTIVE: 1, POOL: 32, KEY: 32);
}

/// Field offsets of the head of [`crate::state::Custodian`] (for clients' memcmp filters).
pub mod custodian {
    layout!(VERSION: 1, BUMP: 1, ACTIVE: 1, POOL: 32, KEY: 32);
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
        if info.owner == &anchor_lang::system_program::ID && info.lamports() == 0 {
            return Err(Error::from(ErrorCode::AccountNotInitialized).with_account_name(name));
        }
        if info.owner != &crate::ID {
            return Err(Error::from(ErrorCode::AccountOwnedByWrongProgram)
                .with_account_name(name)
                .with_pubkeys((*info.owner, crate::ID)));
        }
        let data = info.try_borrow_data()?;
        let code = if data.len() < T::DISCRIMINATOR.len() {
            ErrorCode::AccountDiscriminatorNotFound
        } else if &data[..T::DISCRIMINATOR.len()] != T::DISCRIMINATOR {
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

    /// Two accounts for reading and writing at once: both are [`View::check`]ed before either is
    /// held, so one account passed as both is refused as the wrong type, not as a double borrow.
    pub fn load_pair<A: Discriminator, B: Discriminator>(
        a: (&'a AccountInfo<'info>, usize, &str),
        b: (&'a AccountInfo<'info>, usize, &str),
    ) -> Result<(Self, Self)> {
        Self::check::<A>(a.0, a.1, a.2)?;
        Self::check::<B>(b.0, b.1, b.2)?;
        Ok((
            Self {
                data: a.0.try_borrow_mut_data()?,
            },
            Self {
                data: b.0.try_borrow_mut_data()?,
            },
        ))
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
mod tests {
    use super::*;
    use crate::state::{Contributor, DeliveryReceipt, Offer, OfferState, Pool, PoolParams};
    use anchor_lang::AccountSerialize;

    /// Distinct bytes everywhere, so a wrong offset cannot read the right value by chance.
    fn key(n: u8) -> Pubkey {
        Pubkey::new_from_array([n; 32])
    }

    fn serialized<T: AccountSerialize>(v: &T) -> Vec<u8> {
        let mut buf = vec![];
        v.try_serialize(&mut buf).unwrap();
        buf
    }

    fn view_of<T: Discriminator>(bytes: &mut [u8], head_end: usize, f: impl FnOnce(&View)) {
        let id = crate::ID;
        let k = key(200);
        let mut lamports = 0;
        let data: &mut [u8] = bytes;
        let info = AccountInfo::new(&k, false, true, &mut lamports, data, &id, false);
        f(&View::load::<T>(&info, head_end, "t").unwrap());
    }

    fn test_pool() -> Pool {
        Pool {
            version: LAYOUT_VERSION,
            bump: 2,
            vault_bump: 3,
            paused: true,
            mint_decimals: 6,
            creator: key(10),
            authority: key(11),
            pending_authority: key(12),
            mint: key(13),
            token_program: key(14),
            vault: key(15),
            fee_vault: key(16),
            params: PoolParams {
                fee_bps: 17,
                quorum_bps: 18,
                approval_bps: 19,
                voting_period: 20,
                min_offer_price: 21,
                max_score: 22,
                delivery_period: 3600,
            },
            total_weight: 23,
            contributor_count: 24,
            closed_contributor_count: 25,
            active_contribution_count: 26,
            offer_count: 27,
            accepted_offer_count: 28,
            active_attestor_count: 29,
            acc_reward_per_weight: 30 << 70,
            total_distributed: 31,
            total_claimed: 32,
            total_fees: 33,
            open_offer_count: 34,
            total_fees_withdrawn: 35,
            fee_vault_bump: 36,
            active_custodian_count: 37,
            set_hash: [38; 32],
            closed_offer_count: 39,
            claim_window: 40,
            wound_down_at: 41,
            attestor_records: 42,
            custodian_records: 43,
            payer: key(44),
            total_forfeited: 45 << 70,
            name: "pool-name".into(),
        }
    }

    #[test]
    fn pool_offsets_match_borsh() {
        let p = test_pool();
        let mut b = serialized(&p);
        view_of::<Pool>(&mut b, pool::HEAD_END, |v| {
            assert_eq!(v.u8(pool::BUMP), 2);
            assert_eq!(v.u8(pool::MINT_DECIMALS), 6);
            assert_eq!(v.key(pool::CREATOR), key(10));
            assert_eq!(v.key(pool::MINT), key(13));
            assert_eq!(v.key(pool::TOKEN_PROGRAM), key(14));
            assert_eq!(v.key(pool::VAULT), key(15));
            assert_eq!(v.u64(pool::TOTAL_WEIGHT), 23);
            assert_eq!(v.u128(pool::ACC_REWARD_PER_WEIGHT), 30 << 70);
            assert_eq!(v.u128(pool::TOTAL_DISTRIBUTED), 31);
            assert_eq!(v.u128(pool::TOTAL_CLAIMED), 32);
            assert_eq!(v.u128(pool::TOTAL_FEES), 33);
            assert_eq!(v.key(pool::FEE_VAULT), key(16));
            assert_eq!(v.u64(pool::OPEN_OFFER_COUNT), 34);
            assert_eq!(v.u128(pool::TOTAL_FEES_WITHDRAWN), 35);
            assert_eq!(v.u8(pool::FEE_VAULT_BUMP), 36);
            assert_eq!(v.u64(pool::DELIVERY_PERIOD), 3600);
            assert_eq!(v.hash(pool::SET_HASH), [38; 32]);
            assert_eq!(v.u64(pool::CLOSED_OFFER_COUNT), 39);
            assert_eq!(v.str_bytes(pool::NAME).unwrap(), b"pool-name");
        });
        assert_eq!(pool::HEAD_END + 9, b.len());
    }

    #[test]
    fn offer_offsets_match_borsh() {
        let o = Offer {
            version: LAYOUT_VERSION,
            bump: 2,
            escrow_bump: 3,
            state: OfferState::Rejected,
            refund_pending: true,
            pool: key(10),
            index: 11,
            buyer: key(12),
            refund_account: key(13),
            price: 14,
            terms_hash: [15; 32],
            created_at: 16,
            voting_ends_at: 17,
            snapshot_total_weight: 18,
            snapshot_contributor_count: 19,
            fee_bps: 20,
            quorum_bps: 21,
            approval_bps: 22,
            yes_weight: 23 << 80,
            no_weight: 24 << 70,
            voter_count: 25,
            reserved: [26; 24],
            decided_at: 28,
            fee_paid: 29,
            net_distributed: 30,
            delivery_period: 31,
            delivery_deadline: 32,
            delivered_at: 33,
            custodian: key(34),
            receipt: DeliveryReceipt {
                manifest_hash: [35; 32],
                size: 36,
                contribution_count: 37,
                total_weight: 38,
                set_hash: [39; 32],
            },
            payer: key(40),
            terms_uri: "https://terms".into(),
        };
        let mut b = serialized(&o);
        view_of::<Offer>(&mut b, offer::HEAD_END, |v| {
            assert_eq!(v.u8(offer::STATE), OfferState::Rejected as u8);
            assert!(v.key_is(offer::POOL, &key(10)));
            assert_eq!(v.i64(offer::VOTING_ENDS_AT), 17);
            assert_eq!(v.u64(offer::SNAPSHOT_CONTRIBUTOR_COUNT), 19);
            assert_eq!(v.u128(offer::YES_WEIGHT), 23 << 80);
            assert_eq!(v.u128(offer::NO_WEIGHT), 24 << 70);
            assert_eq!(v.u64(offer::VOTER_COUNT), 25);
            assert_eq!(v.u64(offer::NET_DISTRIBUTED), 30);
            assert_eq!(v.i64(offer::DELIVERY_DEADLINE), 32);
            assert_eq!(v.key(offer::CUSTODIAN), key(34));
            assert_eq!(v.hash(offer::RECEIPT), [35; 32]);
            assert_eq!(v.hash(offer::RECEIPT + 56), [39; 32]);
            assert_eq!(v.key(offer::PAYER), key(40));
            assert_eq!(v.str_bytes(offer::TERMS_URI).unwrap(), b"https://terms");
        });
        assert_eq!(offer::HEAD_END + 13, b.len());
    }

    fn test_contributor() -> Contributor {
        Contributor {
            version: LAYOUT_VERSION,
            bump: 2,
            status: crate::state::ContributionStatus::Invalidated,
            pool: key(10),
            wallet: key(11),
            payer: key(12),
            attestor: key(13),
            index: 14,
            weight: 15,
            acc_checkpoint: 16 << 90,
            owed_q64: 17 << 66,
        }
    }

    #[test]
    fn contributor_offsets_match_borsh() {
        let mut b = serialized(&test_contributor());
        view_of::<Contributor>(&mut b, contributor::END, |v| {
            assert_eq!(v.u8(contributor::STATUS), 1);
            assert!(v.key_is(contributor::POOL, &key(10)));
            assert!(v.key_is(contributor::WALLET, &key(11)));
            assert!(v.key_is(contributor::PAYER, &key(12)));
            assert!(v.key_is(contributor::ATTESTOR, &key(13)));
            assert_eq!(v.u64(contributor::INDEX), 14);
            assert_eq!(v.u64(contributor::WEIGHT), 15);
            assert_eq!(v.u128(contributor::ACC_CHECKPOINT), 16 << 90);
            assert_eq!(v.u128(contributor::OWED_Q64), 17 << 66);
        });
        assert_eq!(contributor::END, b.len());
    }

    /// The offset of the 32 bytes `needle` in `hay` (present once).
    fn find(hay: &[u8], needle: &[u8; 32]) -> usize {
        let at: Vec<usize> = hay
            .windows(32)
            .enumerate()
            .filter(|(_, w)| *w == needle)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(at.len(), 1);
        at[0]
    }

    #[test]
    fn filter_offsets_match_borsh() {
        let a = crate::state::Attestor {
            version: LAYOUT_VERSION,
            bump: 2,
            active: true,
            pool: key(10),
            key: key(11),
            attested_count: 3,
            added_at: 4,
            removed_at: 5,
            payer: key(12),
        };
        let b = serialized(&a);
        assert_eq!(find(&b, &[10; 32]), attestor::POOL);
        assert_eq!(find(&b, &[11; 32]), attestor::KEY);
    }

    #[test]
    fn bitmap_bits_are_lsb_first_and_bounded() {
        let mut bytes = serialized(&test_pool());
        let len = bytes.len();
        bytes.extend_from_slice(&[0u8; 2]);
        let mut lamports = 1u64;
        let (k, owner) = (key(1), crate::ID);
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut bytes, &owner, false);
        let mut v = View::load::<Pool>(&info, pool::HEAD_END, "pool").unwrap();
        assert_eq!(v.bit(len, 9), Some(false));
        assert!(v.set_bit(len, 9));
        assert_eq!(v.bit(len, 9), Some(true));
        assert_eq!(v.bit(len, 8), Some(false));
        assert_eq!(v.u8(len.saturating_add(1)), 0b10);
        assert_eq!(v.bit(len, 16), None);
        assert!(!v.set_bit(len, 16));
        assert_eq!(v.bit(len, u64::MAX), None);
    }

    #[test]
    fn wrong_owner_discriminator_or_length_is_refused() {
        let c = test_contributor();
        let mut b = serialized(&c);
        let k = key(1);
        let mut lamports = 0;
        let other = key(2);
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut b, &other, false);
        assert!(View::load::<Contributor>(&info, contributor::END, "c").is_err());
        let mut b = serialized(&c);
        let id = crate::ID;
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut b, &id, false);
        assert!(View::load::<Offer>(&info, offer::HEAD_END, "c").is_err());
        let mut short = serialized(&c)[..100].to_vec();
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut short, &id, false);
        assert!(View::load::<Contributor>(&info, contributor::END, "c").is_err());
        // Another layout version than the one the offsets describe.
        let mut b = serialized(&Contributor {
            version: LAYOUT_VERSION + 1,
            ..c
        });
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut b, &id, false);
        let err = View::load::<Contributor>(&info, contributor::END, "c")
            .err()
            .unwrap();
        assert_eq!(err, DataPoolError::UnsupportedAccountVersion.into());
    }

    #[test]
    fn the_head_covers_the_string_length() {
        // A pool cut right after the name's length prefix loads; one byte shorter does not.
        let mut b = serialized(&test_pool());
        b.truncate(pool::HEAD_END);
        let (k, id, mut lamports) = (key(1), crate::ID, 0);
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut b, &id, false);
        assert!(View::load::<Pool>(&info, pool::HEAD_END, "p").is_ok());
        let mut b = serialized(&test_pool());
        b.truncate(pool::HEAD_END - 1);
        let info = AccountInfo::new(&k, false, true, &mut lamports, &mut b, &id, false);
        assert!(View::load::<Pool>(&info, pool::HEAD_END, "p").is_err());
    }
}
