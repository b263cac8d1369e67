//! The offsets against Borsh, and the checks a view makes.

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
    assert_eq!(find(&b, &[12; 32]), attestor::PAYER);
    assert_eq!(attestor::END, b.len());
    let c = crate::state::Custodian {
        version: LAYOUT_VERSION,
        bump: 2,
        active: true,
        pool: key(10),
        key: key(11),
        delivered_count: 3,
        added_at: 4,
        removed_at: 5,
        payer: key(12),
    };
    let mut b = serialized(&c);
    assert_eq!(find(&b, &[12; 32]), custodian::PAYER);
    assert_eq!(custodian::END, b.len());
    view_of::<crate::state::Custodian>(&mut b, custodian::END, |v| {
        assert_eq!(v.u8(custodian::ACTIVE), 1);
        assert!(v.key_is(custodian::KEY, &key(11)));
        assert_eq!(v.u64(custodian::DELIVERED_COUNT), 3);
    });
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
