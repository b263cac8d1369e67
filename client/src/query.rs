//! Reading the pool's state from a [`Chain`]: typed fetches that say exactly what is wrong with
//! an address, and `getProgramAccounts` listings filtered on the pool / offer field.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::Discriminator;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions;
use data_pool::state::{view, Attestor, Contributor, Custodian, Offer, Pool};
use solana_account::Account;

use crate::accounts::{self, DecodeError};
use crate::chain::{AccountFilter, Chain, ChainError};

/// Why an account could not be read as what it should be.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The node could not answer.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// Nothing at the address.
    #[error("{kind} {address} does not exist on this cluster")]
    NotFound {
        /// What was expected.
        kind: &'static str,
        /// The address.
        address: Pubkey,
    },
    /// Something else is at the address.
    #[error("{address} is not a {kind}: {reason}")]
    WrongAccount {
        /// What was expected.
        kind: &'static str,
        /// The address.
        address: Pubkey,
        /// What is there instead.
        reason: String,
    },
}

// Byte offsets for memcmp filters, from the program's own layout table (tested against Borsh).
/// Byte offset of `pool` in Attestor accounts.
pub const ATTESTOR_POOL_OFFSET: usize = view::attestor::POOL;
/// Byte offset of `pool` in Custodian accounts.
pub const CUSTODIAN_POOL_OFFSET: usize = view::custodian::POOL;
/// Byte offset of `pool` in Contributor accounts.
pub const CONTRIBUTOR_POOL_OFFSET: usize = view::contributor::POOL;
/// Byte offset of `wallet` in Contributor accounts.
pub const CONTRIBUTOR_WALLET_OFFSET: usize = view::contributor::WALLET;
/// Byte offset of `pool` in Offer accounts.
pub const OFFER_POOL_OFFSET: usize = view::offer::POOL;

fn owned_by_program(
    kind: &'static str,
    address: &Pubkey,
    program_id: &Pubkey,
    account: Option<Account>,
) -> Result<Account, QueryError> {
    let account = account.ok_or(QueryError::NotFound {
        kind,
        address: *address,
    })?;
    if account.owner != *program_id {
        return Err(QueryError::WrongAccount {
            kind,
            address: *address,
            reason: format!(
                "it is owned by {}, not the data-pool program",
                account.owner
            ),
        });
    }
    Ok(account)
}

fn wrong(kind: &'static str, address: &Pubkey, e: DecodeError) -> QueryError {
    QueryError::WrongAccount {
        kind,
        address: *address,
        reason: e.to_string(),
    }
}

macro_rules! fetcher {
    ($(#[$m:meta])* $name:ident, $ty:ty, $decode:path, $kind:literal) => {
        $(#[$m])*
        pub async fn $name<C: Chain>(
            chain: &C,
            program_id: &Pubkey,
            address: &Pubkey,
        ) -> Result<$ty, QueryError> {
            let a = owned_by_program($kind, address, program_id, chain.get_account(address).await?)?;
            $decode(&a.data).map_err(|e| wrong($kind, address, e))
        }
    };
}

fetcher!(/// A pool.
    pool, Pool, accounts::decode_pool, "pool");
fetcher!(/// An attestor record.
    attestor, Attestor, accounts::decode_attestor, "attestor record");
fetcher!(/// A contributor record.
    contributor, Contributor, accounts::decode_contributor, "contributor record");
fetcher!(/// An offer.
    offer, Offer, accounts::decode_offer, "offer");

/// An offer and its vote bitmap (empty once voting is over).
pub async fn offer_with_votes<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    address: &Pubkey,
) -> Result<(Offer, Vec<u8>), QueryError> {
    let a = owned_by_program(
        "offer",
        address,
        program_id,
        chain.get_account(address).await?,
    )?;
    let offer = accounts::decode_offer(&a.data).map_err(|e| wrong("offer", address, e))?;
    Ok((offer, accounts::vote_bitmap(&a.data).to_vec()))
}

/// Like [`contributor`], but `None` when the wallet has never joined.
pub async fn contributor_opt<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    address: &Pubkey,
) -> Result<Option<Contributor>, QueryError> {
    match contributor(chain, program_id, address).await {
        Ok(c) => Ok(Some(c)),
        Err(QueryError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn list<C: Chain, T>(
    chain: &C,
    program_id: &Pubkey,
    discriminator: &[u8],
    fields: &[(usize, &Pubkey)],
    decode: fn(&[u8]) -> Result<T, DecodeError>,
) -> Result<Vec<(Pubkey, T)>, QueryError> {
    let mut filters = vec![AccountFilter::Memcmp {
        offset: 0,
        bytes: discriminator.to_vec(),
    }];
    filters.extend(fields.iter().map(|(offset, key)| AccountFilter::Memcmp {
        offset: *offset,
        bytes: key.to_bytes().to_vec(),
    }));
    let raw = chain.get_program_accounts(program_id, &filters).await?;
    // Accounts that pass the filters but do not decode are skipped: they cannot be ours.
    Ok(raw
        .into_iter()
        .filter_map(|(k, a)| decode(&a.data).ok().map(|t| (k, t)))
        .collect())
}

/// Every pool of the program.
pub async fn pools<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
) -> Result<Vec<(Pubkey, Pool)>, QueryError> {
    list(
        chain,
        program_id,
        Pool::DISCRIMINATOR,
        &[],
        accounts::decode_pool,
    )
    .await
}

/// Attestor records of `pool` (active and removed).
pub async fn attestors<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<Vec<(Pubkey, Attestor)>, QueryError> {
    let f = [(ATTESTOR_POOL_OFFSET, pool)];
    list(
        chain,
        program_id,
        Attestor::DISCRIMINATOR,
        &f,
        accounts::decode_attestor,
    )
    .await
}

/// Custodian records of `pool`.
pub async fn custodians<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<Vec<(Pubkey, Custodian)>, QueryError> {
    let f = [(CUSTODIAN_POOL_OFFSET, pool)];
    list(
        chain,
        program_id,
        Custodian::DISCRIMINATOR,
        &f,
        accounts::decode_custodian,
    )
    .await
}

/// Every attestor and custodian record of `pool` with the account its rent goes back to, as
/// `pool_close` takes them.
pub async fn registry<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<Vec<(Pubkey, Pubkey)>, QueryError> {
    let mut records: Vec<(Pubkey, Pubkey)> = attestors(chain, program_id, pool)
        .await?
        .into_iter()
        .map(|(k, a)| (k, a.payer))
        .collect();
    records.extend(
        custodians(chain, program_id, pool)
            .await?
            .into_iter()
            .map(|(k, c)| (k, c.payer)),
    );
    Ok(records)
}

/// Contributor records of `pool` (one per person still on chain), optionally only those
/// of one wallet, by arrival index.
pub async fn contributors<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
    wallet: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, Contributor)>, QueryError> {
    let mut f = vec![(CONTRIBUTOR_POOL_OFFSET, pool)];
    if let Some(w) = wallet {
        f.push((CONTRIBUTOR_WALLET_OFFSET, w));
    }
    let mut v = list(
        chain,
        program_id,
        Contributor::DISCRIMINATOR,
        &f,
        accounts::decode_contributor,
    )
    .await?;
    v.sort_by_key(|(_, c)| c.index);
    Ok(v)
}

/// Offers of `pool`, by index.
pub async fn offers<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<Vec<(Pubkey, Offer)>, QueryError> {
    Ok(offers_with_votes(chain, program_id, pool)
        .await?
        .into_iter()
        .map(|(k, (o, _))| (k, o))
        .collect())
}

/// Offers of `pool` by index, each with its vote bitmap (empty once voting is over).
pub async fn offers_with_votes<C: Chain>(
    chain: &C,
    program_id: &Pubkey,
    pool: &Pubkey,
) -> Result<Vec<(Pubkey, (Offer, Vec<u8>))>, QueryError> {
    fn decode(data: &[u8]) -> Result<(Offer, Vec<u8>), DecodeError> {
        Ok((
            accounts::decode_offer(data)?,
            accounts::vote_bitmap(data).to_vec(),
        ))
    }
    let f = [(OFFER_POOL_OFFSET, pool)];
    let mut v = list(chain, program_id, Offer::DISCRIMINATOR, &f, decode).await?;
    v.sort_by_key(|(_, (o, _))| o.index);
    Ok(v)
}

/// An offer state's name as printed and serialized: `open`, `accepted`, `rejected`, `cancelled`.
pub fn offer_state_name(s: &data_pool::state::OfferState) -> &'static str {
    use data_pool::state::OfferState::*;
    match s {
        Open => "open",
        Accepted => "accepted",
        Rejected => "rejected",
        Cancelled => "cancelled",
        AwaitingDelivery => "awaiting-delivery",
        Undelivered => "undelivered",
    }
}

/// A token account as the client needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenAccount {
    /// Its mint.
    pub mint: Pubkey,
    /// Its owner.
    pub owner: Pubkey,
    /// Balance in base units.
    pub amount: u64,
    /// The token program that owns it.
    pub token_program: Pubkey,
    /// Frozen accounts cannot send or receive.
    pub frozen: bool,
}

fn is_token_program(p: &Pubkey) -> bool {
    *p == anchor_spl::token::ID || *p == anchor_spl::token_2022::ID
}

/// A token account (SPL Token or Token-2022), or why `address` is not one.
pub async fn token_account<C: Chain>(
    chain: &C,
    address: &Pubkey,
) -> Result<TokenAccount, QueryError> {
    let kind = "token account";
    let a = chain
        .get_account(address)
        .await?
        .ok_or(QueryError::NotFound {
            kind,
            address: *address,
        })?;
    decode_token_account(address, &a)
}

/// Decodes a token account already fetched.
pub fn decode_token_account(address: &Pubkey, a: &Account) -> Result<TokenAccount, QueryError> {
    let kind = "token account";
    if !is_token_program(&a.owner) {
        return Err(QueryError::WrongAccount {
            kind,
            address: *address,
            reason: format!("it is owned by {}, not a token program", a.owner),
        });
    }
    let t =
        StateWithExtensions::<spl_token_2022::state::Account>::unpack(&a.data).map_err(|e| {
            QueryError::WrongAccount {
                kind,
                address: *address,
                reason: e.to_string(),
            }
        })?;
    Ok(TokenAccount {
        mint: t.base.mint,
        owner: t.base.owner,
        amount: t.base.amount,
        token_program: a.owner,
        frozen: t.base.is_frozen(),
    })
}

/// A mint's token program and decimals, or why `address` is not a mint.
pub async fn mint<C: Chain>(chain: &C, address: &Pubkey) -> Result<(Pubkey, u8), QueryError> {
    let kind = "mint";
    let a = chain
        .get_account(address)
        .await?
        .ok_or(QueryError::NotFound {
            kind,
            address: *address,
        })?;
    if !is_token_program(&a.owner) {
        return Err(QueryError::WrongAccount {
            kind,
            address: *address,
            reason: format!("it is owned by {}, not a token program", a.owner),
        });
    }
    if a.data.len() == spl_token_2022::state::Account::LEN {
        return Err(QueryError::WrongAccount {
            kind,
            address: *address,
            reason: "it is a token account, not a mint".into(),
        });
    }
    let m = StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&a.data).map_err(|e| {
        QueryError::WrongAccount {
            kind,
            address: *address,
            reason: e.to_string(),
        }
    })?;
    Ok((a.owner, m.base.decimals))
}
