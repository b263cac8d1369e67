//! `pool_close`: the curator closes a wound-down pool once its claim window is over and every
//! record that could close has (contributors left or reaped, unsold offers closed). What is left
//! in the vaults (unclaimed payouts, rounding dust and fees) goes to a token account of the
//! curator's choice; the vaults and the pool close, their rent to whoever paid it; the attestor
//! and custodian records, passed as remaining accounts (each followed by its rent payer), close
//! too. Accepted offers stay: they are the buyers' license records.

use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::error::{CheckedMath, DataPoolError};
use crate::events::PoolClosed;
use crate::state::{Attestor, Custodian, Pool};
use crate::token;

/// Accounts of `pool_close`; remaining accounts: every attestor and custodian record of the pool,
/// each followed by its `payer`.
#[derive(Accounts)]
pub struct PoolClose<'info> {
    /// The curator.
    pub authority: Signer<'info>,
    /// The pool, closed to its rent payer.
    #[account(
        mut,
        has_one = authority @ DataPoolError::Unauthorized,
        has_one = payer @ DataPoolError::NotRentPayer,
        close = payer,
    )]
    pub pool: Box<Account<'info, Pool>>,
    /// Whoever paid the pool's and its vaults' rent.
    /// CHECK: pinned to `pool.payer` by `has_one`; only receives lamports.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The reward vault.
    /// CHECK: address pinned to the pool's vault; the token program checks the transfer.
    #[account(mut, address = pool.vault @ DataPoolError::PoolMismatch)]
    pub vault: UncheckedAccount<'info>,
    /// The fee vault.
    /// CHECK: address pinned to the pool's fee vault; the token program checks the transfer.
    #[account(mut, address = pool.fee_vault @ DataPoolError::PoolMismatch)]
    pub fee_vault: UncheckedAccount<'info>,
    /// The payout mint.
    #[account(address = pool.mint @ DataPoolError::WrongMint)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Any token account of the payout mint: what is left in the vaults goes here.
    #[account(mut, constraint = destination.mint == pool.mint @ DataPoolError::WrongMint)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The pool's token program.
    #[account(address = pool.token_program @ DataPoolError::InvalidTokenProgram)]
    pub token_program: Interface<'info, TokenInterface>,
}

/// Closes one attestor or custodian record of `pool` to `payer` (the payer it names). Returns
/// whether it was an attestor's.
fn close_record(record: &AccountInfo, payer: &AccountInfo, pool: &Pubkey) -> Result<bool> {
    require_keys_eq!(*record.owner, crate::ID, DataPoolError::PoolMismatch);
    let (attestor, record_pool, record_payer) = {
        let data = record.try_borrow_data()?;
        let mut bytes: &[u8] = &data;
        if data.get(..8) == Some(Attestor::DISCRIMINATOR) {
            let a = Attestor::try_deserialize(&mut bytes)?;
            (true, a.pool, a.payer)
        } else if data.get(..8) == Some(Custodian::DISCRIMINATOR) {
            let c = Custodian::try_deserialize(&mut bytes)?;
            (false, c.pool, c.payer)
        } else {
            return Err(ErrorCode::AccountDiscriminatorMismatch.into());
        }
    };
    require_keys_eq!(record_pool, *pool, DataPoolError::PoolMismatch);
    require_keys_eq!(record_payer, *payer.key, DataPoolError::NotRentPayer);
    let lamports = record.lamports();
    **payer.try_borrow_mut_lamports()? = payer.lamports().add_or_overflow(lamports)?;
    **record.try_borrow_mut_lamports()? = 0;
    record.assign(&anchor_lang::system_program::ID);
    record.resize(0)?;
    Ok(attestor)
}

/// Sweeps the vaults, closes them, the registry records and the pool.
pub fn handler<'info>(ctx: Context<'info, PoolClose<'info>>) -> Result<()> {
    let a = &ctx.accounts;
    let pool = &a.pool;
    pool.require_claims_over(Clock::get()?.unix_timestamp)?;
    require!(
        pool.contributor_count == pool.closed_contributor_count
            && pool
                .closed_offer_count
                .checked_add(pool.accepted_offer_count)
                == Some(pool.offer_count),
        DataPoolError::RecordsRemain
    );
    let seeds = pool.signer_seeds();
    let (tp, mint) = (a.token_program.to_account_info(), a.mint.to_account_info());
    let (dest, authority) = (a.destination.to_account_info(), pool.to_account_info());
    let mut swept = [0u64; 2];
    let mut lamports = pool.to_account_info().lamports();
    for (i, vault) in [&a.vault, &a.fee_vault].into_iter().enumerate() {
        swept[i] = token::amount_of(vault)?;
        lamports = lamports.add_or_overflow(vault.lamports())?;
        let decimals = pool.mint_decimals;
        token::transfer(
            &tp,
            vault,
            &mint,
            &dest,
            &authority,
            swept[i],
            decimals,
            &[&seeds],
        )?;
        token::close(&tp, vault, &a.payer, &authority, &[&seeds])?;
    }
    // Lamports move after the token CPIs (the runtime checks balances across each CPI).
    let (mut attestors, mut custodians) = (0u32, 0u32);
    let rest = ctx.remaining_accounts;
    require!(rest.len().is_multiple_of(2), DataPoolError::RecordsRemain);
    for pair in rest.chunks(2) {
        if close_record(&pair[0], &pair[1], &pool.key())? {
            attestors = attestors.add_or_overflow(1)?;
        } else {
            custodians = custodians.add_or_overflow(1)?;
        }
    }
    require!(
        attestors == pool.attestor_records && custodians == pool.custodian_records,
        DataPoolError::RecordsRemain
    );
    emit!(PoolClosed {
        pool: pool.key(),
        swept_rewards: swept[0],
        swept_fees: swept[1],
        destination: a.destination.key(),
        records_closed: attestors.add_or_overflow(custodians)?,
        payer: a.payer.key(),
        lamports,
    });
    Ok(())
}
