//! Token movements and payout-mint checks, for SPL Token and Token-2022 alike.

use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::confidential_transfer::ConfidentialTransferAccount;
use anchor_spl::token_2022::spl_token_2022::extension::memo_transfer::MemoTransfer;
use anchor_spl::token_2022::spl_token_2022::extension::mint_close_authority::MintCloseAuthority;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_2022::spl_token_2022::state::{Account as SplAccount, AccountState, Mint};
use anchor_spl::token_interface::{self, CloseAccount, InitializeAccount3, TransferChecked};

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

/// The base fields of a token account that this program reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenAccountHead {
    /// Its mint.
    pub mint: Pubkey,
    /// Its owner.
    pub owner: Pubkey,
    /// Its balance.
    pub amount: u64,
}

/// Length of a token account without extensions (SPL Token's only length).
const BASE_ACCOUNT_LEN: usize = 165;
/// Length of a multisig account, which Token-2022 never gives a token account.
const MULTISIG_LEN: usize = 355;
/// Offset of the account-state byte (0 uninitialized, 1 initialized, 2 frozen).
const STATE_AT: usize = 108;
/// Token-2022's account-type byte after the base (2: an account), present with extensions.
const ACCOUNT_TYPE_ACCOUNT: u8 = 2;

/// Reads the base of a token account of either token program in place, checking what
/// `InterfaceAccount<TokenAccount>` checks, with the same errors and the account's `name`: it
/// exists and is owned by a token program, and it unpacks as an initialized account (a
/// Token-2022 account with extensions carries the account type). Cheaper than a full unpack: the
/// extensions are not walked.
pub fn read_account(account: &AccountInfo, name: &str) -> Result<TokenAccountHead> {
    if account.owner == &anchor_lang::system_program::ID && account.lamports() == 0 {
        return Err(Error::from(ErrorCode::AccountNotInitialized).with_account_name(name));
    }
    if account.owner != &anchor_spl::token::ID && account.owner != &anchor_spl::token_2022::ID {
        return Err(Error::from(ErrorCode::AccountOwnedByWrongProgram)
            .with_account_name(name)
            .with_pubkeys((*account.owner, anchor_spl::token::ID)));
    }
    let data = account.try_borrow_data()?;
    let len = data.len();
    let shaped = len == BASE_ACCOUNT_LEN
        || (len > BASE_ACCOUNT_LEN
            && len != MULTISIG_LEN
            && account.owner == &anchor_spl::token_2022::ID
            && data[BASE_ACCOUNT_LEN] == ACCOUNT_TYPE_ACCOUNT);
    if !shaped {
        return Err(Error::from(ProgramError::InvalidAccountData).with_account_name(name));
    }
    if data[STATE_AT] == 0 {
        return Err(Error::from(ProgramError::UninitializedAccount).with_account_name(name));
    }
    let key = |at: usize| {
        let mut k = [0u8; 32];
        k.copy_from_slice(&data[at..at.saturating_add(32)]);
        Pubkey::new_from_array(k)
    };
    let mut amount = [0u8; 8];
    amount.copy_from_slice(&data[64..72]);
    Ok(TokenAccountHead {
        mint: key(0),
        owner: key(32),
        amount: u64::from_le_bytes(amount),
    })
}

/// Balance of a token account of either token program.
pub fn amount_of(account: &AccountInfo) -> Result<u64> {
    Ok(read_account(account, "token account")?.amount)
}

/// Offset of a mint's `decimals` byte (the same in both token programs).
const MINT_DECIMALS_AT: usize = 44;
/// Offset of a mint's `is_initialized` byte.
const MINT_INITIALIZED_AT: usize = 45;
/// Length of a mint without extensions.
const BASE_MINT_LEN: usize = 82;

/// Decimals of an initialized mint of either token program (its owner is checked by
/// [`check_payout_mint`]).
pub fn mint_decimals(mint: &AccountInfo) -> Result<u8> {
    let data = mint.try_borrow_data()?;
    if data.len() < BASE_MINT_LEN || data[MINT_INITIALIZED_AT] == 0 {
        return Err(Error::from(ProgramError::InvalidAccountData).with_account_name("mint"));
    }
    Ok(data[MINT_DECIMALS_AT])
}

/// Bytes a new token account of `mint` needs: the base, plus the account extensions a
/// Token-2022 mint's own extensions require (none for the mints a pool accepts, but computed
/// rather than assumed).
pub fn account_len(mint: &AccountInfo) -> Result<usize> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(BASE_ACCOUNT_LEN);
    }
    let data = mint.try_borrow_data()?;
    let state = StateWithExtensions::<Mint>::unpack(&data)?;
    let required =
        ExtensionType::get_required_init_account_extensions(&state.get_extension_types()?);
    Ok(ExtensionType::try_calculate_account_len::<SplAccount>(
        &required,
    )?)
}

/// Initializes `account` (already allocated and owned by the token program) as a token account
/// of `mint` owned by `authority`.
pub fn initialize_account<'info>(
    token_program: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
) -> Result<()> {
    let accounts = InitializeAccount3 {
        account: account.clone(),
        mint: mint.clone(),
        authority: authority.clone(),
    };
    token_interface::initialize_account3(CpiContext::new(*token_program.key, accounts))
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
