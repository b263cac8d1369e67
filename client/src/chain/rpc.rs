//! [`Chain`] over JSON-RPC (agave's nonblocking `RpcClient`).

use std::str::FromStr;
use std::time::Duration;

use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::RpcError;
use solana_signature::Signature;
use solana_transaction::Transaction;
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, UiTransactionEncoding,
};

use super::{AccountFilter, Chain, ChainError, Landed, SignatureInfo, Simulation};

/// Most accounts `getMultipleAccounts` takes per request.
const MULTIPLE_ACCOUNTS_CHUNK: usize = 100;
/// The Clock sysvar.
const CLOCK_SYSVAR: Pubkey =
    anchor_lang::prelude::pubkey!("SysvarC1ock11111111111111111111111111111111");
/// Offset of `unix_timestamp` in the Clock sysvar's data.
const CLOCK_UNIX_TIMESTAMP_OFFSET: usize = 32;

/// A chain behind a JSON-RPC endpoint.
pub struct RpcChain {
    client: RpcClient,
    url: String,
    commitment: CommitmentConfig,
}

impl RpcChain {
    /// Talks to `url` at `commitment`; each request times out after `timeout`.
    pub fn new(url: &str, commitment: CommitmentConfig, timeout: Duration) -> Self {
        RpcChain {
            client: RpcClient::new_with_timeout_and_commitment(
                url.to_string(),
                timeout,
                commitment,
            ),
            url: url.to_string(),
            commitment,
        }
    }

    /// The commitment requests and confirmations use.
    pub fn commitment(&self) -> CommitmentConfig {
        self.commitment
    }

    fn err(&self, e: ClientError) -> ChainError {
        classify(&self.url, e)
    }
}

/// Sorts an RPC client error into transient transport trouble and definite answers.
fn classify(url: &str, e: ClientError) -> ChainError {
    let url = url.to_string();
    match e.kind() {
        ErrorKind::Io(io) => ChainError::Unreachable {
            url,
            detail: io.to_string(),
        },
        ErrorKind::Reqwest(r) => {
            let transient = r.is_connect()
                || r.is_timeout()
                || r.is_request()
                || r.status()
                    .is_some_and(|s| s.as_u16() == 429 || s.is_server_error());
            let detail = match r.status() {
                Some(s) => format!("HTTP {s}"),
                None if r.is_connect() => "connection refused".into(),
                None if r.is_timeout() => "timed out".into(),
                None => r.to_string(),
            };
            if transient {
                ChainError::Unreachable { url, detail }
            } else {
                ChainError::Rpc { url, detail }
            }
        }
        ErrorKind::TransactionError(t) => ChainError::Rejected(t.clone()),
        ErrorKind::RpcError(RpcError::RpcResponseError { code, message, .. }) => {
            if let Some(t) = e.get_transaction_error() {
                return ChainError::Rejected(t);
            }
            // -32005: node is behind / unhealthy; -32004: block not available yet.
            if matches!(code, -32005 | -32004 | -32016) {
                ChainError::Unreachable {
                    url,
                    detail: message.clone(),
                }
            } else {
                ChainError::Rpc {
                    url,
                    detail: format!("{message} (code {code})"),
                }
            }
        }
        ErrorKind::RpcError(RpcError::RpcRequestError(m)) => ChainError::Unreachable {
            url,
            detail: m.clone(),
        },
        // Some client calls fold transport errors into a message ("AccountNotFound: pubkey=…:
        // error sending request …"): a node that is not answering, not a missing account.
        other if other.to_string().contains("error sending request") => ChainError::Unreachable {
            url,
            detail: "connection failed".into(),
        },
        other => ChainError::Rpc {
            url,
            detail: other.to_string(),
        },
    }
}

fn ui_to_account(ui: &solana_account_decoder_client_types::UiAccount) -> Option<Account> {
    Some(Account {
        lamports: ui.lamports,
        data: ui.data.decode()?,
        owner: Pubkey::from_str(&ui.owner).ok()?,
        executable: ui.executable,
        rent_epoch: ui.rent_epoch,
    })
}

impl Chain for RpcChain {
    fn label(&self) -> String {
        self.url.clone()
    }

    fn is_embedded(&self) -> bool {
        false
    }

    async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>, ChainError> {
        self.client
            .get_account_with_commitment(address, self.commitment)
            .await
            .map(|r| r.value)
            .map_err(|e| self.err(e))
    }

    async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(MULTIPLE_ACCOUNTS_CHUNK) {
            let got = self
                .client
                .get_multiple_accounts_with_commitment(chunk, self.commitment)
                .await
                .map_err(|e| self.err(e))?;
            out.extend(got.value);
        }
        Ok(out)
    }

    async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let filters = filters
            .iter()
            .map(|f| match f {
                AccountFilter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_base58_encoded(*offset, bytes))
                }
                AccountFilter::DataSize(n) => RpcFilterType::DataSize(*n),
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.commitment),
                ..Default::default()
            },
            ..Default::default()
        };
        let got = self
            .client
            .get_program_ui_accounts_with_config(program, config)
            .await
            .map_err(|e| self.err(e))?;
        got.iter()
            .map(|(k, ui)| {
                ui_to_account(ui)
                    .map(|a| (*k, a))
                    .ok_or_else(|| ChainError::Rpc {
                        url: self.url.clone(),
                        detail: format!(
                            "account {k} came back in an encoding this client cannot read"
                        ),
                    })
            })
            .collect()
    }

    async fn latest_blockhash(&self) -> Result<(Hash, u64), ChainError> {
        self.client
            .get_latest_blockhash_with_commitment(self.commitment)
            .await
            .map_err(|e| self.err(e))
    }

    async fn block_height(&self) -> Result<u64, ChainError> {
        self.client
            .get_block_height_with_commitment(self.commitment)
            .await
            .map_err(|e| self.err(e))
    }

    async fn simulate(&self, tx: &Transaction) -> Result<Simulation, ChainError> {
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            replace_recent_blockhash: true,
            commitment: Some(self.commitment),
            encoding: Some(UiTransactionEncoding::Base64),
            ..Default::default()
        };
        let r = self
            .client
            .simulate_transaction_with_config(tx, config)
            .await
            .map_err(|e| self.err(e))?
            .value;
        Ok(Simulation {
            err: r.err.map(Into::into),
            logs: r.logs.unwrap_or_default(),
            units_consumed: r.units_consumed.unwrap_or(0),
        })
    }

    async fn send(&self, tx: &Transaction) -> Result<Signature, ChainError> {
        let config = RpcSendTransactionConfig {
            skip_preflight: true,
            encoding: Some(UiTransactionEncoding::Base64),
            max_retries: Some(0),
            ..Default::default()
        };
        self.client
            .send_transaction_with_config(tx, config)
            .await
            .map_err(|e| self.err(e))
    }

    async fn status(&self, signature: &Signature) -> Result<Option<Landed>, ChainError> {
        let r = self
            .client
            .get_signature_statuses(&[*signature])
            .await
            .map_err(|e| self.err(e))?;
        Ok(r.value.into_iter().next().flatten().and_then(|s| {
            s.satisfies_commitment(self.commitment).then(|| Landed {
                err: s.err.clone(),
                logs: None,
                units_consumed: None,
            })
        }))
    }

    async fn transaction_logs(
        &self,
        signature: &Signature,
    ) -> Result<Option<Vec<String>>, ChainError> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        match self
            .client
            .get_transaction_with_config(signature, config)
            .await
        {
            Ok(tx) => Ok(tx.transaction.meta.and_then(|m| match m.log_messages {
                OptionSerializer::Some(logs) => Some(logs),
                _ => None,
            })),
            Err(e) => match self.err(e) {
                ChainError::Rpc { .. } => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        limit: usize,
    ) -> Result<Vec<SignatureInfo>, ChainError> {
        let config = solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config {
            before,
            until: None,
            limit: Some(limit.min(1_000)),
            commitment: Some(self.commitment),
        };
        let got = self
            .client
            .get_signatures_for_address_with_config(address, config)
            .await
            .map_err(|e| self.err(e))?;
        got.into_iter()
            .map(|s| {
                Ok(SignatureInfo {
                    signature: s.signature.parse().map_err(|_| ChainError::Rpc {
                        url: self.url.clone(),
                        detail: format!(
                            "bad signature {:?} in getSignaturesForAddress",
                            s.signature
                        ),
                    })?,
                    slot: s.slot,
                    index: s.transaction_index,
                    block_time: s.block_time,
                    failed: s.err.is_some(),
                })
            })
            .collect()
    }

    async fn rent_exempt_minimum(&self, len: usize) -> Result<u64, ChainError> {
        self.client
            .get_minimum_balance_for_rent_exemption(len)
            .await
            .map_err(|e| self.err(e))
    }

    async fn unix_time(&self) -> Result<i64, ChainError> {
        let clock = self
            .get_account(&CLOCK_SYSVAR)
            .await?
            .ok_or_else(|| ChainError::Rpc {
                url: self.url.clone(),
                detail: "the node has no Clock sysvar".into(),
            })?;
        clock
            .data
            .get(CLOCK_UNIX_TIMESTAMP_OFFSET..CLOCK_UNIX_TIMESTAMP_OFFSET + 8)
            .and_then(|b| b.try_into().ok())
            .map(i64::from_le_bytes)
            .ok_or_else(|| ChainError::Rpc {
                url: self.url.clone(),
                detail: "the Clock sysvar is malformed".into(),
            })
    }

    async fn balance(&self, address: &Pubkey) -> Result<u64, ChainError> {
        self.client
            .get_balance_with_commitment(address, self.commitment)
            .await
            .map(|r| r.value)
            .map_err(|e| self.err(e))
    }

    async fn genesis_hash(&self) -> Result<Hash, ChainError> {
        self.client
            .get_genesis_hash()
            .await
            .map_err(|e| self.err(e))
    }

    async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let sig = self
            .client
            .request_airdrop(to, lamports)
            .await
            .map_err(|e| self.err(e))?;
        for _ in 0..120 {
            if let Some(l) = self.status(&sig).await? {
                return match l.err {
                    None => Ok(()),
                    Some(e) => Err(ChainError::Rejected(e)),
                };
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Err(ChainError::Unreachable {
            url: self.url.clone(),
            detail: format!("airdrop {sig} not confirmed after 30 s"),
        })
    }

    async fn advance_time(&self, _seconds: i64) -> Result<(), ChainError> {
        Err(ChainError::Unsupported(format!(
            "{} is a real cluster: its clock cannot be moved",
            self.url
        )))
    }
}
