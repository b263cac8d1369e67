//! Creating program-derived accounts in a handler, for the instructions that create their
//! accounts themselves instead of through Anchor's `init` (see [`crate::state::view`]).

use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};

/// Creates the PDA `account` (signed for by `seeds`, bump included) with `space` bytes owned by
/// `owner`, its rent paid by `payer`. An address someone already sent lamports to is topped up,
/// allocated and assigned instead, so prefunding an address cannot block its creation.
pub fn create<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    system: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?.minimum_balance(space);
    let signer: &[&[&[u8]]] = &[seeds];
    let program = *system.key;
    let current = account.lamports();
    if current == 0 {
        let accounts = CreateAccount {
            from: payer.clone(),
            to: account.clone(),
        };
        return system_program::create_account(
            CpiContext::new_with_signer(program, accounts, signer),
            rent,
            space as u64,
            owner,
        );
    }
    require_keys_neq!(
        *payer.key,
        *account.key,
        ErrorCode::TryingToInitPayerAsProgramAccount
    );
    let top_up = rent.saturating_sub(current);
    if top_up > 0 {
        let accounts = Transfer {
            from: payer.clone(),
            to: account.clone(),
        };
        system_program::transfer(CpiContext::new(program, accounts), top_up)?;
    }
    let accounts = Allocate {
        account_to_allocate: account.clone(),
    };
    system_program::allocate(
        CpiContext::new_with_signer(program, accounts, signer),
        space as u64,
    )?;
    let accounts = Assign {
        account_to_assign: account.clone(),
    };
    system_program::assign(
        CpiContext::new_with_signer(program, accounts, signer),
        owner,
    )
}
