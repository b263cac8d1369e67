//! Token-program instructions the CLI and the demo need (mints, accounts, associated accounts).

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022;

/// The SPL Token program (test mints are made under it).
pub const TOKEN_PROGRAM_ID: Pubkey = anchor_spl::token::ID;

/// Size of a mint without extensions.
pub const MINT_LEN: usize = spl_token_2022::state::Mint::LEN;

/// The associated token account of `owner` for `mint` under `token_program`.
pub fn associated_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    get_associated_token_address_with_program_id(owner, mint, token_program)
}

/// Creates `owner`'s associated token account for `mint` unless it exists (`payer` pays rent).
pub fn create_associated_idempotent(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Instruction {
    create_associated_token_account_idempotent(payer, owner, mint, token_program)
}

/// Creates and initialises a mint at `mint` (a new keypair's address); `rent` from the chain.
pub fn create_mint(
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
    token_program: &Pubkey,
    rent: u64,
) -> Result<Vec<Instruction>, String> {
    Ok(vec![
        system_instruction::create_account(payer, mint, rent, MINT_LEN as u64, token_program),
        spl_token_2022::instruction::initialize_mint2(
            token_program,
            mint,
            authority,
            None,
            decimals,
        )
        .map_err(|e| e.to_string())?,
    ])
}

/// Mints `amount` base units of `mint` to `to`.
pub fn mint_to(
    token_program: &Pubkey,
    mint: &Pubkey,
    to: &Pubkey,
    authority: &Pubkey,
    amount: u64,
    decimals: u8,
) -> Result<Instruction, String> {
    spl_token_2022::instruction::mint_to_checked(
        token_program,
        mint,
        to,
        authority,
        &[],
        amount,
        decimals,
    )
    .map_err(|e| e.to_string())
}
