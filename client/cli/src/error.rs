//! What went wrong, for people and for scripts, and the exit codes, one meaning each:
//! - 0 success;
//! - 1 the chain refused: a rule of the program, whether checked against the chain's state
//!   before sending ([`CliError::failed`]) or by the chain itself, or the transaction failed;
//! - 2 bad input: malformed arguments, files, keys or attestations, or an address that is not
//!   what the command needs ([`CliError::input`]); nothing was sent;
//! - 3 the node, the store or the data service could not be reached.

use data_pool_client::chain::ChainError;
use data_pool_client::errors::Failure;
use data_pool_client::query::QueryError;
use data_pool_client::send::SendError;
use data_pool_client::store::StoreError;
use data_pool_client::story::StoryError;

/// Exit code: the chain refused or the transaction failed.
pub const EXIT_FAILED: i32 = 1;
/// Exit code: bad input; nothing was sent.
pub const EXIT_INPUT: i32 = 2;
/// Exit code: the node could not be reached.
pub const EXIT_UNREACHABLE: i32 = 3;

/// What went wrong, for people and for scripts.
#[derive(Debug, serde::Serialize)]
pub struct CliError {
    /// One sentence.
    pub message: String,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Process exit code.
    #[serde(rename = "exitCode")]
    pub code: i32,
    /// The decoded on-chain error, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Box<Failure>>,
    /// Program logs that explain it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logs: Vec<String>,
}

impl CliError {
    /// Bad input (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            hint: None,
            code: EXIT_INPUT,
            failure: None,
            logs: vec![],
        }
    }

    /// A refusal by the chain or a failed check against chain state (exit 1).
    pub fn failed(message: impl Into<String>) -> Self {
        CliError {
            code: EXIT_FAILED,
            ..CliError::input(message)
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl From<ChainError> for CliError {
    fn from(e: ChainError) -> Self {
        let code = if e.is_transient() {
            EXIT_UNREACHABLE
        } else {
            EXIT_FAILED
        };
        let hint = match &e {
            ChainError::Unreachable { .. } => {
                Some("check --url and that the node is running; nothing was changed".to_string())
            }
            _ => None,
        };
        CliError {
            message: e.to_string(),
            hint,
            code,
            failure: None,
            logs: vec![],
        }
    }
}

impl From<QueryError> for CliError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Chain(c) => c.into(),
            other => CliError::input(other.to_string()),
        }
    }
}

impl From<SendError> for CliError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Chain(c) => c.into(),
            SendError::Signing(m) => CliError::input(format!("cannot sign: {m}"))
                .with_hint("pass the keypair of the account that must sign with -k"),
            other => {
                let failure = other.failure().cloned().map(Box::new);
                let hint = failure.as_ref().and_then(|f| f.hint.clone());
                let message = match &other {
                    SendError::Simulation { failure, .. } => {
                        format!("the transaction would fail, so it was not sent: {failure}")
                    }
                    _ => other.to_string(),
                };
                CliError {
                    message,
                    hint,
                    code: EXIT_FAILED,
                    failure,
                    logs: other.logs().to_vec(),
                }
            }
        }
    }
}

impl From<StoryError> for CliError {
    fn from(e: StoryError) -> Self {
        match e {
            StoryError::Input(m) => CliError::input(m),
            StoryError::Send(s) => s.into(),
            StoryError::Query(q) => q.into(),
            StoryError::Chain(c) => c.into(),
            StoryError::Failed(m) => CliError::failed(m),
            StoryError::Store(s) => s.into(),
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Url(_) => CliError::input(e.to_string()),
            StoreError::NotFound { .. } | StoreError::Refused { .. } => {
                CliError::failed(e.to_string())
            }
            StoreError::Failed { .. } => CliError {
                code: EXIT_UNREACHABLE,
                ..CliError::input(e.to_string())
            }
            .with_hint("check the store URL, its credentials (AWS_* variables) and that it is reachable; nothing was sent"),
        }
    }
}
