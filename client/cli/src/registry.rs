//! The keys a curator registers on a pool (attestors and custodians): adding and removing them
//! is the same command for both roles.

use anchor_lang::prelude::Pubkey;
use data_pool_client::chain::Chain;
use data_pool_client::instructions as ix;
use data_pool_client::pda::{find_attestor_pda, find_custodian_pda};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::context::Ctx;
use crate::error::CliError;
use crate::lookup;
use crate::output::{Printed, Transaction};

/// A role a key can be registered for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Signs attestations of contributions.
    Attestor,
    /// Delivers approved sales.
    Custodian,
}

impl Role {
    /// The role's name (and the JSON field naming the key).
    pub fn name(self) -> &'static str {
        match self {
            Role::Attestor => "attestor",
            Role::Custodian => "custodian",
        }
    }

    /// The record of `key` on `pool`.
    pub fn record(self, program_id: &Pubkey, pool: &Pubkey, key: &Pubkey) -> Pubkey {
        match self {
            Role::Attestor => find_attestor_pda(program_id, pool, key).0,
            Role::Custodian => find_custodian_pda(program_id, pool, key).0,
        }
    }
}

/// A key added or removed.
#[derive(Debug)]
pub struct KeySet {
    /// Its role.
    pub role: Role,
    /// The pool.
    pub pool: String,
    /// The signing key (JSON field named after the role).
    pub key: String,
    /// Its record.
    pub record: String,
    /// Whether it is active now.
    pub active: bool,
}

impl Serialize for KeySet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("pool", &self.pool)?;
        m.serialize_entry(self.role.name(), &self.key)?;
        m.serialize_entry("record", &self.record)?;
        m.serialize_entry("active", &self.active)?;
        m.end()
    }
}

/// `attestor add|remove` and `custodian add|remove` (curator).
pub async fn set<C: Chain>(
    ctx: &Ctx<'_, C>,
    role: Role,
    pool: &Pubkey,
    key: &Pubkey,
    add: bool,
) -> Result<Printed, CliError> {
    lookup::pool(ctx, pool).await?;
    let me = ctx.signer()?.pubkey();
    let p = &ctx.program_id;
    let payer = ctx.payer()?.pubkey();
    let i = match (role, add) {
        (Role::Attestor, true) => ix::attestor_add(p, &payer, &me, pool, key),
        (Role::Attestor, false) => ix::attestor_remove(p, &me, pool, key),
        (Role::Custodian, true) => ix::custodian_add(p, &payer, &me, pool, key),
        (Role::Custodian, false) => ix::custodian_remove(p, &me, pool, key),
    };
    let (verb, label) = if add {
        ("Added", "Add")
    } else {
        ("Removed", "Remove")
    };
    let sent = ctx
        .send(&format!("{label} {}", role.name()), &[i], true, &[])
        .await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        KeySet {
            role,
            pool: pool.to_string(),
            key: key.to_string(),
            record: role.record(p, pool, key).to_string(),
            active: add,
        },
        format!(
            "{verb} {} {key} {} pool {pool}",
            role.name(),
            if add { "to" } else { "from" }
        ),
        vec![],
    )))
}
