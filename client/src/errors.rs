//! Turning a failed transaction into a name, a message and a hint a person can act on.

use std::collections::HashMap;
use std::sync::OnceLock;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022::error::TokenError;
use serde::Serialize;
use solana_instruction_error::InstructionError;
use solana_transaction_error::TransactionError;

/// A decoded transaction failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// Index of the failing instruction among the caller's instructions (compute-budget
    /// instructions added by the sender are not counted).
    pub instruction: Option<usize>,
    /// The program that failed, when an instruction failed.
    pub program: Option<String>,
    /// Custom error number, when the program returned one.
    pub code: Option<u32>,
    /// Error name, e.g. `VotingClosed`.
    pub name: String,
    /// What it means.
    pub message: String,
    /// The account Anchor blamed, when it named one.
    pub account: Option<String>,
    /// What to do about it, when we know.
    pub hint: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.name, self.message)?;
        if let Some(code) = self.code {
            write!(f, " (error {code}")?;
            if let Some(i) = self.instruction {
                write!(f, ", instruction {i}")?;
            }
            write!(f, ")")?;
        }
        if let Some(a) = &self.account {
            write!(f, " [account: {a}]")?;
        }
        Ok(())
    }
}

/// `code → (name, message)` of every data-pool error, from the IDL.
pub fn program_errors() -> &'static HashMap<u32, (String, String)> {
    static TABLE: OnceLock<HashMap<u32, (String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        crate::idl::idl()["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| {
                        Some((
                            u32::try_from(e["code"].as_u64()?).ok()?,
                            (
                                e["name"].as_str()?.to_string(),
                                e["msg"].as_str()?.to_string(),
                            ),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// `(name, message, account)` from an `AnchorError …` log line, if there is one.
fn anchor_error_from_logs(logs: &[String]) -> Option<(String, String, Option<String>)> {
    let line = logs.iter().rev().find(|l| l.contains("AnchorError"))?;
    let after = |key: &str| -> Option<&str> {
        let start = line.find(key)? + key.len();
        Some(&line[start..])
    };
    let name = after("Error Code: ")?.split('.').next()?.trim().to_string();
    let message = after("Error Message: ")?
        .trim()
        .trim_end_matches('.')
        .to_string();
    let account = after("caused by account: ")
        .and_then(|s| s.split('.').next())
        .map(|s| s.trim().to_string());
    Some((name, message, account))
}

fn system_error(code: u32) -> Option<(&'static str, &'static str)> {
    Some(match code {
        0 => (
            "AccountAlreadyInUse",
            "an account with this address already exists",
        ),
        1 => (
            "ResultWithNegativeLamports",
            "the paying account does not have enough SOL",
        ),
        2 => (
            "InvalidProgramId",
            "cannot assign the account to this program",
        ),
        3 => (
            "InvalidAccountDataLength",
            "cannot allocate account data of this length",
        ),
        4 => ("MaxSeedLengthExceeded", "seed too long"),
        5 => ("AddressWithSeedMismatch", "address does not match the seed"),
        6 => (
            "NonceNoRecentBlockhashes",
            "no recent blockhashes for the nonce",
        ),
        7 => (
            "NonceBlockhashNotExpired",
            "the nonce blockhash has not expired",
        ),
        8 => (
            "NonceUnexpectedBlockhashValue",
            "unexpected nonce blockhash",
        ),
        _ => return None,
    })
}

fn hint_for(name: &str) -> Option<&'static str> {
    Some(match name {
        "InsufficientFunds" => "the paying token account holds fewer tokens than needed",
        "ResultWithNegativeLamports" | "InsufficientFundsForRent" => {
            "the fee payer does not have enough SOL for rent: fund it (solana transfer / airdrop)"
        }
        "InsufficientFundsForFee" | "AccountNotFound" => {
            "the fee payer has no SOL: fund it (solana transfer / airdrop) or pass --fee-payer"
        }
        "BlockhashNotFound" => "the blockhash expired before the transaction landed: run it again",
        "MintMismatch" | "WrongMint" | "ConstraintTokenMint" => {
            "the token account is for another mint than the pool's payout mint"
        }
        "WrongTokenAccountOwner" => "the token account belongs to another wallet",
        "AccountNotInitialized" => {
            "an account the instruction needs does not exist (wrong address?)"
        }
        "AlreadyVoted" => "this wallet has voted on this offer already",
        "NotEligibleToVote" => "only wallets that had weight when the offer was made can vote",
        "VotingClosed" => "the voting period of this offer is over",
        "OutcomeNotDecided" => "wait until the voting period ends (see `datapool offer show`)",
        "DuplicateData" => "this data has been contributed already",
        "NothingToClaim" => "nothing is owed to this wallet right now",
        "PriceTooLow" => "the pool has a minimum price (see `datapool pool show`)",
        "AttestationExpired" => "ask the attestor for a fresh attestation",
        "PoolPaused" => "the curator has paused the pool; money can still be claimed",
        "Unauthorized" | "NotBuyer" | "NotInvalidator" | "ConstraintHasOne" => {
            "sign with the account that has this role (-k)"
        }
        _ => return None,
    })
}

/// The enum variant name of an error (`InsufficientFundsForFee` of its `Debug` form).
fn variant_name(e: &impl std::fmt::Debug) -> String {
    let dbg = format!("{e:?}");
    dbg.split(['(', ' ', '{']).next().unwrap_or("").to_string()
}

/// Decodes `err` of a transaction whose caller instructions were `ixs`, preceded by
/// `prefix` instructions the sender added; `logs` are the transaction's logs.
pub fn decode_failure(
    program_id: &Pubkey,
    ixs: &[Instruction],
    prefix: usize,
    err: &TransactionError,
    logs: &[String],
) -> Failure {
    let mut f = Failure {
        instruction: None,
        program: None,
        code: None,
        name: String::new(),
        message: String::new(),
        account: None,
        hint: None,
    };
    match err {
        TransactionError::InstructionError(idx, ie) => {
            let user = (*idx as usize).checked_sub(prefix);
            let program = user.and_then(|i| ixs.get(i)).map(|ix| ix.program_id);
            f.instruction = user;
            f.program = program.map(|p| p.to_string());
            match ie {
                InstructionError::Custom(code) => {
                    f.code = Some(*code);
                    let is_token = program.is_some_and(|p| {
                        p == anchor_spl::token::ID || p == anchor_spl::token_2022::ID
                    });
                    let is_system = program == Some(anchor_lang::system_program::ID);
                    if program == Some(*program_id) {
                        if let Some((n, m, a)) = anchor_error_from_logs(logs) {
                            (f.name, f.message, f.account) = (n, m, a);
                        } else if let Some((n, m)) = program_errors().get(code) {
                            (f.name, f.message) = (n.clone(), m.clone());
                        } else {
                            (f.name, f.message) = (
                                "AnchorError".into(),
                                format!("Anchor framework error {code}"),
                            );
                        }
                    } else if is_token {
                        match TokenError::try_from(*code) {
                            Ok(t) => (f.name, f.message) = (format!("{t:?}"), t.to_string()),
                            Err(_) => {
                                (f.name, f.message) =
                                    ("TokenError".into(), format!("token program error {code}"))
                            }
                        }
                    } else if let Some((n, m)) = is_system.then(|| system_error(*code)).flatten() {
                        (f.name, f.message) = (n.into(), m.into());
                    } else {
                        (f.name, f.message) = ("Custom".into(), format!("program error {code}"));
                    }
                }
                other => {
                    (f.name, f.message) = (variant_name(other), other.to_string());
                }
            }
        }
        other => {
            (f.name, f.message) = (variant_name(other), other.to_string());
        }
    }
    f.hint = hint_for(&f.name).map(str::to_string);
    f
}
