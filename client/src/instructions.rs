//! Pure instruction builders, one per program instruction. No RPC, no signing: they take
//! addresses and return an [`Instruction`].

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use data_pool::{accounts as acc, instruction as ixd};
pub use data_pool::{
    ContributionSubmitArgs, DeliveryReceipt, OfferCreateArgs, PoolCreateArgs, PoolUpdateArgs,
};

use crate::pda::*;

/// The Instructions sysvar address.
pub const INSTRUCTIONS_SYSVAR_ID: Pubkey =
    anchor_lang::prelude::pubkey!("Sysvar1nstructions1111111111111111111111111");

fn ix(
    program_id: &Pubkey,
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
) -> Instruction {
    Instruction {
        program_id: *program_id,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `pool_create`: the pool, vault and fee vault addresses follow from `authority` and
/// `args.name`.
pub fn pool_create(
    program_id: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    args: PoolCreateArgs,
) -> Instruction {
    let name = data_pool::instructions::pool_create::name_seed(&args.name);
    let (pool, _) = Pubkey::find_program_address(
        &[data_pool::SEED_POOL, authority.as_ref(), name],
        program_id,
    );
    let (vault, _) = find_vault_pda(program_id, &pool);
    let accounts = acc::PoolCreate {
        payer: *payer,
        authority: *authority,
        pool,
        mint: *mint,
        vault,
        fee_vault: find_fee_vault_pda(program_id, &pool).0,
        token_program: *token_program,
        system_program: system_program::ID,
    };
    ix(program_id, accounts, ixd::PoolCreate { args })
}

/// `pool_update`.
pub fn pool_update(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    args: PoolUpdateArgs,
) -> Instruction {
    let accounts = acc::PoolUpdate {
        authority: *authority,
        pool: *pool,
    };
    ix(program_id, accounts, ixd::PoolUpdate { args })
}

/// `pool_pause`.
pub fn pool_pause(program_id: &Pubkey, authority: &Pubkey, pool: &Pubkey) -> Instruction {
    let accounts = acc::PoolPause {
        authority: *authority,
        pool: *pool,
    };
    ix(program_id, accounts, ixd::PoolPause {})
}

/// The claim window clients give a new pool unless told otherwise: a year.
pub const DEFAULT_CLAIM_WINDOW: i64 = 365 * 24 * 60 * 60;

/// `pool_wind_down`: no new contributions or offers; the pool's claim window starts.
pub fn pool_wind_down(program_id: &Pubkey, authority: &Pubkey, pool: &Pubkey) -> Instruction {
    let accounts = acc::PoolWindDown {
        authority: *authority,
        pool: *pool,
    };
    ix(program_id, accounts, ixd::PoolWindDown {})
}

/// `pool_close` after the claim window: what is left in the vaults goes to `destination`; the
/// pool's and its vaults' rent to `payer` (the pool's rent payer); `registry` lists every
/// attestor and custodian record of the pool with its rent payer, closed with it.
pub fn pool_close(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    payer: &Pubkey,
    tokens: &PoolTokens,
    destination: &Pubkey,
    registry: &[(Pubkey, Pubkey)],
) -> Instruction {
    let accounts = acc::PoolClose {
        authority: *authority,
        pool: *pool,
        payer: *payer,
        vault: tokens.vault,
        fee_vault: tokens.fee_vault,
        mint: tokens.mint,
        destination: *destination,
        token_program: tokens.token_program,
    };
    let mut i = ix(program_id, accounts, ixd::PoolClose {});
    for (record, record_payer) in registry {
        i.accounts.push(AccountMeta::new(*record, false));
        i.accounts.push(AccountMeta::new(*record_payer, false));
    }
    i
}

/// `pool_unpause`.
pub fn pool_unpause(program_id: &Pubkey, authority: &Pubkey, pool: &Pubkey) -> Instruction {
    let accounts = acc::PoolPause {
        authority: *authority,
        pool: *pool,
    };
    ix(program_id, accounts, ixd::PoolUnpause {})
}

/// `authority_propose`.
pub fn authority_propose(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    new_authority: &Pubkey,
) -> Instruction {
    let accounts = acc::AuthorityPropose {
        authority: *authority,
        pool: *pool,
    };
    ix(
        program_id,
        accounts,
        ixd::AuthorityPropose {
            new_authority: *new_authority,
        },
    )
}

/// `authority_accept`.
pub fn authority_accept(program_id: &Pubkey, new_authority: &Pubkey, pool: &Pubkey) -> Instruction {
    let accounts = acc::AuthorityAccept {
        new_authority: *new_authority,
        pool: *pool,
    };
    ix(program_id, accounts, ixd::AuthorityAccept {})
}

/// `attestor_add` for the attestor signing key `key`.
pub fn attestor_add(
    program_id: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    key: &Pubkey,
) -> Instruction {
    let accounts = acc::AttestorAdd {
        payer: *payer,
        authority: *authority,
        pool: *pool,
        attestor: find_attestor_pda(program_id, pool, key).0,
        system_program: system_program::ID,
    };
    ix(program_id, accounts, ixd::AttestorAdd { key: *key })
}

/// `attestor_remove` for the attestor signing key `key`.
pub fn attestor_remove(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    key: &Pubkey,
) -> Instruction {
    let accounts = acc::AttestorRemove {
        authority: *authority,
        pool: *pool,
        attestor: find_attestor_pda(program_id, pool, key).0,
    };
    ix(program_id, accounts, ixd::AttestorRemove {})
}

/// `custodian_add` for the custodian signing key `key`.
pub fn custodian_add(
    program_id: &Pubkey,
    payer: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    key: &Pubkey,
) -> Instruction {
    let accounts = acc::CustodianAdd {
        payer: *payer,
        authority: *authority,
        pool: *pool,
        custodian: find_custodian_pda(program_id, pool, key).0,
        system_program: system_program::ID,
    };
    ix(program_id, accounts, ixd::CustodianAdd { key: *key })
}

/// `custodian_remove` for the custodian signing key `key`.
pub fn custodian_remove(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    key: &Pubkey,
) -> Instruction {
    let accounts = acc::CustodianRemove {
        authority: *authority,
        pool: *pool,
        custodian: find_custodian_pda(program_id, pool, key).0,
    };
    ix(program_id, accounts, ixd::CustodianRemove {})
}

/// `contribution_submit`; must follow the attestor's Ed25519 verify instruction.
pub fn contribution_submit(
    program_id: &Pubkey,
    payer: &Pubkey,
    wallet: &Pubkey,
    pool: &Pubkey,
    attestor_key: &Pubkey,
    args: ContributionSubmitArgs,
) -> Instruction {
    let accounts = acc::ContributionSubmit {
        payer: *payer,
        wallet: *wallet,
        pool: *pool,
        attestor: find_attestor_pda(program_id, pool, attestor_key).0,
        contributor: find_contributor_pda(program_id, pool, &args.identity).0,
        instructions_sysvar: INSTRUCTIONS_SYSVAR_ID,
        system_program: system_program::ID,
    };
    ix(program_id, accounts, ixd::ContributionSubmit { args })
}

/// `contributor_leave` of the record of `identity`: its weight leaves the pool and the record
/// closes, its rent to `payer` (the record's rent payer). Precede it with
/// [`payout_claim`] when the record is owed anything.
pub fn contributor_leave(
    program_id: &Pubkey,
    wallet: &Pubkey,
    pool: &Pubkey,
    payer: &Pubkey,
    identity: &[u8; 32],
) -> Instruction {
    let accounts = acc::ContributorLeave {
        wallet: *wallet,
        pool: *pool,
        contributor: find_contributor_pda(program_id, pool, identity).0,
        payer: *payer,
    };
    ix(
        program_id,
        accounts,
        ixd::ContributorLeave {
            identity: *identity,
        },
    )
}

/// `contributor_reap` of the record of `identity` after the claim window, signed by anyone
/// (`closer`): rent to `rent_to` (the record's payer, or the incinerator for an invalidated
/// record).
pub fn contributor_reap(
    program_id: &Pubkey,
    closer: &Pubkey,
    pool: &Pubkey,
    rent_to: &Pubkey,
    identity: &[u8; 32],
) -> Instruction {
    let accounts = acc::ContributorReap {
        closer: *closer,
        pool: *pool,
        contributor: find_contributor_pda(program_id, pool, identity).0,
        rent_to: *rent_to,
    };
    ix(
        program_id,
        accounts,
        ixd::ContributorReap {
            identity: *identity,
        },
    )
}

/// `contribution_invalidate` of the contribution of `identity`, which `attestor_key` attested.
pub fn contribution_invalidate(
    program_id: &Pubkey,
    invalidator: &Pubkey,
    pool: &Pubkey,
    identity: &[u8; 32],
    attestor_key: &Pubkey,
) -> Instruction {
    let accounts = acc::ContributionInvalidate {
        invalidator: *invalidator,
        pool: *pool,
        contributor: find_contributor_pda(program_id, pool, identity).0,
        attestor: find_attestor_pda(program_id, pool, attestor_key).0,
    };
    ix(
        program_id,
        accounts,
        ixd::ContributionInvalidate {
            identity: *identity,
        },
    )
}

/// Token accounts and programs an offer settles with.
#[derive(Clone, Copy, Debug)]
pub struct PoolTokens {
    /// Payout mint.
    pub mint: Pubkey,
    /// Its token program.
    pub token_program: Pubkey,
    /// The pool's reward vault.
    pub vault: Pubkey,
    /// The pool's fee vault.
    pub fee_vault: Pubkey,
}

impl PoolTokens {
    /// The token accounts a pool settles with, as its record names them.
    pub fn of(pool: &data_pool::state::Pool) -> Self {
        PoolTokens {
            mint: pool.mint,
            token_program: pool.token_program,
            vault: pool.vault,
            fee_vault: pool.fee_vault,
        }
    }
}

/// `offer_create` at offer index `args.index` (the pool's current `offer_count`).
#[allow(clippy::too_many_arguments)]
pub fn offer_create(
    program_id: &Pubkey,
    payer: &Pubkey,
    buyer: &Pubkey,
    pool: &Pubkey,
    tokens: &PoolTokens,
    buyer_token: &Pubkey,
    refund_account: &Pubkey,
    args: OfferCreateArgs,
) -> Instruction {
    let offer = find_offer_pda(program_id, pool, args.index).0;
    let accounts = acc::OfferCreate {
        payer: *payer,
        buyer: *buyer,
        pool: *pool,
        offer,
        escrow: find_escrow_pda(program_id, &offer).0,
        mint: tokens.mint,
        buyer_token: *buyer_token,
        refund_account: *refund_account,
        token_program: tokens.token_program,
        system_program: system_program::ID,
    };
    ix(program_id, accounts, ixd::OfferCreate { args })
}

/// `offer_vote` with the contributor record `record` of `voter`: sets the record's bit in the
/// offer's vote bitmap. It creates no account, so a relayer only pays the transaction fee (as
/// its fee payer).
pub fn offer_vote(
    program_id: &Pubkey,
    voter: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    record: &Pubkey,
    approve: bool,
) -> Instruction {
    let accounts = acc::OfferVote {
        voter: *voter,
        pool: *pool,
        offer: *offer,
        contributor: *record,
    };
    ix(program_id, accounts, ixd::OfferVote { approve })
}

/// `offer_finalize`; `payer` is the offer's rent payer (`Offer::payer`), who gets the escrow's
/// rent back when the offer settles.
pub fn offer_finalize(
    program_id: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    tokens: &PoolTokens,
    refund_account: &Pubkey,
    payer: &Pubkey,
) -> Instruction {
    let accounts = acc::OfferFinalize {
        pool: *pool,
        offer: *offer,
        escrow: find_escrow_pda(program_id, offer).0,
        mint: tokens.mint,
        refund_account: *refund_account,
        payer: *payer,
        token_program: tokens.token_program,
    };
    ix(program_id, accounts, ixd::OfferFinalize {})
}

/// `offer_deliver` signed by the custodian key `custodian`, recording `receipt`; `payer` is the
/// offer's rent payer (`Offer::payer`).
pub fn offer_deliver(
    program_id: &Pubkey,
    custodian: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    tokens: &PoolTokens,
    payer: &Pubkey,
    receipt: DeliveryReceipt,
) -> Instruction {
    let accounts = acc::OfferDeliver {
        custodian_key: *custodian,
        custodian: find_custodian_pda(program_id, pool, custodian).0,
        pool: *pool,
        offer: *offer,
        escrow: find_escrow_pda(program_id, offer).0,
        mint: tokens.mint,
        vault: tokens.vault,
        fee_vault: tokens.fee_vault,
        payer: *payer,
        token_program: tokens.token_program,
    };
    ix(program_id, accounts, ixd::OfferDeliver { receipt })
}

/// Who settles an offer's escrow: the buyer (signs), the offer's rent payer (`Offer::payer`, gets
/// the escrow's rent back) and the buyer's token account that receives the price.
#[derive(Debug, Clone, Copy)]
pub struct Refund {
    /// The buyer.
    pub buyer: Pubkey,
    /// The offer's rent payer.
    pub payer: Pubkey,
    /// A token account of the payout mint the buyer owns.
    pub destination: Pubkey,
}

fn offer_refund_accounts(
    program_id: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    tokens: &PoolTokens,
    refund: &Refund,
) -> acc::OfferRefund {
    acc::OfferRefund {
        buyer: refund.buyer,
        pool: *pool,
        offer: *offer,
        payer: refund.payer,
        escrow: find_escrow_pda(program_id, offer).0,
        mint: tokens.mint,
        destination: refund.destination,
        token_program: tokens.token_program,
    }
}

/// `offer_refund`, signed by `refund.buyer`.
pub fn offer_refund(
    program_id: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    tokens: &PoolTokens,
    refund: &Refund,
) -> Instruction {
    let accounts = offer_refund_accounts(program_id, pool, offer, tokens, refund);
    ix(program_id, accounts, ixd::OfferRefund {})
}

/// `offer_cancel`, signed by `refund.buyer`.
pub fn offer_cancel(
    program_id: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    tokens: &PoolTokens,
    refund: &Refund,
) -> Instruction {
    let accounts = offer_refund_accounts(program_id, pool, offer, tokens, refund);
    ix(program_id, accounts, ixd::OfferCancel {})
}

/// `offer_close` of an offer that ended without a sale; `payer` is its rent payer
/// (`Offer::payer`).
pub fn offer_close(
    program_id: &Pubkey,
    pool: &Pubkey,
    offer: &Pubkey,
    payer: &Pubkey,
) -> Instruction {
    let accounts = acc::OfferClose {
        pool: *pool,
        offer: *offer,
        payer: *payer,
    };
    ix(program_id, accounts, ixd::OfferClose {})
}

/// `payout_claim` of what the contributor record `record` is owed, to `destination` (a token
/// account of the mint the wallet owns).
pub fn payout_claim(
    program_id: &Pubkey,
    wallet: &Pubkey,
    pool: &Pubkey,
    record: &Pubkey,
    tokens: &PoolTokens,
    destination: &Pubkey,
) -> Instruction {
    let accounts = acc::PayoutClaim {
        wallet: *wallet,
        pool: *pool,
        contributor: *record,
        vault: tokens.vault,
        mint: tokens.mint,
        destination: *destination,
        token_program: tokens.token_program,
    };
    ix(program_id, accounts, ixd::PayoutClaim {})
}

/// `fees_withdraw`: `amount` of the pool's fees (`None`: all) to `destination`.
pub fn fees_withdraw(
    program_id: &Pubkey,
    authority: &Pubkey,
    pool: &Pubkey,
    tokens: &PoolTokens,
    destination: &Pubkey,
    amount: Option<u64>,
) -> Instruction {
    let accounts = acc::FeesWithdraw {
        authority: *authority,
        pool: *pool,
        fee_vault: tokens.fee_vault,
        mint: tokens.mint,
        destination: *destination,
        token_program: tokens.token_program,
    };
    ix(program_id, accounts, ixd::FeesWithdraw { amount })
}
