//! The pool's registries of attestors and custodians. Both record kinds share one layout
//! ([`crate::state::Attestor`], [`crate::state::Custodian`]) and one set of rules, so the four
//! instructions that manage them (`attestor_add`, `attestor_remove`, `custodian_add`,
//! `custodian_remove`) are this module with a [`Role`]. Records are read and written in place
//! ([`crate::state::view`]) and created here ([`crate::pda`]).

use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

use crate::constants::{SEED_ATTESTOR, SEED_CUSTODIAN};
use crate::error::{CheckedMath, DataPoolError};
use crate::pda;
use crate::state::view::{self, View};
use crate::state::{Attestor, Custodian, Pool};

use view::attestor as r_at;
use view::pool as p_at;

// One layout for both kinds: the offsets used here are the attestor's.
const _: () = assert!(
    r_at::ACTIVE == view::custodian::ACTIVE
        && r_at::POOL == view::custodian::POOL
        && r_at::KEY == view::custodian::KEY
        && r_at::ADDED_AT == view::custodian::ADDED_AT
        && r_at::REMOVED_AT == view::custodian::REMOVED_AT
        && r_at::PAYER == view::custodian::PAYER
        && r_at::END == view::custodian::END
        && r_at::END == 8 + Attestor::INIT_SPACE
        && r_at::END == 8 + Custodian::INIT_SPACE
);

/// Which registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Keys whose attestations the pool accepts.
    Attestor,
    /// Keys that may deliver the pool's sales.
    Custodian,
}

impl Role {
    fn seed(self) -> &'static [u8] {
        match self {
            Role::Attestor => SEED_ATTESTOR,
            Role::Custodian => SEED_CUSTODIAN,
        }
    }

    fn discriminator(self) -> &'static [u8] {
        match self {
            Role::Attestor => Attestor::DISCRIMINATOR,
            Role::Custodian => Custodian::DISCRIMINATOR,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Attestor => "attestor",
            Role::Custodian => "custodian",
        }
    }

    /// Offsets in the pool of the active count and of the record count.
    fn counts_at(self) -> (usize, usize) {
        match self {
            Role::Attestor => (p_at::ACTIVE_ATTESTOR_COUNT, p_at::ATTESTOR_RECORDS),
            Role::Custodian => (p_at::ACTIVE_CUSTODIAN_COUNT, p_at::CUSTODIAN_RECORDS),
        }
    }

    fn already_active(self) -> DataPoolError {
        match self {
            Role::Attestor => DataPoolError::AttestorAlreadyActive,
            Role::Custodian => DataPoolError::CustodianAlreadyActive,
        }
    }

    fn inactive(self) -> DataPoolError {
        match self {
            Role::Attestor => DataPoolError::AttestorInactive,
            Role::Custodian => DataPoolError::CustodianInactive,
        }
    }
}

/// The accounts of an add.
pub struct Add<'a, 'info> {
    /// Pays the rent of a new record (and is recorded as its payer).
    pub payer: &'a AccountInfo<'info>,
    /// Must be the pool's authority (`Unauthorized`); a signer.
    pub authority: &'a Pubkey,
    /// The pool.
    pub pool: &'a AccountInfo<'info>,
    /// The record, at `[seed, pool, key]` with bump `bump` (checked by the `Accounts` struct).
    pub record: &'a AccountInfo<'info>,
    /// System program.
    pub system: &'a AccountInfo<'info>,
}

/// Registers `key` (or activates it again): creates its record on first use, as Anchor's
/// `init_if_needed` does (an address the system program still owns), and counts it.
pub fn add(role: Role, a: Add, key: &Pubkey, bump: u8) -> Result<()> {
    let pool = View::load::<Pool>(a.pool, p_at::HEAD_END, "pool")?;
    require!(
        pool.key_is(p_at::AUTHORITY, a.authority),
        DataPoolError::Unauthorized
    );
    drop(pool);
    let (active_at, records_at) = role.counts_at();
    let new = a.record.owner == &anchor_lang::system_program::ID;
    if new {
        let pool_key = a.pool.key;
        let bump = [bump];
        let seeds: [&[u8]; 4] = [role.seed(), pool_key.as_ref(), key.as_ref(), &bump];
        pda::create(a.payer, a.record, a.system, r_at::END, &crate::ID, &seeds)?;
        let mut r = View::fresh(a.record)?;
        r.set_head_as(role.discriminator());
        r.set_u8(r_at::BUMP, bump[0]);
        r.set_key(r_at::POOL, pool_key);
        r.set_key(r_at::KEY, key);
        r.set_key(r_at::PAYER, a.payer.key);
    }
    let mut r = View::load_as(a.record, role.discriminator(), r_at::END, role.name())?;
    require!(r.u8(r_at::ACTIVE) == 0, role.already_active());
    r.set_u8(r_at::ACTIVE, 1);
    r.set_i64(r_at::ADDED_AT, Clock::get()?.unix_timestamp);
    drop(r);
    let mut pool = View::load::<Pool>(a.pool, p_at::HEAD_END, "pool")?;
    if new {
        let records = pool.u32(records_at).add_or_overflow(1)?;
        pool.set_u32(records_at, records);
    }
    let active = pool.u32(active_at).add_or_overflow(1)?;
    pool.set_u32(active_at, active);
    Ok(())
}

/// Deactivates the record `record` of the pool `pool` (its authority `authority` signs); the
/// record stays for the audit until the pool closes. Returns the record's key.
pub fn remove<'info>(
    role: Role,
    authority: &Pubkey,
    pool: &AccountInfo<'info>,
    record: &AccountInfo<'info>,
) -> Result<Pubkey> {
    let (mut p, mut r) = View::load_pair_as(
        (pool, Pool::DISCRIMINATOR, p_at::HEAD_END, "pool"),
        (record, role.discriminator(), r_at::END, role.name()),
    )?;
    require!(
        p.key_is(p_at::AUTHORITY, authority),
        DataPoolError::Unauthorized
    );
    require!(r.key_is(r_at::POOL, pool.key), DataPoolError::PoolMismatch);
    require!(r.u8(r_at::ACTIVE) != 0, role.inactive());
    r.set_u8(r_at::ACTIVE, 0);
    r.set_i64(r_at::REMOVED_AT, Clock::get()?.unix_timestamp);
    let (active_at, _) = role.counts_at();
    let active = p.u32(active_at).sub_or_overflow(1)?;
    p.set_u32(active_at, active);
    Ok(r.key(r_at::KEY))
}
