//! Token movements and payout-mint checks, for SPL Token and Token-2022 alike.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::confidential_transfer::ConfidentialTransferAccount;
use anchor_spl::token_2022::spl_token_2022::extension::memo_transfer::MemoTransfer;
use anchor_spl::token_2022::spl_token_2022::extension::mint_close_authority::MintCloseAuthority;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{Account as SplAccount, AccountState, Mint};
use anchor_spl::token_interface::{self, CloseAccount, TransferChecked};

use crate::error::DataPoolError;

/// Refuses a payout mint whose extensions would let a third party move, withhold or tax pool
/// funds, or that could be closed and recreated at the same address with such extensions (a
/// close authority that is set). SPL Token mints have no extensions and always pass. Checked
/// when the pool is created and again wherever new money enters it (`offer_create`).
pub fn check_payout_mint(mint: &AccountInfo) -> Result<()> {
    let token_2022 = anchor_spl::token_2022::ID;
    if *mint.owner != token_2022 {
        require_keys_eq!(
            *mint.owner,
            anchor_spl::token::ID,
            DataPoolError::InvalidTokenProgram
        );
        return Ok(());
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<Mint>::unpack(&data)?;
    for ext in state.get_extension_types()? {
        let err = match ext {
            ExtensionType::MintCloseAuthority => {
                let close = state.get_extension::<MintCloseAuthority>()?.close_authority;
                if Option::<Pubkey>::from(close).is_none() {
                    continue;
                }
                DataPoolError::MintHasCloseAuthority
            }
            ExtensionType::InterestBearingConfig
            | ExtensionType::MetadataPointer
            | ExtensionType::TokenMetadata
            | ExtensionType::GroupPointer
            | ExtensionType::TokenGroup
            | ExtensionType::GroupMemberPointer
            | ExtensionType::TokenGroupMember
            | ExtensionType::ScaledUiAmount => continue,
            ExtensionType::PermanentDelegate => DataPoolError::MintHasPermanentDelegate,
            ExtensionType::TransferHook => DataPoolError::MintHasTransferHook,
            ExtensionType::TransferFeeConfig => DataPoolError::MintHasTransferFee,
            ExtensionType::NonTransferable => DataPoolError::MintNonTransferable,
            ExtensionType::ConfidentialTransferMint
            | ExtensionType::ConfidentialTransferFeeConfig
            | ExtensionType::ConfidentialMintBurn => DataPoolError::MintHasConfidentialTransfers,
            ExtensionType::DefaultAccountState => DataPoolError::MintHasDefaultAccountState,
            ExtensionType::Pausable => DataPoolError::MintPausable,
            _ => DataPoolError::UnsupportedMintExtension,
        };
        return Err(err.into());
    }
    Ok(())
}

/// Whether `account` can receive a plain `transfer_checked` of `mint` for `owner` right now, from
/// a program that sends no memo: owned by the token program, initialized, not frozen, of the mint,
/// owned by `owner`, and carrying no Token-2022 account extension that refuses such a credit
/// (`MemoTransfer` requiring incoming memos, `ConfidentialTransferAccount` refusing
/// non-confidential credits). The other account extensions do not gate incoming transfers, or
/// exist only on accounts of mints the pool refuses (transfer hook, non-transferable, pausable).
pub fn can_receive(
    account: &AccountInfo,
    token_program: &Pubkey,
    mint: &Pubkey,
    owner: &Pubkey,
) -> bool {
    if account.owner != token_program {
        return false;
    }
    let Ok(data) = account.try_borrow_data() else {
        return false;
    };
    match StateWithExtensions::<SplAccount>::unpack(&data) {
        Ok(s) => {
            let memo_required = s
                .get_extension::<MemoTransfer>()
                .is_ok_and(|m| bool::from(m.require_incoming_transfer_memos));
            let plain_credits_refused = s
                .get_extension::<ConfidentialTransferAccount>()
                .is_ok_and(|c| !bool::from(c.allow_non_confidential_credits));
            s.base.mint == *mint
                && s.base.owner == *owner
                && s.base.state == AccountState::Initialized
                && !memo_required
                && !plain_credits_refused
        }
        Err(_) => false,
    }
}

/// Balance of a token account of either token program.
pub fn amount_of(account: &AccountInfo) -> Result<u64> {
    let data = account.try_borrow_data()?;
    let state = StateWithExtensions::<SplAccount>::unpack(&data)?;
    Ok(state.base.amount)
}

/// Moves `amount` with `transfer_checked`, signed by a PDA when `signer` is given.
#[allow(clippy::too_many_arguments)]
pub fn transfer<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
    signer: &[&[&[u8]]],
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    let accounts = TransferChecked {
        from: from.clone(),
        mint: mint.clone(),
        to: to.clone(),
        authority: authority.clone(),
    };
    let ctx = CpiContext::new_with_signer(*token_program.key, accounts, signer);
    token_interface::transfer_checked(ctx, amount, decimals)
}

/// Closes an emptied PDA-owned token account, rent to `destination`.
pub fn close<'info>(
    token_program: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    signer: &[&[&[u8]]],
) -> Result<()> {
    let accounts = CloseAccount {
        account: account.clone(),
        destination: destination.clone(),
        authority: authority.clone(),
    };
    token_interface::close_account(CpiContext::new_with_signer(
        *token_program.key,
        accounts,
        signer,
    ))
}
