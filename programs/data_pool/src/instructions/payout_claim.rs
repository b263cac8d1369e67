//! `payout_claim`: a contributor takes everything owed to a token account it owns.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::MAX_POOL_NAME_LEN;
use crate::error::{CheckedMath, DataPoolError};
use crate::events::PayoutClaimed;
use crate::math;
use crate::state::view::{self, View};
use crate::state::{Contributor, Pool};
use crate::token;

/// Accounts of `payout_claim`. The pool and the contributor record are read and written in place
/// ([`crate::state::view`]); every check `Account<T>` and its constraints made is made in the
/// handler, with the same errors.
#[derive(Accounts)]
pub struct PayoutClaim<'info> {
    /// The contributor's wallet.
    pub wallet: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The contributor record, checked by `View::load::<Contributor>`; its pool and wallet must be
    /// the pool and the signer (`PoolMismatch`, `ContributionMismatch`).
    /// CHECK: as documented above.
    #[account(mut)]
    pub contributor: UncheckedAccount<'info>,
    /// The pool's reward vault.
    /// CHECK: must be the pool's vault (`PoolMismatch`); the token program checks the transfer.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// The payout mint.
    /// CHECK: must be the pool's mint (`WrongMint`); `transfer_checked` checks it and its decimals.
    pub mint: UncheckedAccount<'info>,
    /// A token account of the payout mint owned by the contributor.
    /// CHECK: read by `token::read_account` (mint `WrongMint`, owner `WrongTokenAccountOwner`).
    #[account(mut)]
    pub destination: UncheckedAccount<'info>,
    /// The pool's token program.
    pub token_program: Interface<'info, TokenInterface>,
}

/// What the transfer needs from the pool, copied out so the pool is not borrowed during the CPI.
struct PoolSigner {
    creator: Pubkey,
    name: [u8; MAX_POOL_NAME_LEN],
    name_len: usize,
    bump: u8,
    decimals: u8,
}

/// Settles the contributor and pays the whole base units owed.
pub fn handler(ctx: Context<PayoutClaim>) -> Result<()> {
    use view::{contributor as c_at, pool as p_at};
    crate::cu_mark!();
    let a = &ctx.accounts;
    let wallet = a.wallet.key();
    let pool_key = a.pool.key();

    let (mut pool, mut c) = View::load_pair::<Pool, Contributor>(
        (&a.pool, p_at::HEAD_END, "pool"),
        (&a.contributor, c_at::END, "contributor"),
    )?;
    require!(c.key_is(c_at::POOL, &pool_key), DataPoolError::PoolMismatch);
    require!(
        c.key_is(c_at::WALLET, &wallet),
        DataPoolError::ContributionMismatch
    );
    require!(
        pool.key_is(p_at::VAULT, a.vault.key),
        DataPoolError::PoolMismatch
    );
    view::require_pool_tokens(&pool, a.mint.key, a.token_program.key)?;
    let destination = token::read_account(&a.destination, "destination")?;
    require!(destination.mint == a.mint.key(), DataPoolError::WrongMint);
    require!(
        destination.owner == wallet,
        DataPoolError::WrongTokenAccountOwner
    );
    crate::cu_mark!();

    // Settle, take the whole base units, record the claim (before the transfer).
    let acc = pool.u128(p_at::ACC_REWARD_PER_WEIGHT);
    let owed = math::settle(
        c.u128(c_at::OWED_Q64),
        c.u64(c_at::WEIGHT),
        c.u128(c_at::ACC_CHECKPOINT),
        acc,
    )
    .ok_or(DataPoolError::MathOverflow)?;
    let amount = math::whole_units(owed).ok_or(DataPoolError::MathOverflow)?;
    require!(amount > 0, DataPoolError::NothingToClaim);
    c.set_u128(c_at::ACC_CHECKPOINT, acc);
    c.set_u128(c_at::OWED_Q64, owed.sub_or_overflow(math::to_q64(amount))?);
    let pool_claimed = pool
        .u128(p_at::TOTAL_CLAIMED)
        .add_or_overflow(u128::from(amount))?;
    // The part of `Pool::invariant` this instruction could break.
    Pool::require_claims_covered(
        pool_claimed,
        pool.u128(p_at::TOTAL_FORFEITED),
        pool.u128(p_at::TOTAL_DISTRIBUTED),
    )?;
    pool.set_u128(p_at::TOTAL_CLAIMED, pool_claimed);
    let name = pool.str_bytes(p_at::NAME)?;
    require!(
        name.len() <= MAX_POOL_NAME_LEN,
        DataPoolError::InvariantViolated
    );
    let mut signer = PoolSigner {
        creator: pool.key(p_at::CREATOR),
        name: [0; MAX_POOL_NAME_LEN],
        name_len: name.len(),
        bump: pool.u8(p_at::BUMP),
        decimals: pool.u8(p_at::MINT_DECIMALS),
    };
    signer.name[..signer.name_len].copy_from_slice(name);
    drop((pool, c));
    crate::cu_mark!();

    let seeds = Pool::seeds_of(
        &signer.creator,
        &signer.name[..signer.name_len],
        &signer.bump,
    );
    token::transfer(
        &a.token_program.to_account_info(),
        &a.vault,
        &a.mint,
        &a.destination,
        &a.pool,
        amount,
        signer.decimals,
        &[&seeds],
    )?;
    crate::cu_mark!();
    emit!(PayoutClaimed {
        pool: pool_key,
        contributor: wallet,
        record: a.contributor.key(),
        destination: a.destination.key(),
        amount,
        pool_claimed_total: pool_claimed,
    });
    crate::cu_mark!();
    Ok(())
}
