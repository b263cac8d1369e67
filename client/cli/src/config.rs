//! Where the CLI's settings come from: flags, then the Solana CLI config file, then defaults.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use solana_commitment_config::CommitmentConfig;
use solana_keypair::Keypair;

use crate::args::{CommitmentArg, GlobalArgs};
use crate::error::CliError;

/// The fields of `~/.config/solana/cli/config.yml` we use.
#[derive(Debug, Default, Deserialize)]
pub struct SolanaConfig {
    /// RPC URL.
    pub json_rpc_url: Option<String>,
    /// PubSub URL.
    pub websocket_url: Option<String>,
    /// Default signer.
    pub keypair_path: Option<String>,
    /// Default commitment.
    pub commitment: Option<String>,
}

/// `~` expanded against `$HOME`.
pub fn expand_home(p: &str) -> PathBuf {
    match (p.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(p),
    }
}

/// The default config file path.
pub fn default_config_path() -> PathBuf {
    expand_home("~/.config/solana/cli/config.yml")
}

/// Reads the config file: the one named (which must exist), else the default one if present.
pub fn load_config(explicit: Option<&Path>) -> Result<SolanaConfig, CliError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (default_config_path(), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(SolanaConfig::default())
        }
        Err(e) => {
            return Err(CliError::input(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    serde_yaml::from_str(&text).map_err(|e| {
        CliError::input(format!(
            "config file {} is not valid YAML: {e}",
            path.display()
        ))
    })
}

/// A URL from a moniker (`m d t l`, long names too) or the URL itself.
pub fn resolve_url(s: &str) -> Result<String, CliError> {
    let url = match s {
        "m" | "mainnet-beta" | "mainnet" => "https://api.mainnet-beta.solana.com",
        "d" | "devnet" => "https://api.devnet.solana.com",
        "t" | "testnet" => "https://api.testnet.solana.com",
        "l" | "localhost" => "http://127.0.0.1:8899",
        other => other,
    };
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err(CliError::input(format!(
            "{s:?} is not a URL or moniker (m, d, t, l or http(s)://…)"
        )))
    }
}

/// Settings after flags and the config file are combined.
pub struct Settings {
    /// RPC URL.
    pub url: String,
    /// Whether `-u` was given (the demo uses the embedded chain otherwise).
    pub url_explicit: bool,
    /// PubSub URL: the config's `websocket_url`, else derived from the RPC URL.
    pub ws_url: String,
    /// Signer keypair path.
    pub keypair_path: PathBuf,
    /// Commitment.
    pub commitment: CommitmentConfig,
}

/// Combines `g` with the config file.
pub fn settings(g: &GlobalArgs) -> Result<Settings, CliError> {
    let cfg = load_config(g.config.as_deref())?;
    let url = match (&g.url, &cfg.json_rpc_url) {
        (Some(u), _) => resolve_url(u)?,
        (None, Some(u)) => resolve_url(u)?,
        (None, None) => resolve_url("m")?,
    };
    let keypair_path = match (&g.keypair, &cfg.keypair_path) {
        (Some(p), _) => p.clone(),
        (None, Some(p)) => expand_home(p),
        (None, None) => expand_home("~/.config/solana/id.json"),
    };
    let commitment = match (g.commitment, cfg.commitment.as_deref()) {
        (Some(CommitmentArg::Processed), _) | (None, Some("processed")) => {
            CommitmentConfig::processed()
        }
        (Some(CommitmentArg::Finalized), _) | (None, Some("finalized")) => {
            CommitmentConfig::finalized()
        }
        _ => CommitmentConfig::confirmed(),
    };
    let ws_url = match (&g.url, cfg.websocket_url.as_deref()) {
        (None, Some(ws)) if !ws.is_empty() => ws.to_string(),
        _ => derive_ws_url(&url),
    };
    Ok(Settings {
        url,
        url_explicit: g.url.is_some(),
        ws_url,
        keypair_path,
        commitment,
    })
}

/// The PubSub URL of an RPC URL, as the Solana CLI derives it: `ws(s)://`, port + 1 when a port
/// is given.
pub fn derive_ws_url(rpc: &str) -> String {
    let (scheme, rest) = match rpc.split_once("://") {
        Some(("https", r)) => ("wss", r),
        Some((_, r)) => ("ws", r),
        None => ("ws", rpc),
    };
    let (host, path) = match rest.split_once('/') {
        Some((h, p)) => (h, format!("/{p}")),
        None => (rest, String::new()),
    };
    match host
        .rsplit_once(':')
        .and_then(|(h, p)| p.parse::<u16>().ok().map(|p| (h, p)))
    {
        Some((h, p)) => format!("{scheme}://{h}:{}{path}", p.saturating_add(1)),
        None => format!("{scheme}://{host}{path}"),
    }
}

/// Where an attestor keeps its identity index when `--identity-index` is not given.
pub fn default_identity_index() -> PathBuf {
    match std::env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        Some(d) => Path::new(&d).join("datapool/identity-index.jsonl"),
        None => expand_home("~/.local/share/datapool/identity-index.jsonl"),
    }
}

/// The attestor's identity key (the file given, else derived from its keypair) and index.
pub fn identities(
    args: &crate::args::IdentityArgs,
    attestor: &Keypair,
) -> Result<data_pool_client::spotify::identity::Identities, CliError> {
    use data_pool_client::spotify::identity::{Identities, IdentityIndex, IdentityKey};
    let key = match &args.identity_key {
        Some(p) => IdentityKey::read(p).map_err(|e| {
            CliError::input(e.to_string())
                .with_hint("an identity key file holds 64 hex characters: `openssl rand -hex 32`")
        })?,
        None => IdentityKey::of_attestor(attestor),
    };
    let path = args
        .identity_index
        .clone()
        .unwrap_or_else(default_identity_index);
    let index = IdentityIndex::open(&path).map_err(|e| CliError::input(e.to_string()))?;
    Ok(Identities::new(key, index))
}

/// The file `config set` writes and `config get` reads: `-C PATH`, else the Solana CLI's.
pub fn config_path(g: &GlobalArgs) -> PathBuf {
    g.config.clone().unwrap_or_else(default_config_path)
}

/// Writes `changes` (`json_rpc_url`, `websocket_url`, `keypair_path`, `commitment`) into the YAML
/// config file at `path`, keeping every other key (the file is the Solana CLI's too).
pub fn write_config(path: &Path, changes: &[(&str, String)]) -> Result<(), CliError> {
    let mut doc = match std::fs::read_to_string(path) {
        Ok(text) => serde_yaml::from_str::<serde_yaml::Value>(&text).map_err(|e| {
            CliError::input(format!(
                "config file {} is not valid YAML: {e}",
                path.display()
            ))
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            serde_yaml::Value::Mapping(Default::default())
        }
        Err(e) => {
            return Err(CliError::input(format!(
                "cannot read config file {}: {e}",
                path.display()
            )))
        }
    };
    let map = doc.as_mapping_mut().ok_or_else(|| {
        CliError::input(format!(
            "config file {} is not a YAML mapping",
            path.display()
        ))
    })?;
    for (k, v) in changes {
        map.insert(
            serde_yaml::Value::String((*k).into()),
            serde_yaml::Value::String(v.clone()),
        );
    }
    let text = serde_yaml::to_string(&doc)
        .map_err(|e| CliError::failed(format!("cannot write YAML: {e}")))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::input(format!("cannot create {}: {e}", dir.display())))?;
    }
    std::fs::write(path, text)
        .map_err(|e| CliError::input(format!("cannot write {}: {e}", path.display())))
}
