//! Reference points for the benchmark, built like data_pool (same toolchain, same features): what
//! a minimal Anchor instruction costs, so every data-pool figure can be read against the floor.
//! Test-only: never deployed.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

declare_id!("EwDfcMcEf62tJPXQCfPMbaeRaqZ2iCLbi6osCJtYSsaf");

#[program]
pub mod cu_reference {
    use super::*;

    /// Baseline: create a PDA record (`init` with seeds and bump) and emit an event.
    pub fn init_record(ctx: Context<InitRecord>, value: u64) -> Result<()> {
        let r = &mut ctx.accounts.record;
        r.bump = ctx.bumps.record;
        r.owner = ctx.accounts.owner.key();
        r.value = value;
        emit!(RecordCreated {
            owner: r.owner,
            value
        });
        Ok(())
    }

    /// A bare `transfer_checked` CPI through the token interface.
    pub fn transfer(ctx: Context<Transfer>, amount: u64) -> Result<()> {
        let cpi = TransferChecked {
            from: ctx.accounts.from.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            to: ctx.accounts.to.to_account_info(),
            authority: ctx.accounts.authority.to_account_info(),
        };
        let decimals = ctx.accounts.mint.decimals;
        token_interface::transfer_checked(
            CpiContext::new(ctx.accounts.token_program.key(), cpi),
            amount,
            decimals,
        )
    }
}

/// Accounts of `init_record`.
#[derive(Accounts)]
pub struct InitRecord<'info> {
    /// Pays rent.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The record, PDA `["record", owner]`.
    #[account(init, payer = owner, space = 8 + Record::INIT_SPACE, seeds = [b"record", owner.key().as_ref()], bump)]
    pub record: Account<'info, Record>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Accounts of `transfer`.
#[derive(Accounts)]
pub struct Transfer<'info> {
    /// Owner of `from`.
    pub authority: Signer<'info>,
    /// Source.
    #[account(mut)]
    pub from: InterfaceAccount<'info, TokenAccount>,
    /// The mint.
    pub mint: InterfaceAccount<'info, Mint>,
    /// Destination.
    #[account(mut)]
    pub to: InterfaceAccount<'info, TokenAccount>,
    /// SPL Token or Token-2022.
    pub token_program: Interface<'info, TokenInterface>,
}

/// A minimal record.
#[account]
#[derive(InitSpace)]
pub struct Record {
    /// Bump of this PDA.
    pub bump: u8,
    /// Its owner.
    pub owner: Pubkey,
    /// A value.
    pub value: u64,
}

/// Emitted by `init_record`.
#[event]
pub struct RecordCreated {
    /// Owner.
    pub owner: Pubkey,
    /// Value.
    pub value: u64,
}
