//! [`Chain`] in this process: LiteSVM running the real built `data_pool.so`. No validator, instant
//! confirmation, a clock that can be moved. Used by `datapool demo` and the fast CLI tests.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anchor_lang::prelude::Pubkey;
use litesvm::LiteSVM;
use solana_account::Account;
use solana_clock::Clock;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::Transaction;

use super::{AccountFilter, Chain, ChainError, Landed, SignatureInfo, Simulation};

/// Blocks a blockhash stays valid for (as on a real cluster).
const BLOCKHASH_VALIDITY: u64 = 150;

/// An in-process chain with the data_pool program loaded.
pub struct EmbeddedChain {
    svm: Mutex<LiteSVM>,
    /// Every transaction that landed, in order: what `getSignaturesForAddress` answers from.
    ledger: Mutex<Vec<LedgerEntry>>,
}

struct LedgerEntry {
    signature: Signature,
    keys: Vec<Pubkey>,
    slot: u64,
    time: i64,
    failed: bool,
}

/// Where to look for the built program when none is named: `$DATAPOOL_PROGRAM_SO`,
/// `target/deploy/data_pool.so` under the current directory and its parents, then next to the
/// running executable (`target/<profile>/../deploy`).
pub fn find_program_so() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DATAPOOL_PROGRAM_SO") {
        return Some(PathBuf::from(p));
    }
    let rel = Path::new("target/deploy/data_pool.so");
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            let p = dir.join(rel);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .skip(1)
        .map(|d| d.join("deploy/data_pool.so"))
        .find(|p| p.is_file())
}

impl EmbeddedChain {
    /// A fresh chain with `so` loaded at `program_id` and the clock at the wall clock's time.
    pub fn new(program_id: &Pubkey, so: &Path) -> Result<Self, ChainError> {
        let what = format!("the program from {}", so.display());
        let bytes = std::fs::read(so).map_err(|e| {
            ChainError::Setup(format!(
                "cannot load {what}: {e} (build it with scripts/build-sbf.sh)"
            ))
        })?;
        Self::loaded(program_id, &bytes, &what)
    }

    /// A fresh chain with the program `bytes` (an SBF `.so`) loaded at `program_id`.
    pub fn with_program_bytes(program_id: &Pubkey, bytes: &[u8]) -> Result<Self, ChainError> {
        Self::loaded(program_id, bytes, "the built-in program")
    }

    /// The chain with `bytes` (named `what` in errors) at `program_id`, its clock set to the wall
    /// clock's time.
    fn loaded(program_id: &Pubkey, bytes: &[u8], what: &str) -> Result<Self, ChainError> {
        let mut svm = LiteSVM::new()
            .with_blockhash_check(false)
            .with_transaction_history(1_000_000);
        svm.add_program(*program_id, bytes).map_err(|e| {
            ChainError::Setup(format!(
                "cannot load {what}: {e} (build it with scripts/build-sbf.sh)"
            ))
        })?;
        let mut clock: Clock = svm.get_sysvar();
        clock.unix_timestamp = crate::units::now_unix();
        svm.set_sysvar(&clock);
        Ok(EmbeddedChain {
            svm: Mutex::new(svm),
            ledger: Mutex::new(Vec::new()),
        })
    }

    /// A fresh chain with the program found by [`find_program_so`].
    pub fn with_default_program(program_id: &Pubkey) -> Result<Self, ChainError> {
        let so = find_program_so().ok_or_else(|| {
            ChainError::Setup(
                "target/deploy/data_pool.so not found: build the program with \
                 scripts/build-sbf.sh or point DATAPOOL_PROGRAM_SO at it"
                    .into(),
            )
        })?;
        Self::new(program_id, &so)
    }

    /// Runs `f` on the VM (tests use this to inspect or corrupt state).
    pub fn with_svm<R>(&self, f: impl FnOnce(&mut LiteSVM) -> R) -> R {
        let mut svm = self.svm.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut svm)
    }
}

impl Chain for EmbeddedChain {
    fn label(&self) -> String {
        "embedded".into()
    }

    fn is_embedded(&self) -> bool {
        true
    }

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self
            .with_svm(|s| s.get_account(address))
            .filter(|a| a.lamports > 0))
    }

    async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ChainError> {
        Ok(self.with_svm(|s| {
            addresses
                .iter()
                .map(|a| s.get_account(a).filter(|a| a.lamports > 0))
                .collect()
        }))
    }

    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        Ok(self.with_svm(|s| {
            s.get_program_accounts(program)
                .into_iter()
                .filter(|(_, a)| a.lamports > 0 && filters.iter().all(|f| f.matches(&a.data)))
                .collect()
        }))
    }

    async fn latest_blockhash(&self) -> Result<(Hash, u64), ChainError> {
        Ok(self.with_svm(|s| {
            let slot = s.get_sysvar::<Clock>().slot;
            (
                s.latest_blockhash(),
                slot.saturating_add(BLOCKHASH_VALIDITY),
            )
        }))
    }

    async fn block_height(&self) -> Result<u64, ChainError> {
        Ok(self.with_svm(|s| s.get_sysvar::<Clock>().slot))
    }

    fn simulation_verifies_signatures(&self) -> bool {
        true
    }

    async fn simulate(&self, tx: &Transaction) -> Result<Simulation, ChainError> {
        Ok(self.with_svm(|s| match s.simulate_transaction(tx.clone()) {
            Ok(info) => Simulation {
                err: None,
                logs: info.meta.logs,
                units_consumed: info.meta.compute_units_consumed,
            },
            Err(f) => Simulation {
                err: Some(f.err),
                logs: f.meta.logs,
                units_consumed: f.meta.compute_units_consumed,
            },
        }))
    }

    async fn send(&self, tx: &Transaction) -> Result<Signature, ChainError> {
        let landed = self.with_svm(|s| {
            let at: Clock = s.get_sysvar();
            let result = s.send_transaction(tx.clone());
            // A new blockhash per block keeps identical later transactions distinct.
            s.expire_blockhash();
            let mut clock: Clock = s.get_sysvar();
            clock.slot = clock.slot.saturating_add(1);
            s.set_sysvar(&clock);
            match result {
                Ok(meta) => Ok((meta.signature, false, at)),
                Err(f) if s.get_transaction(&f.meta.signature).is_some() => {
                    Ok((f.meta.signature, true, at))
                }
                Err(f) => Err(ChainError::Rejected(f.err)),
            }
        });
        let (signature, failed, clock) = landed?;
        let mut ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        ledger.push(LedgerEntry {
            signature,
            keys: tx.message.account_keys.clone(),
            slot: clock.slot,
            time: clock.unix_timestamp,
            failed,
        });
        Ok(signature)
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, ChainError> {
        let ledger = self.ledger.lock().unwrap_or_else(|p| p.into_inner());
        let end = match before {
            Some(b) => ledger.iter().position(|e| e.signature == b).unwrap_or(0),
            None => ledger.len(),
        };
        Ok(ledger[..end]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, e)| e.keys.contains(address))
            .take(limit)
            .map(|(i, e)| SignatureInfo {
                signature: e.signature,
                slot: e.slot,
                index: u32::try_from(i).ok(),
                block_time: Some(e.time),
                failed: e.failed,
            })
            .collect())
    }

    async fn status(&self, signature: &Signature) -> Result<Option<Landed>, ChainError> {
        Ok(self.with_svm(|s| {
            s.get_transaction(signature).map(|r| match r {
                Ok(meta) => Landed {
                    err: None,
                    logs: Some(meta.logs.clone()),
                    units_consumed: Some(meta.compute_units_consumed),
                },
                Err(f) => Landed {
                    err: Some(f.err.clone()),
                    logs: Some(f.meta.logs.clone()),
                    units_consumed: Some(f.meta.compute_units_consumed),
                },
            })
        }))
    }

    async fn transaction_logs(
        &self,
        signature: &Signature,
    ) -> Result<Option<Vec<String>>, ChainError> {
        Ok(self.status(signature).await?.and_then(|l| l.logs))
    }

    async fn rent_exempt_minimum(&self, len: usize) -> Result<u64, ChainError> {
        Ok(self.with_svm(|s| s.minimum_balance_for_rent_exemption(len)))
    }

    async fn unix_time(&self) -> Result<i64, ChainError> {
        Ok(self.with_svm(|s| s.get_sysvar::<Clock>().unix_timestamp))
    }

    async fn balance(&self, address: &Pubkey) -> Result<u64, ChainError> {
        Ok(self.with_svm(|s| s.get_balance(address).unwrap_or(0)))
    }

    async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        self.with_svm(|s| {
            let r = s
                .airdrop(to, lamports)
                .map(|_| ())
                .map_err(|f| ChainError::Rejected(f.err));
            s.expire_blockhash();
            r
        })
    }

    async fn advance_time(&self, seconds: i64) -> Result<(), ChainError> {
        self.with_svm(|s| {
            let mut clock: Clock = s.get_sysvar();
            clock.unix_timestamp = clock.unix_timestamp.saturating_add(seconds);
            clock.slot = clock.slot.saturating_add(seconds.max(0) as u64 * 5 / 2);
            s.set_sysvar(&clock);
        });
        Ok(())
    }
}
