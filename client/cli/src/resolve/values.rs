//! Values of a command line, checked without a node: addresses, hashes, durations, files
//! (attestations, pool configs), pool names, store URLs and listen addresses.

use std::path::Path;

use anchor_lang::prelude::Pubkey;
use data_pool_client::attestation::{AttestationFile, MAX_ATTESTATION_FILE_LEN};
use data_pool_client::store::Store;
use data_pool_client::units::parse_duration;
use solana_signer::Signer;

use super::action::*;
use crate::args::ParamsArgs;
use crate::error::CliError;
use crate::signer;

/// An address argument: a base58 public key, or a keypair file whose public key is used.
pub fn pubkey(text: &str, what: &str) -> Result<Pubkey, CliError> {
    if let Ok(k) = text.parse::<Pubkey>() {
        return Ok(k);
    }
    let path = Path::new(text);
    if path.is_file() {
        return signer::read_keypair(path).map(|k| k.pubkey());
    }
    Err(CliError::input(format!(
        "{text:?} is not a valid {what} address (base58 public key)"
    )))
}

pub(super) fn opt_pubkey(text: &Option<String>, what: &str) -> Result<Option<Pubkey>, CliError> {
    text.as_deref().map(|t| pubkey(t, what)).transpose()
}

/// A 32-byte hash as 64 hex characters (an optional `0x`).
pub fn hash(text: &str) -> Result<[u8; 32], CliError> {
    let t = text.trim().trim_start_matches("0x");
    let bytes = hex::decode(t).map_err(|_| CliError::input(format!("{text:?} is not hex")))?;
    bytes
        .try_into()
        .map_err(|_| CliError::input("a data hash is 32 bytes: 64 hex characters"))
}

/// A duration like `90s`, `3d`, `1h`.
pub fn duration(text: &str, flag: &str) -> Result<i64, CliError> {
    parse_duration(text).map_err(|e| CliError::input(format!("{flag}: {e}")))
}

/// Reads and checks an attestation file (size, JSON shape, field encodings).
pub fn attestation_file(path: &Path) -> Result<AttestationFile, CliError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > MAX_ATTESTATION_FILE_LEN as u64 {
        return Err(CliError::input(format!(
            "{} is {} bytes: too large for an attestation file",
            path.display(),
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    AttestationFile::parse(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))
}

pub(super) fn params_change(p: &ParamsArgs) -> Result<ParamsChange, CliError> {
    Ok(ParamsChange {
        fee_bps: p.fee_bps,
        quorum_bps: p.quorum_bps,
        approval_bps: p.approval_bps,
        voting_period: p
            .voting_period
            .as_deref()
            .map(|v| duration(v, "--voting-period"))
            .transpose()?,
        min_price: p
            .min_price
            .as_deref()
            .map(|v| Amount::parse(v, "--min-price"))
            .transpose()?,
        max_score: p.max_score,
        delivery_period: p
            .delivery_period
            .as_deref()
            .map(|v| duration(v, "--delivery-period"))
            .transpose()?,
    })
}

pub(super) fn pool_config(path: &Path) -> Result<PoolConfig, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let f: PoolConfigFile =
        toml::from_str(&text).map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
    Ok(PoolConfig {
        mint: pubkey(&f.mint, "mint")?,
        params: ParamsChange {
            fee_bps: Some(f.fee_bps),
            quorum_bps: Some(f.quorum_bps),
            approval_bps: Some(f.approval_bps),
            voting_period: Some(duration(&f.voting_period, "voting_period")?),
            min_price: Some(Amount::parse(&f.min_price, "min_price")?),
            max_score: Some(f.max_score),
            delivery_period: Some(match &f.delivery_period {
                Some(d) => duration(d, "delivery_period")?,
                None => ParamsChange::DEFAULTS.delivery_period,
            }),
        },
        attestors: f
            .attestors
            .iter()
            .map(|a| pubkey(a, "attestor"))
            .collect::<Result<_, _>>()?,
        remove_unlisted_attestors: f.remove_unlisted_attestors,
        name: f.name,
    })
}

pub(super) fn pool_name(name: &str) -> Result<String, CliError> {
    if name.is_empty() || name.len() > data_pool::constants::MAX_POOL_NAME_LEN {
        return Err(CliError::input(format!(
            "pool name {name:?} must be 1 to 32 bytes"
        )));
    }
    Ok(name.to_string())
}

pub(super) fn hex32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s).ok()?.try_into().ok()
}

/// Opens a store URL (nothing is contacted yet).
pub fn open_store(url: &str) -> Result<Store, CliError> {
    Store::open(url).map_err(CliError::from)
}

/// The address `--bind` names: an IP and port, or a host name and port (`localhost:8787`),
/// resolved here, first address first.
pub(super) fn bind_address(bind: &str) -> Result<std::net::SocketAddr, CliError> {
    use std::net::ToSocketAddrs;
    let bad = || {
        CliError::input(format!(
            "--bind {bind:?} is not an address like 127.0.0.1:8787 or localhost:8787"
        ))
    };
    if let Ok(a) = bind.parse() {
        return Ok(a);
    }
    bind.to_socket_addrs()
        .map_err(|_| bad())?
        .next()
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::bind_address;

    #[test]
    fn bind_takes_addresses_and_host_names() {
        assert_eq!(
            bind_address("127.0.0.1:8787").unwrap().to_string(),
            "127.0.0.1:8787"
        );
        let local = bind_address("localhost:8787").unwrap();
        assert!(local.ip().is_loopback() && local.port() == 8787);
        assert!(bind_address("localhost").is_err(), "a port is needed");
        assert!(bind_address("no such host.invalid:1").is_err());
    }
}
