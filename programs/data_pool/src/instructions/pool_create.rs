//! `pool_create`: a curator opens a pool with its payout mint, reward vault and fee vault.

use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

use crate::constants::{
    LAYOUT_VERSION, MAX_CLAIM_WINDOW, MAX_POOL_NAME_LEN, MIN_CLAIM_WINDOW, SEED_FEE_VAULT,
    SEED_POOL, SEED_VAULT,
};
use crate::error::DataPoolError;
use crate::events::PoolCreated;
use crate::pda;
use crate::state::{Pool, PoolParams};
use crate::token::{self, check_payout_mint};

/// Parameters of a new pool.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PoolCreateArgs {
    /// Pool name, 1 to 32 bytes (part of the pool's address).
    pub name: String,
    /// The pool's parameters.
    pub params: PoolParams,
    /// How long contributors have to claim and leave after the pool is wound down, seconds
    /// (`MIN_CLAIM_WINDOW` to `MAX_CLAIM_WINDOW`); fixed for the pool's life.
    pub claim_window: i64,
}

/// The seed bytes of a pool name: at most 32 bytes, so deriving the address never fails; names
/// that are too long are refused by the handler.
pub fn name_seed(name: &str) -> &[u8] {
    let b = name.as_bytes();
    &b[..b.len().min(MAX_POOL_NAME_LEN)]
}

/// Accounts of `pool_create`.
#[derive(Accounts)]
#[instruction(args: PoolCreateArgs)]
pub struct PoolCreate<'info> {
    /// Pays rent and fees.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The curator.
    pub authority: Signer<'info>,
    /// The new pool.
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Pool::INIT_SPACE,
        seeds = [SEED_POOL, authority.key().as_ref(), name_seed(&args.name)],
        bump,
    )]
    pub pool: Box<Account<'info, Pool>>,
    /// The payout mint, of the token program `token_program`.
    /// CHECK: checked by `token::check_payout_mint` and `token::mint_decimals` in the handler.
    #[account(owner = token_program.key())]
    pub mint: UncheckedAccount<'info>,
    /// The reward vault, owned by the pool.
    /// CHECK: address pinned by the seeds; created by the handler.
    #[account(mut, seeds = [SEED_VAULT, pool.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// The fee vault, owned by the pool: sale fees wait here for `fees_withdraw`.
    /// CHECK: address pinned by the seeds; created by the handler.
    #[account(mut, seeds = [SEED_FEE_VAULT, pool.key().as_ref()], bump)]
    pub fee_vault: UncheckedAccount<'info>,
    /// SPL Token or Token-2022.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Creates the pool after checking the name, the parameters and the payout mint.
pub fn handler(ctx: Context<PoolCreate>, args: PoolCreateArgs) -> Result<()> {
    let a = &mut *ctx.accounts;
    require!(a.pool.version == 0, DataPoolError::PoolAlreadyExists);
    require!(
        !args.name.is_empty() && args.name.len() <= MAX_POOL_NAME_LEN,
        DataPoolError::InvalidPoolName
    );
    args.params.validate()?;
    require!(
        (MIN_CLAIM_WINDOW..=MAX_CLAIM_WINDOW).contains(&args.claim_window),
        DataPoolError::InvalidClaimWindow
    );
    check_payout_mint(&a.mint)?;
    let mint_decimals = token::mint_decimals(&a.mint)?;
    // The two vaults, token accounts of the mint owned by the pool.
    let pool_key = a.pool.key();
    let token_program = a.token_program.to_account_info();
    let system = a.system_program.to_account_info();
    let pool_info = a.pool.to_account_info();
    let space = token::account_len(&a.mint)?;
    for (vault, seed, bump) in [
        (&a.vault, SEED_VAULT, ctx.bumps.vault),
        (&a.fee_vault, SEED_FEE_VAULT, ctx.bumps.fee_vault),
    ] {
        let bump = [bump];
        let seeds: [&[u8]; 3] = [seed, pool_key.as_ref(), &bump];
        pda::create(&a.payer, vault, &system, space, token_program.key, &seeds)?;
        token::initialize_account(&token_program, vault, &a.mint, &pool_info)?;
    }
    let authority = a.authority.key();
    a.pool.set_inner(Pool {
        version: LAYOUT_VERSION,
        bump: ctx.bumps.pool,
        vault_bump: ctx.bumps.vault,
        paused: false,
        mint_decimals,
        creator: authority,
        authority,
        pending_authority: Pubkey::default(),
        name: args.name,
        mint: a.mint.key(),
        token_program: a.token_program.key(),
        vault: a.vault.key(),
        fee_vault: a.fee_vault.key(),
        params: args.params,
        total_weight: 0,
        contributor_count: 0,
        closed_contributor_count: 0,
        active_contribution_count: 0,
        offer_count: 0,
        accepted_offer_count: 0,
        active_attestor_count: 0,
        acc_reward_per_weight: 0,
        total_distributed: 0,
        total_claimed: 0,
        total_fees: 0,
        open_offer_count: 0,
        total_fees_withdrawn: 0,
        fee_vault_bump: ctx.bumps.fee_vault,
        active_custodian_count: 0,
        set_hash: [0; 32],
        closed_offer_count: 0,
        claim_window: args.claim_window,
        wound_down_at: 0,
        attestor_records: 0,
        custodian_records: 0,
        payer: a.payer.key(),
        total_forfeited: 0,
    });
    let pool = &a.pool;
    pool.invariant()?;
    emit!(PoolCreated {
        pool: pool.key(),
        authority,
        name: pool.name.clone(),
        mint: pool.mint,
        token_program: pool.token_program,
        vault: pool.vault,
        fee_vault: pool.fee_vault,
        params: pool.params,
    });
    Ok(())
}
