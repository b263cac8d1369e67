//! The test chain: a LiteSVM with the built program, funded wallets, token helpers, and
//! failures decoded for assertions.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::program_pack::Pack;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use data_pool::error::DataPoolError;
use litesvm::LiteSVM;
use solana_clock::Clock;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

use crate::*;

/// A failed transaction: the error, the program logs and the compute units it consumed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The transaction error.
    pub err: TransactionError,
    /// Program logs.
    pub logs: Vec<String>,
    /// Compute units consumed before it failed.
    pub compute_units: u64,
}

impl Failure {
    /// Index of the instruction that failed, if the error names one.
    pub fn instruction_index(&self) -> Option<u8> {
        match &self.err {
            TransactionError::InstructionError(i, _) => Some(*i),
            _ => None,
        }
    }

    /// The custom program error code, if the failure is one.
    pub fn custom_code(&self) -> Option<u32> {
        match &self.err {
            TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
            _ => None,
        }
    }
}

/// The code Anchor gives a `DataPoolError`.
pub fn dp_code(e: DataPoolError) -> u32 {
    e as u32 + anchor_lang::error::ERROR_CODE_OFFSET
}

/// Asserts that `res` failed with the program error `e` (and that its name is in the logs).
#[track_caller]
pub fn assert_dp_err<T: std::fmt::Debug>(res: Result<T, Failure>, e: DataPoolError) {
    let name = format!("{e:?}");
    match res {
        Ok(v) => panic!("expected {name}, but the transaction succeeded: {v:?}"),
        Err(f) => {
            assert_eq!(
                f.custom_code(),
                Some(dp_code(e)),
                "expected {name}, got {:?}\nlogs:\n{}",
                f.err,
                f.logs.join("\n")
            );
            assert!(
                f.logs
                    .iter()
                    .any(|l| l.contains(&format!("Error Code: {name}"))),
                "error name {name} missing from logs:\n{}",
                f.logs.join("\n")
            );
        }
    }
}

/// Asserts that `res` failed with the Anchor framework error `e`.
#[track_caller]
pub fn assert_anchor_err<T: std::fmt::Debug>(
    res: Result<T, Failure>,
    e: anchor_lang::error::ErrorCode,
) {
    match res {
        Ok(v) => panic!("expected {e:?}, but the transaction succeeded: {v:?}"),
        Err(f) => assert_eq!(
            f.custom_code(),
            Some(e as u32),
            "expected {e:?}, got {:?}\nlogs:\n{}",
            f.err,
            f.logs.join("\n")
        ),
    }
}

/// Asserts that `res` failed, whatever the reason (for failures the runtime reports).
#[track_caller]
pub fn assert_fails<T: std::fmt::Debug>(res: Result<T, Failure>) -> Failure {
    match res {
        Ok(v) => panic!("expected a failure, but the transaction succeeded: {v:?}"),
        Err(f) => f,
    }
}

/// A LiteSVM with the data-pool program loaded.
pub struct Env {
    /// The VM.
    pub svm: LiteSVM,
    /// Pays fees and rent unless a test says otherwise.
    pub payer: Keypair,
    /// Logs of the last transaction sent.
    pub last_logs: Vec<String>,
}

impl Default for Env {
    fn default() -> Self {
        Self::new()
    }
}

impl Env {
    /// A fresh VM with the built program at its id and the clock at [`START_TIME`].
    pub fn new() -> Self {
        let mut svm = LiteSVM::new();
        let path = program_path();
        assert!(
            path.exists(),
            "{} is missing: build the program first with scripts/build-sbf.sh",
            path.display()
        );
        svm.add_program_from_file(PROGRAM_ID, &path)
            .expect("load data_pool.so");
        let payer = kp("payer", 0);
        svm.airdrop(&payer.pubkey(), 10_000 * SOL).expect("airdrop");
        let mut env = Env {
            svm,
            payer,
            last_logs: vec![],
        };
        env.set_time(START_TIME);
        env
    }

    /// Gives `who` some SOL.
    pub fn fund(&mut self, who: &Pubkey, lamports: u64) {
        self.svm.airdrop(who, lamports).expect("airdrop");
    }

    /// Sends `ixs` signed by `signers`; the first signer pays the fee. Returns compute units.
    pub fn send(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<u64, Failure> {
        self.svm.expire_blockhash();
        let tx = Transaction::new_signed_with_payer(
            ixs,
            Some(&signers[0].pubkey()),
            signers,
            self.svm.latest_blockhash(),
        );
        match self.svm.send_transaction(tx) {
            Ok(meta) => {
                self.last_logs = meta.logs;
                Ok(meta.compute_units_consumed)
            }
            Err(f) => {
                self.last_logs = f.meta.logs.clone();
                Err(Failure {
                    err: f.err,
                    compute_units: f.meta.compute_units_consumed,
                    logs: f.meta.logs,
                })
            }
        }
    }

    /// Sends with the env payer as fee payer plus `signers`.
    pub fn send_paid(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Result<u64, Failure> {
        let payer = self.payer.insecure_clone();
        let mut all: Vec<&Keypair> = vec![&payer];
        all.extend_from_slice(signers);
        self.send(ixs, &all)
    }

    /// The data-pool events of the last transaction sent.
    pub fn last_events(&self) -> Vec<data_pool_client::events::DataPoolEvent> {
        data_pool_client::events::events_from_logs(&PROGRAM_ID, &self.last_logs)
    }

    /// The cluster time.
    pub fn now(&self) -> i64 {
        self.svm.get_sysvar::<Clock>().unix_timestamp
    }

    /// Sets the cluster time.
    pub fn set_time(&mut self, t: i64) {
        let mut c = self.svm.get_sysvar::<Clock>();
        c.unix_timestamp = t;
        c.slot = c.slot.max(1);
        self.svm.set_sysvar(&c);
    }

    /// Moves the clock forward.
    pub fn warp(&mut self, secs: i64) {
        let t = self.now() + secs;
        self.set_time(t);
    }

    /// Decodes a program account, if it exists.
    pub fn get<T: AccountDeserialize>(&self, addr: &Pubkey) -> Option<T> {
        let a = self.svm.get_account(addr)?;
        if a.data.is_empty() {
            return None;
        }
        Some(T::try_deserialize(&mut a.data.as_slice()).expect("decode account"))
    }

    /// Whether an account exists (has lamports).
    pub fn exists(&self, addr: &Pubkey) -> bool {
        self.svm.get_account(addr).is_some_and(|a| a.lamports > 0)
    }

    /// Lamports of an account.
    pub fn lamports(&self, addr: &Pubkey) -> u64 {
        self.svm.get_account(addr).map_or(0, |a| a.lamports)
    }

    /// Token balance of a token account, if it exists.
    pub fn token_amount(&self, addr: &Pubkey) -> Option<u64> {
        let a = self.svm.get_account(addr)?;
        if a.lamports == 0 || a.data.is_empty() {
            return None;
        }
        let s = StateWithExtensions::<spl_token_2022::state::Account>::unpack(&a.data).ok()?;
        Some(s.base.amount)
    }

    /// The base state of a token account (mint, owner, amount, state), if it exists.
    pub fn token_account(&self, addr: &Pubkey) -> Option<spl_token_2022::state::Account> {
        let a = self.svm.get_account(addr)?;
        StateWithExtensions::<spl_token_2022::state::Account>::unpack(&a.data)
            .ok()
            .map(|s| s.base)
    }

    /// Token balance, 0 when the account does not exist.
    pub fn balance(&self, addr: &Pubkey) -> u64 {
        self.token_amount(addr).unwrap_or(0)
    }

    /// Creates a mint of `token_program` with the given Token-2022 extensions initialised.
    pub fn create_mint(
        &mut self,
        token_program: &Pubkey,
        authority: &Pubkey,
        decimals: u8,
        extensions: &[ExtensionType],
    ) -> Pubkey {
        let mint = Keypair::new();
        self.create_mint_at(
            &mint,
            token_program,
            authority,
            decimals,
            extensions,
            Some(authority),
        )
    }

    /// [`Env::create_mint`] at the address of `mint`; a `MintCloseAuthority` extension gets
    /// `close_authority` (`None`: the extension is there, with no authority).
    pub fn create_mint_at(
        &mut self,
        mint: &Keypair,
        token_program: &Pubkey,
        authority: &Pubkey,
        decimals: u8,
        extensions: &[ExtensionType],
        close_authority: Option<&Pubkey>,
    ) -> Pubkey {
        use spl_token_2022::extension::{
            confidential_transfer, default_account_state, pausable, transfer_fee, transfer_hook,
        };
        let space = if extensions.is_empty() {
            spl_token_2022::state::Mint::LEN
        } else {
            ExtensionType::try_calculate_account_len::<spl_token_2022::state::Mint>(extensions)
                .expect("mint size")
        };
        let lamports = self.svm.minimum_balance_for_rent_exemption(space);
        let m = mint.pubkey();
        let mut ixs = vec![system_instruction::create_account(
            &self.payer.pubkey(),
            &m,
            lamports,
            space as u64,
            token_program,
        )];
        for ext in extensions {
            let ix = match ext {
                ExtensionType::PermanentDelegate => {
                    spl_token_2022::instruction::initialize_permanent_delegate(
                        token_program,
                        &m,
                        authority,
                    )
                }
                ExtensionType::TransferFeeConfig => {
                    transfer_fee::instruction::initialize_transfer_fee_config(
                        token_program,
                        &m,
                        Some(authority),
                        Some(authority),
                        100,
                        1_000_000,
                    )
                }
                ExtensionType::TransferHook => transfer_hook::instruction::initialize(
                    token_program,
                    &m,
                    Some(*authority),
                    Some(Pubkey::new_unique()),
                ),
                ExtensionType::NonTransferable => {
                    spl_token_2022::instruction::initialize_non_transferable_mint(token_program, &m)
                }
                ExtensionType::DefaultAccountState => {
                    default_account_state::instruction::initialize_default_account_state(
                        token_program,
                        &m,
                        &spl_token_2022::state::AccountState::Frozen,
                    )
                }
                ExtensionType::Pausable => {
                    pausable::instruction::initialize(token_program, &m, authority)
                }
                ExtensionType::ConfidentialTransferMint => {
                    confidential_transfer::instruction::initialize_mint(
                        token_program,
                        &m,
                        Some(*authority),
                        true,
                        None,
                    )
                }
                ExtensionType::MintCloseAuthority => {
                    spl_token_2022::instruction::initialize_mint_close_authority(
                        token_program,
                        &m,
                        close_authority,
                    )
                }
                other => panic!("test harness cannot initialise {other:?}"),
            };
            ixs.push(ix.expect("extension ix"));
        }
        ixs.push(
            spl_token_2022::instruction::initialize_mint2(
                token_program,
                &m,
                authority,
                Some(authority),
                decimals,
            )
            .expect("init mint"),
        );
        let payer = self.payer.insecure_clone();
        self.send(&ixs, &[&payer, mint]).expect("create mint");
        m
    }

    /// Creates a plain token account of `mint` owned by `owner`.
    pub fn create_token_account(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        owner: &Pubkey,
    ) -> Pubkey {
        self.create_token_account_with(token_program, mint, owner, &[])
    }

    /// [`Env::create_token_account`] with room for the Token-2022 account `extensions` (which
    /// the owner then configures, e.g. `MemoTransfer`).
    pub fn create_token_account_with(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        owner: &Pubkey,
        extensions: &[ExtensionType],
    ) -> Pubkey {
        let acct = Keypair::new();
        let mint_data = self.svm.get_account(mint).expect("mint").data;
        let mint_exts = StateWithExtensions::<spl_token_2022::state::Mint>::unpack(&mint_data)
            .expect("mint")
            .get_extension_types()
            .expect("exts");
        let space = if *token_program == TOKEN {
            spl_token_2022::state::Account::LEN
        } else {
            let mut needed = ExtensionType::get_required_init_account_extensions(&mint_exts);
            needed.extend_from_slice(extensions);
            ExtensionType::try_calculate_account_len::<spl_token_2022::state::Account>(&needed)
                .expect("account size")
        };
        let lamports = self.svm.minimum_balance_for_rent_exemption(space);
        let ixs = [
            system_instruction::create_account(
                &self.payer.pubkey(),
                &acct.pubkey(),
                lamports,
                space as u64,
                token_program,
            ),
            spl_token_2022::instruction::initialize_account3(
                token_program,
                &acct.pubkey(),
                mint,
                owner,
            )
            .expect("init account"),
        ];
        let payer = self.payer.insecure_clone();
        self.send(&ixs, &[&payer, &acct])
            .expect("create token account");
        acct.pubkey()
    }

    /// Mints `amount` to `to`.
    pub fn mint_to(
        &mut self,
        token_program: &Pubkey,
        mint: &Pubkey,
        authority: &Keypair,
        to: &Pubkey,
        amount: u64,
        decimals: u8,
    ) {
        let ix = spl_token_2022::instruction::mint_to_checked(
            token_program,
            mint,
            to,
            &authority.pubkey(),
            &[],
            amount,
            decimals,
        )
        .expect("mint_to");
        self.send_paid(&[ix], &[authority]).expect("mint_to");
    }
}
