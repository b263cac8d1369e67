//! Test harness: loads the built `target/deploy/data_pool.so` into LiteSVM and drives it through
//! the client's instruction builders. Nothing here runs the program natively.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

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
use data_pool::state::{
    Attestor, Contribution, Contributor, Offer, OfferState, Pool as PoolState, Vote,
};
use data_pool_client::attestation::{attestation_message, ed25519_verify_ix};
use data_pool_client::instructions::{self as dix, PoolTokens};
use data_pool_client::pda::*;
use litesvm::LiteSVM;
use solana_clock::Clock;
use solana_instruction_error::InstructionError;
use solana_keypair::Keypair;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

pub use data_pool::ID as PROGRAM_ID;

/// Memoised PDA derivations: invariant checks and snapshots derive thousands of addresses per
/// step, and each `find_program_address` is a bump search.
pub mod cached {
    use std::cell::RefCell;
    use std::collections::HashMap;

    use anchor_lang::prelude::Pubkey;
    use data_pool_client::pda;

    use super::PROGRAM_ID;

    /// (kind, first seed key, second seed bytes) → address.
    type Cache = HashMap<(u8, Pubkey, [u8; 32]), Pubkey>;

    thread_local! {
        static CACHE: RefCell<Cache> = RefCell::new(HashMap::new());
    }

    fn memo(kind: u8, a: &Pubkey, b: [u8; 32], f: impl FnOnce() -> Pubkey) -> Pubkey {
        if let Some(v) = CACHE.with(|c| c.borrow().get(&(kind, *a, b)).copied()) {
            return v;
        }
        let v = f();
        CACHE.with(|c| c.borrow_mut().insert((kind, *a, b), v));
        v
    }

    /// `find_contributor_pda`, memoised.
    pub fn contributor(pool: &Pubkey, wallet: &Pubkey) -> Pubkey {
        memo(0, pool, wallet.to_bytes(), || {
            pda::find_contributor_pda(&PROGRAM_ID, pool, wallet).0
        })
    }
    /// `find_contribution_pda`, memoised.
    pub fn contribution(pool: &Pubkey, hash: &[u8; 32]) -> Pubkey {
        memo(1, pool, *hash, || {
            pda::find_contribution_pda(&PROGRAM_ID, pool, hash).0
        })
    }
    /// `find_attestor_pda`, memoised.
    pub fn attestor(pool: &Pubkey, key: &Pubkey) -> Pubkey {
        memo(2, pool, key.to_bytes(), || {
            pda::find_attestor_pda(&PROGRAM_ID, pool, key).0
        })
    }
    /// `find_escrow_pda`, memoised.
    pub fn escrow(offer: &Pubkey) -> Pubkey {
        memo(3, offer, [0; 32], || {
            pda::find_escrow_pda(&PROGRAM_ID, offer).0
        })
    }
    /// `find_vote_pda`, memoised.
    pub fn vote(offer: &Pubkey, voter: &Pubkey) -> Pubkey {
        memo(4, offer, voter.to_bytes(), || {
            pda::find_vote_pda(&PROGRAM_ID, offer, voter).0
        })
    }
}

pub use data_pool_client;
pub use solana_keypair::Keypair as Kp;
pub use solana_signer::Signer;

/// SPL Token program id.
pub const TOKEN: Pubkey = anchor_spl::token::ID;
/// Token-2022 program id.
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;
/// The cluster time every test starts at.
pub const START_TIME: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
/// Lamports given to every funded wallet.
pub const SOL: u64 = 1_000_000_000;

/// Path of the built program, overridable with `DATA_POOL_SO`.
pub fn program_path() -> PathBuf {
    if let Ok(p) = std::env::var("DATA_POOL_SO") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/data_pool.so")
}

/// A deterministic keypair for `(tag, n)`, so addresses (and bump searches, and so compute units)
/// are the same on every run.
pub fn kp(tag: &str, n: u64) -> Keypair {
    let mut seed = [0u8; 32];
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in tag.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    for (i, chunk) in seed.chunks_mut(8).enumerate() {
        let v = h.rotate_left(i as u32 * 13) ^ (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        chunk.copy_from_slice(&v.to_le_bytes());
    }
    Keypair::new_from_array(seed)
}

/// A deterministic 32-byte data hash.
pub fn hash_of(tag: &str, n: u64) -> [u8; 32] {
    let k = kp(tag, n);
    k.pubkey().to_bytes()
}

/// The seeded generator the demo and the benchmark use too.
pub use data_pool_client::rng::Rng;

/// The number in environment variable `name`, or `default`.
pub fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A failed transaction: the error and the program logs.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The transaction error.
    pub err: TransactionError,
    /// Program logs.
    pub logs: Vec<String>,
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

/// Parameters of a test pool.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Pool name.
    pub name: String,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Fee, bps.
    pub fee_bps: u16,
    /// Quorum, bps.
    pub quorum_bps: u16,
    /// Approval, bps.
    pub approval_bps: u16,
    /// Voting period, seconds.
    pub voting_period: i64,
    /// Minimum offer price.
    pub min_offer_price: u64,
    /// Maximum score.
    pub max_score: u64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            name: "unwrapped".into(),
            token_program: TOKEN,
            decimals: 6,
            fee_bps: 500,
            quorum_bps: 5_000,
            approval_bps: 6_000,
            voting_period: 3 * 24 * 3600,
            min_offer_price: 1_000,
            max_score: 1_000_000,
        }
    }
}

impl PoolConfig {
    /// The create args for this config.
    pub fn args(&self) -> dix::PoolCreateArgs {
        dix::PoolCreateArgs {
            name: self.name.clone(),
            params: self.params(),
        }
    }

    /// The pool parameters of this config.
    pub fn params(&self) -> data_pool::state::PoolParams {
        data_pool::state::PoolParams {
            fee_bps: self.fee_bps,
            quorum_bps: self.quorum_bps,
            approval_bps: self.approval_bps,
            voting_period: self.voting_period,
            min_offer_price: self.min_offer_price,
            max_score: self.max_score,
        }
    }
}

/// A buyer with a funded token account.
pub struct Buyer {
    /// The buyer's wallet.
    pub kp: Keypair,
    /// Its token account of the payout mint (pays and receives refunds).
    pub token: Pubkey,
}

/// A pool in a LiteSVM, with its curator, attestor and bookkeeping of every address it created,
/// so tests can check docs/PROTOCOL.md's invariants over the whole pool.
pub struct World {
    /// The VM.
    pub env: Env,
    /// The config the pool was made with.
    pub cfg: PoolConfig,
    /// The curator.
    pub authority: Keypair,
    /// Mint authority of the payout mint.
    pub mint_authority: Keypair,
    /// The registered attestor.
    pub attestor: Keypair,
    /// The pool address.
    pub pool: Pubkey,
    /// Mint, token program, vault and fee vault.
    pub tokens: PoolTokens,
    /// Contributor wallets ever seen.
    pub wallets: BTreeMap<Pubkey, Keypair>,
    /// Data hashes ever contributed.
    pub data_hashes: Vec<[u8; 32]>,
    /// Offers ever created, in order.
    pub offers: Vec<Pubkey>,
    /// Buyer token accounts by offer.
    pub offer_buyers: BTreeMap<Pubkey, (Pubkey, Pubkey)>,
    /// Votes cast: (offer, voter).
    pub votes: BTreeSet<(Pubkey, Pubkey)>,
    /// Claim destinations by wallet.
    pub claim_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Attestor keys ever registered.
    pub attestor_keys: BTreeSet<Pubkey>,
    /// Total tokens minted into this world.
    pub minted: u64,
    /// Token accounts to include in the conservation check.
    pub token_accounts: BTreeSet<Pubkey>,
    counter: u64,
}

impl World {
    /// A pool with the default config.
    pub fn new() -> Self {
        Self::with_config(PoolConfig::default())
    }

    /// A pool with `cfg`, its attestor registered.
    pub fn with_config(cfg: PoolConfig) -> Self {
        let mut env = Env::new();
        let authority = kp("authority", 0);
        let mint_authority = kp("mint-authority", 0);
        let attestor = kp("attestor", 0);
        env.fund(&authority.pubkey(), 10 * SOL);
        let mint = env.create_mint(
            &cfg.token_program,
            &mint_authority.pubkey(),
            cfg.decimals,
            &[],
        );
        let (pool, _) = find_pool_pda(&PROGRAM_ID, &authority.pubkey(), &cfg.name);
        let tokens = PoolTokens {
            mint,
            token_program: cfg.token_program,
            vault: find_vault_pda(&PROGRAM_ID, &pool).0,
            fee_vault: find_fee_vault_pda(&PROGRAM_ID, &pool).0,
        };
        let mut w = World {
            env,
            cfg: cfg.clone(),
            authority,
            mint_authority,
            attestor,
            pool,
            tokens,
            wallets: BTreeMap::new(),
            data_hashes: vec![],
            offers: vec![],
            offer_buyers: BTreeMap::new(),
            votes: BTreeSet::new(),
            claim_accounts: BTreeMap::new(),
            attestor_keys: BTreeSet::new(),
            minted: 0,
            token_accounts: BTreeSet::new(),
            counter: 0,
        };
        w.token_accounts.insert(w.tokens.fee_vault);
        w.token_accounts.insert(w.tokens.vault);
        let ix = dix::pool_create(
            &PROGRAM_ID,
            &w.env.payer.pubkey(),
            &w.authority.pubkey(),
            &mint,
            &cfg.token_program,
            cfg.args(),
        );
        let a = w.authority.insecure_clone();
        w.env.send_paid(&[ix], &[&a]).expect("pool_create");
        let key = w.attestor.pubkey();
        w.add_attestor(&key).expect("attestor_add");
        w
    }

    /// Registers an attestor key.
    pub fn add_attestor(&mut self, key: &Pubkey) -> Result<u64, Failure> {
        let ix = dix::attestor_add(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &self.authority.pubkey(),
            &self.pool,
            key,
        );
        let a = self.authority.insecure_clone();
        let r = self.env.send_paid(&[ix], &[&a]);
        if r.is_ok() {
            self.attestor_keys.insert(*key);
        }
        r
    }

    /// `pool_update` args: the pool's current parameters with `change` applied.
    pub fn update_args(
        &self,
        change: impl FnOnce(&mut data_pool::state::PoolParams),
    ) -> dix::PoolUpdateArgs {
        let mut params = self.pool_state().params;
        change(&mut params);
        dix::PoolUpdateArgs { params }
    }

    /// The pool account.
    pub fn pool_state(&self) -> PoolState {
        self.env.get(&self.pool).expect("pool")
    }

    /// A contributor record.
    pub fn contributor(&self, wallet: &Pubkey) -> Option<Contributor> {
        self.env.get(&cached::contributor(&self.pool, wallet))
    }

    /// An offer.
    pub fn offer_state(&self, offer: &Pubkey) -> Offer {
        self.env.get(offer).expect("offer")
    }

    /// A new funded wallet, remembered by the world.
    pub fn wallet(&mut self, tag: &str, n: u64) -> Keypair {
        let k = kp(tag, n);
        self.env.fund(&k.pubkey(), SOL);
        self.wallets.insert(k.pubkey(), k.insecure_clone());
        k
    }

    /// A fresh data hash.
    pub fn next_hash(&mut self) -> [u8; 32] {
        self.counter += 1;
        hash_of("data", self.counter)
    }

    /// The Ed25519 verify instruction of `signer` attesting `(wallet, hash, score, expires)` on
    /// this pool and program.
    pub fn attest_ix(
        &self,
        signer: &Keypair,
        wallet: &Pubkey,
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        let msg = attestation_message(&PROGRAM_ID, &self.pool, wallet, hash, score, expires_at);
        let sig = signer.sign_message(&msg);
        let sig: [u8; 64] = sig.as_ref().try_into().expect("64-byte signature");
        ed25519_verify_ix(&signer.pubkey(), &sig, &msg)
    }

    /// The `contribution_submit` instruction (without its attestation).
    pub fn submit_ix(
        &self,
        wallet: &Pubkey,
        attestor_key: &Pubkey,
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        dix::contribution_submit(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            wallet,
            &self.pool,
            attestor_key,
            dix::ContributionSubmitArgs {
                data_hash: *hash,
                score,
                expires_at,
            },
        )
    }

    /// Sends arbitrary instructions for a contribution by `wallet` (to test crafted attestations).
    pub fn send_contribution(
        &mut self,
        ixs: &[Instruction],
        wallet: &Keypair,
        hash: &[u8; 32],
    ) -> Result<u64, Failure> {
        let r = self.env.send_paid(ixs, &[wallet]);
        if r.is_ok() {
            self.wallets
                .insert(wallet.pubkey(), wallet.insecure_clone());
            self.data_hashes.push(*hash);
        }
        r
    }

    /// A well-formed attested contribution of `hash` with `score` by `wallet`.
    pub fn contribute_hash(
        &mut self,
        wallet: &Keypair,
        hash: [u8; 32],
        score: u64,
    ) -> Result<u64, Failure> {
        let expires = self.env.now() + 3600;
        let att = self.attestor.insecure_clone();
        let ixs = [
            self.attest_ix(&att, &wallet.pubkey(), &hash, score, expires),
            self.submit_ix(&wallet.pubkey(), &att.pubkey(), &hash, score, expires),
        ];
        self.send_contribution(&ixs, wallet, &hash)
    }

    /// A well-formed attested contribution of fresh data with `score` by `wallet`.
    pub fn contribute(&mut self, wallet: &Keypair, score: u64) -> Result<u64, Failure> {
        let hash = self.next_hash();
        self.contribute_hash(wallet, hash, score)
    }

    /// A buyer holding `amount` tokens.
    pub fn buyer(&mut self, n: u64, amount: u64) -> Buyer {
        self.buyer_with(n, amount, &[])
    }

    /// [`World::buyer`] whose token account has room for the Token-2022 account `extensions`.
    pub fn buyer_with(&mut self, n: u64, amount: u64, extensions: &[ExtensionType]) -> Buyer {
        let k = kp("buyer", n);
        self.env.fund(&k.pubkey(), SOL);
        let token = self.env.create_token_account_with(
            &self.tokens.token_program,
            &self.tokens.mint,
            &k.pubkey(),
            extensions,
        );
        if amount > 0 {
            self.mint(&token, amount);
        }
        self.token_accounts.insert(token);
        Buyer { kp: k, token }
    }

    /// Mints `amount` into `to`, counting it for conservation.
    pub fn mint(&mut self, to: &Pubkey, amount: u64) {
        let ma = self.mint_authority.insecure_clone();
        let tp = self.tokens.token_program;
        let mint = self.tokens.mint;
        self.env
            .mint_to(&tp, &mint, &ma, to, amount, self.cfg.decimals);
        self.minted += amount;
    }

    /// Creates an offer of `price` by `buyer`; returns the offer address and compute units.
    pub fn offer(&mut self, buyer: &Buyer, price: u64) -> Result<(Pubkey, u64), Failure> {
        let index = self.pool_state().offer_count;
        let args = dix::OfferCreateArgs {
            price,
            terms_hash: [7; 32],
            terms_uri: "https://example.org/terms/unwrapped-v1.json".into(),
        };
        let ix = self.offer_create_ix(&buyer.kp.pubkey(), index, &buyer.token, &buyer.token, args);
        let cu = self.env.send_paid(&[ix], &[&buyer.kp])?;
        let offer = find_offer_pda(&PROGRAM_ID, &self.pool, index).0;
        self.offers.push(offer);
        self.offer_buyers
            .insert(offer, (buyer.kp.pubkey(), buyer.token));
        Ok((offer, cu))
    }

    /// The `offer_create` instruction on this pool, paid by the env payer (to craft bad ones).
    pub fn offer_create_ix(
        &self,
        buyer: &Pubkey,
        index: u64,
        buyer_token: &Pubkey,
        refund_account: &Pubkey,
        args: dix::OfferCreateArgs,
    ) -> Instruction {
        dix::offer_create(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            buyer,
            &self.pool,
            index,
            &self.tokens,
            buyer_token,
            refund_account,
            args,
        )
    }

    /// The owner closes its (empty) token account, which then drops out of the conservation
    /// check.
    pub fn close_token_account(&mut self, owner: &Keypair, account: &Pubkey) {
        let close = spl_token_2022::instruction::close_account(
            &self.tokens.token_program,
            account,
            &owner.pubkey(),
            &owner.pubkey(),
            &[],
        )
        .expect("close_account");
        self.env
            .send_paid(&[close], &[owner])
            .expect("close token account");
        self.token_accounts.remove(account);
    }

    /// `voter` votes on `offer`.
    pub fn vote(&mut self, voter: &Keypair, offer: &Pubkey, approve: bool) -> Result<u64, Failure> {
        let ix = dix::offer_vote(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &voter.pubkey(),
            &self.pool,
            offer,
            approve,
        );
        let r = self.env.send_paid(&[ix], &[voter]);
        if r.is_ok() {
            self.votes.insert((*offer, voter.pubkey()));
        }
        r
    }

    /// Whether `offer` is open and its votes have not decided it yet (votes are accepted).
    pub fn undecided(&self, offer: &Pubkey) -> bool {
        let o = self.offer_state(offer);
        o.state == OfferState::Open && o.outcome(self.env.now()).is_none()
    }

    /// Finalizes `offer` (the env payer cranks it).
    pub fn finalize(&mut self, offer: &Pubkey) -> Result<u64, Failure> {
        let o = self.offer_state(offer);
        let ix = dix::offer_finalize(
            &PROGRAM_ID,
            &self.pool,
            offer,
            &self.tokens,
            &o.refund_account,
            &o.buyer,
        );
        self.env.send_paid(&[ix], &[])
    }

    /// The claim destination of `wallet`, created on first use.
    pub fn claim_account(&mut self, wallet: &Pubkey) -> Pubkey {
        if let Some(a) = self.claim_accounts.get(wallet) {
            return *a;
        }
        let tp = self.tokens.token_program;
        let mint = self.tokens.mint;
        let a = self.env.create_token_account(&tp, &mint, wallet);
        self.claim_accounts.insert(*wallet, a);
        self.token_accounts.insert(a);
        a
    }

    /// `wallet` claims to its claim account.
    pub fn claim(&mut self, wallet: &Keypair) -> Result<u64, Failure> {
        let dest = self.claim_account(&wallet.pubkey());
        let ix = dix::payout_claim(
            &PROGRAM_ID,
            &wallet.pubkey(),
            &self.pool,
            &self.tokens,
            &dest,
        );
        self.env.send_paid(&[ix], &[wallet])
    }

    /// What `wallet` could claim now, computed off-chain from state.
    pub fn entitlement(&self, wallet: &Pubkey) -> u64 {
        let acc = self.pool_state().acc_reward_per_weight;
        self.contributor(wallet)
            .map_or(0, |c| c.entitlement(acc).expect("entitlement"))
    }

    /// The pool as the auditor sees it: every account of the current pool this world created
    /// (contributors, contributions, offers with their escrows and open vote records,
    /// attestors), read from the chain.
    pub fn audit_snapshot(&self) -> data_pool_client::checks::PoolSnapshot {
        let pool = self.pool_state();
        let mut contributors: Vec<(Pubkey, Contributor)> = self
            .wallets
            .keys()
            .filter_map(|w| {
                let k = cached::contributor(&self.pool, w);
                self.env.get::<Contributor>(&k).map(|c| (k, c))
            })
            .collect();
        contributors.sort_by_key(|(_, c)| c.index);
        let contributions = self
            .data_hashes
            .iter()
            .filter_map(|h| {
                let k = cached::contribution(&self.pool, h);
                self.env.get::<Contribution>(&k).map(|c| (k, c))
            })
            .collect();
        let offers: Vec<(Pubkey, Offer)> = self
            .offers
            .iter()
            .map(|k| (*k, self.offer_state(k)))
            .collect();
        let votes = self
            .offers
            .iter()
            .map(|offer| {
                let open = self
                    .votes
                    .range((*offer, Pubkey::default())..)
                    .take_while(|(of, _)| of == offer)
                    .filter_map(|(_, voter)| {
                        let k = cached::vote(offer, voter);
                        self.env.get::<Vote>(&k).map(|v| (k, v))
                    })
                    .collect();
                (*offer, open)
            })
            .collect();
        let attestors = self
            .attestor_keys
            .iter()
            .chain(std::iter::once(&self.attestor.pubkey()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .filter_map(|key| {
                let k = cached::attestor(&self.pool, key);
                self.env.get::<Attestor>(&k).map(|a| (k, a))
            })
            .collect();
        let escrows = self
            .offers
            .iter()
            .map(|o| self.env.token_amount(&cached::escrow(o)))
            .collect();
        data_pool_client::checks::PoolSnapshot {
            address: self.pool,
            vault_amount: self.env.balance(&pool.vault),
            fee_vault_amount: self.env.balance(&pool.fee_vault),
            pool,
            contributors,
            contributions,
            offers,
            votes,
            attestors,
            escrows,
        }
    }

    /// Asserts the invariants of docs/PROTOCOL.md through the auditor's own checker
    /// ([`data_pool_client::checks::check_snapshot`]), the one `datapool audit` runs.
    #[track_caller]
    pub fn check_invariants(&self) {
        let checks = data_pool_client::checks::check_snapshot(&self.audit_snapshot());
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| format!("{}. {}: {} {:?}", c.number, c.name, c.detail, c.findings))
            .collect();
        assert!(
            failed.is_empty(),
            "invariants violated:\n{}",
            failed.join("\n")
        );
    }

    /// Σ of every token account this world knows about, escrows included: must equal `minted`.
    pub fn tokens_in_existence(&self) -> u64 {
        let mut total: u64 = self
            .token_accounts
            .iter()
            .map(|a| self.env.balance(a))
            .sum();
        for offer in &self.offers {
            total += self.env.balance(&cached::escrow(offer));
        }
        total
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// The per-pool half of a [`World`]: swap it in with [`World::swap_side`] to act on a second pool
/// in the same chain (an attacker's pool, for substitution tests).
pub struct PoolSide {
    /// The config of this pool.
    pub cfg: PoolConfig,
    /// Its authority.
    pub authority: Keypair,
    /// Its address.
    pub pool: Pubkey,
    /// Its tokens.
    pub tokens: PoolTokens,
    /// Its contributor wallets.
    pub wallets: BTreeMap<Pubkey, Keypair>,
    /// Its data hashes.
    pub data_hashes: Vec<[u8; 32]>,
    /// Its offers.
    pub offers: Vec<Pubkey>,
    /// Buyers by offer.
    pub offer_buyers: BTreeMap<Pubkey, (Pubkey, Pubkey)>,
    /// Votes cast.
    pub votes: BTreeSet<(Pubkey, Pubkey)>,
    /// Claim accounts.
    pub claim_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Attestor keys.
    pub attestor_keys: BTreeSet<Pubkey>,
}

impl World {
    /// Creates a second pool in the same chain, with the same payout mint and attestor, run by
    /// `authority_tag`'s keypair. Returns its side (swapped out).
    pub fn second_pool(&mut self, name: &str, authority_tag: &str) -> PoolSide {
        let authority = kp(authority_tag, 0);
        self.env.fund(&authority.pubkey(), 10 * SOL);
        let cfg = PoolConfig {
            name: name.into(),
            ..self.cfg.clone()
        };
        let tp = self.tokens.token_program;
        let mint = self.tokens.mint;
        let pool = find_pool_pda(&PROGRAM_ID, &authority.pubkey(), name).0;
        let vault = find_vault_pda(&PROGRAM_ID, &pool).0;
        let fee_vault = find_fee_vault_pda(&PROGRAM_ID, &pool).0;
        self.token_accounts.insert(vault);
        self.token_accounts.insert(fee_vault);
        let ix = dix::pool_create(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &authority.pubkey(),
            &mint,
            &tp,
            cfg.args(),
        );
        self.env
            .send_paid(&[ix], &[&authority])
            .expect("second pool_create");
        let mut side = PoolSide {
            cfg,
            authority,
            pool,
            tokens: PoolTokens {
                mint,
                token_program: tp,
                vault,
                fee_vault,
            },
            wallets: BTreeMap::new(),
            data_hashes: vec![],
            offers: vec![],
            offer_buyers: BTreeMap::new(),
            votes: BTreeSet::new(),
            claim_accounts: BTreeMap::new(),
            attestor_keys: BTreeSet::new(),
        };
        self.swap_side(&mut side);
        let key = self.attestor.pubkey();
        self.add_attestor(&key).expect("second attestor_add");
        self.swap_side(&mut side);
        side
    }

    /// Exchanges the world's current pool with `side`.
    pub fn swap_side(&mut self, side: &mut PoolSide) {
        std::mem::swap(&mut self.cfg, &mut side.cfg);
        std::mem::swap(&mut self.authority, &mut side.authority);
        std::mem::swap(&mut self.pool, &mut side.pool);
        std::mem::swap(&mut self.tokens, &mut side.tokens);
        std::mem::swap(&mut self.wallets, &mut side.wallets);
        std::mem::swap(&mut self.data_hashes, &mut side.data_hashes);
        std::mem::swap(&mut self.offers, &mut side.offers);
        std::mem::swap(&mut self.offer_buyers, &mut side.offer_buyers);
        std::mem::swap(&mut self.votes, &mut side.votes);
        std::mem::swap(&mut self.claim_accounts, &mut side.claim_accounts);
        std::mem::swap(&mut self.attestor_keys, &mut side.attestor_keys);
    }

    /// Sends `ixs`, which must fail; asserts that nothing this world knows changed, and returns
    /// the failure.
    #[track_caller]
    pub fn refused(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Failure {
        let addrs = self.addresses();
        let before = self.snapshot(&addrs);
        let f = assert_fails(self.env.send_paid(ixs, signers));
        assert_eq!(
            before,
            self.snapshot(&addrs),
            "a refused transaction changed state"
        );
        f
    }

    /// Every address this world's current pool involves (program accounts, token accounts,
    /// wallets), for before/after snapshots.
    pub fn addresses(&self) -> BTreeSet<Pubkey> {
        let mut a: BTreeSet<Pubkey> = [
            self.pool,
            self.tokens.vault,
            self.tokens.fee_vault,
            self.tokens.mint,
        ]
        .into_iter()
        .collect();
        a.extend(self.token_accounts.iter().copied());
        for w in self.wallets.keys() {
            a.insert(*w);
            a.insert(cached::contributor(&self.pool, w));
        }
        for h in &self.data_hashes {
            a.insert(cached::contribution(&self.pool, h));
        }
        for k in &self.attestor_keys {
            a.insert(cached::attestor(&self.pool, k));
        }
        for o in &self.offers {
            a.insert(*o);
            a.insert(cached::escrow(o));
            let (buyer, token) = self.offer_buyers[o];
            a.insert(buyer);
            a.insert(token);
        }
        for (o, v) in &self.votes {
            a.insert(cached::vote(o, v));
        }
        a.remove(&self.env.payer.pubkey()); // pays the fees of failed transactions too
        a
    }

    /// The full state of `addresses`.
    pub fn snapshot(
        &self,
        addresses: &BTreeSet<Pubkey>,
    ) -> Vec<(Pubkey, Option<solana_account::Account>)> {
        addresses
            .iter()
            .map(|a| (*a, self.env.svm.get_account(a)))
            .collect()
    }
}

/// The curator's token accounts for fee withdrawals: one good, and one closed, one frozen (by the
/// mint's freeze authority) and one requiring incoming memos, which must never receive anything
/// and must block nothing but their own withdrawal.
pub struct FeeDestinations {
    /// Can receive.
    pub good: Pubkey,
    /// Closed by the curator.
    pub closed: Pubkey,
    /// Frozen by the mint's freeze authority.
    pub frozen: Pubkey,
    /// Requires incoming transfer memos.
    pub memo: Pubkey,
}

impl FeeDestinations {
    /// Creates them for `auth` in `w` (a Token-2022 pool: the memo account needs the extension).
    pub fn new(w: &mut World, auth: &Keypair) -> Self {
        let (tp, mint) = (w.tokens.token_program, w.tokens.mint);
        let good = w.claim_account(&auth.pubkey());
        let closed = w.env.create_token_account(&tp, &mint, &auth.pubkey());
        w.token_accounts.insert(closed);
        w.close_token_account(auth, &closed);
        let frozen = w.env.create_token_account(&tp, &mint, &auth.pubkey());
        w.token_accounts.insert(frozen);
        let ma = w.mint_authority.insecure_clone();
        let freeze =
            spl_token_2022::instruction::freeze_account(&tp, &frozen, &mint, &ma.pubkey(), &[])
                .unwrap();
        w.env.send_paid(&[freeze], &[&ma]).expect("freeze");
        let memo = w.env.create_token_account_with(
            &tp,
            &mint,
            &auth.pubkey(),
            &[ExtensionType::MemoTransfer],
        );
        w.token_accounts.insert(memo);
        let require =
            spl_token_2022::extension::memo_transfer::instruction::enable_required_transfer_memos(
                &tp,
                &memo,
                &auth.pubkey(),
                &[],
            )
            .unwrap();
        w.env.send_paid(&[require], &[auth]).expect("require memos");
        FeeDestinations {
            good,
            closed,
            frozen,
            memo,
        }
    }

    /// All four, the good one first.
    pub fn all(&self) -> [Pubkey; 4] {
        [self.good, self.closed, self.frozen, self.memo]
    }
}

/// Expected error helper for the common "not the right account" Anchor failures.
pub use anchor_lang::error::ErrorCode as AnchorError;
/// Re-exported so tests name errors as `DpErr::X`.
pub use data_pool::error::DataPoolError as DpErr;

/// Compute units of each measured instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// CU of `contribution_submit_new`.
    pub contribution_submit_new: u64,
    /// CU of `contribution_submit_again`.
    pub contribution_submit_again: u64,
    /// CU of `offer_create`.
    pub offer_create: u64,
    /// CU of `offer_vote`.
    pub offer_vote: u64,
    /// CU of `offer_finalize_accept`.
    pub offer_finalize_accept: u64,
    /// CU of `payout_claim`.
    pub payout_claim: u64,
}

/// Measures the instructions in a pool that already has `background` contributors (fixed keys,
/// so the figures repeat exactly).
pub fn measure_instructions(background: u64) -> Figures {
    let mut w = World::new();
    for i in 0..background {
        let k = kp("background", i);
        let hash = hash_of("background-data", i);
        w.contribute_hash(&k, hash, 1 + i % 10).unwrap();
    }
    let probe = w.wallet("probe", 0);
    let max = w.cfg.max_score;
    let contribution_submit_new = w
        .contribute_hash(&probe, hash_of("probe-data", 0), max)
        .unwrap();
    let contribution_submit_again = w
        .contribute_hash(&probe, hash_of("probe-data", 1), max)
        .unwrap();
    let buyer = w.buyer(0, 1_000_000);
    let (offer, offer_create) = w.offer(&buyer, 1_000_000).unwrap();
    let offer_vote = w.vote(&probe, &offer, true).unwrap();
    let offer_finalize_accept = w.finalize(&offer).unwrap();
    assert_eq!(
        w.offer_state(&offer).state,
        data_pool::state::OfferState::Accepted
    );
    let payout_claim = w.claim(&probe).unwrap();
    w.check_invariants();
    Figures {
        contribution_submit_new,
        contribution_submit_again,
        offer_create,
        offer_vote,
        offer_finalize_accept,
        payout_claim,
    }
}

pub mod cli;
pub mod cu;
pub mod sim;
pub mod spotify;
