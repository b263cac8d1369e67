//! One interface to a chain, two implementations: [`rpc::RpcChain`] for real clusters and
//! [`embedded::EmbeddedChain`] (LiteSVM in-process, loading the built `data_pool.so`) for the
//! demo and fast tests. Commands are written once against [`Chain`].

#[cfg(feature = "embedded")]
pub mod embedded;
pub mod rpc;

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;

/// A filter of `getProgramAccounts`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountFilter {
    /// Account data at `offset` starts with `bytes`.
    Memcmp {
        /// Byte offset into the account data.
        offset: usize,
        /// Bytes that must be there.
        bytes: Vec<u8>,
    },
    /// Account data is exactly this long.
    DataSize(u64),
}

impl AccountFilter {
    /// Whether `data` passes this filter.
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::Memcmp { offset, bytes } => offset
                .checked_add(bytes.len())
                .and_then(|end| data.get(*offset..end))
                .is_some_and(|s| s == bytes.as_slice()),
            AccountFilter::DataSize(n) => data.len() as u64 == *n,
        }
    }
}

/// What a simulation returned.
#[derive(Clone, Debug, Default)]
pub struct Simulation {
    /// The error, when the transaction would fail.
    pub err: Option<TransactionError>,
    /// Program logs.
    pub logs: Vec<String>,
    /// Compute units consumed.
    pub units_consumed: u64,
}

/// A transaction that landed (at the chain's commitment).
#[derive(Clone, Debug, Default)]
pub struct Landed {
    /// The error, when it landed but failed.
    pub err: Option<TransactionError>,
    /// Program logs, when the chain knows them already.
    pub logs: Option<Vec<String>>,
    /// Compute units consumed, when known.
    pub units_consumed: Option<u64>,
}

/// A transaction that touched an address (from `getSignaturesForAddress`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureInfo {
    /// The transaction's signature.
    pub signature: Signature,
    /// Its slot.
    pub slot: u64,
    /// Its position in the block, when the node says.
    pub index: Option<u32>,
    /// Block time, when known.
    pub block_time: Option<i64>,
    /// Whether it failed (failed transactions change nothing but the fee).
    pub failed: bool,
}

/// Why a chain request failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The node could not be reached or did not answer in time (worth retrying).
    #[error("cannot reach the node at {url}: {detail}")]
    Unreachable {
        /// The node's URL.
        url: String,
        /// What the transport said.
        detail: String,
    },
    /// The node answered with an error.
    #[error("the node at {url} refused the request: {detail}")]
    Rpc {
        /// The node's URL.
        url: String,
        /// The node's message.
        detail: String,
    },
    /// The node refused a transaction before executing it (preflight, duplicate, bad signature…).
    #[error("transaction refused: {0}")]
    Rejected(TransactionError),
    /// Something this chain cannot do (e.g. time travel on a real cluster).
    #[error("{0}")]
    Unsupported(String),
    /// The embedded chain could not start.
    #[error("{0}")]
    Setup(String),
}

impl ChainError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, ChainError::Unreachable { .. })
    }
}

/// A chain the CLI and the demo talk to.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// Where this chain is (`http://…` or `embedded`).
    fn label(&self) -> String;
    /// Whether the chain runs in this process (instant confirmation, time travel).
    fn is_embedded(&self) -> bool;
    /// One account, `None` when it does not exist.
    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ChainError>;
    /// Several accounts in one request (chunked as the node requires).
    async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ChainError>;
    /// Accounts owned by `program` passing every filter.
    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError>;
    /// A recent blockhash and the last block height at which it is valid.
    async fn latest_blockhash(&self) -> Result<(Hash, u64), ChainError>;
    /// The current block height.
    async fn block_height(&self) -> Result<u64, ChainError>;
    /// Whether [`Chain::simulate`] checks signatures (the embedded chain does; a node is asked
    /// not to), so that what is simulated must be signed by every signer.
    fn simulation_verifies_signatures(&self) -> bool {
        false
    }
    /// Runs `tx` without applying it.
    async fn simulate(&self, tx: &Transaction) -> Result<Simulation, ChainError>;
    /// Submits `tx` (no preflight: the caller simulated it).
    async fn send(&self, tx: &Transaction) -> Result<Signature, ChainError>;
    /// Whether `signature` has landed at the chain's commitment.
    async fn status(&self, signature: &Signature) -> Result<Option<Landed>, ChainError>;
    /// The logs of a landed transaction (needs transaction history on the node).
    async fn transaction_logs(
        &self,
        signature: &Signature,
    ) -> Result<Option<Vec<String>>, ChainError>;
    /// Transactions that touched `address`, newest first, at most `limit`, older than `before`.
    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, ChainError>;
    /// Lamports for an account of `len` bytes to be rent exempt.
    async fn rent_exempt_minimum(&self, len: usize) -> Result<u64, ChainError>;
    /// The chain's clock (unix seconds).
    async fn unix_time(&self) -> Result<i64, ChainError>;
    /// Lamports of `address` (0 when it does not exist).
    async fn balance(&self, address: &Pubkey) -> Result<u64, ChainError>;
    /// The cluster's genesis hash (what tells mainnet-beta from a test cluster whatever the
    /// URL); the embedded chain's is the default hash.
    async fn genesis_hash(&self) -> Result<Hash, ChainError> {
        Ok(Hash::default())
    }
    /// Asks the chain's faucet for lamports and waits until they arrive.
    async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), ChainError>;
    /// Moves the clock forward (embedded only).
    async fn advance_time(&self, seconds: i64) -> Result<(), ChainError>;
}
