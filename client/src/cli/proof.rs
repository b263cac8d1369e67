//! Proof of contribution from the command line: `attest --file` scores a Spotify export and signs,
//! `contribute --file --attestor-url` gets the attestation from a service and submits it, and
//! `attestor serve` runs that service.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;
use solana_signer::Signer;

use super::args::{AttestArgs, AttestorCmd};
use super::commands::{load_pool, now_unix, parse_hash, submit_attestation, when};
use super::{parse_pubkey, CliError, Ctx, Report};
use crate::attestation::{sign_attestation, AttestationFile, MAX_ATTESTATION_FILE_LEN};
use crate::chain::Chain;
use crate::spotify::{
    canonical_hash, flavor_of, read_paths, score, Breakdown, ExportError, Limits, ScoreRules,
};
use crate::units::parse_duration;

fn export_error(e: ExportError) -> CliError {
    match e {
        ExportError::Io { .. } => CliError::input(e.to_string()),
        other => CliError::input(other.to_string()).with_hint(
            "give the files of Spotify's \"Account data\" or \"Extended streaming history\" export, or its .zip",
        ),
    }
}

async fn max_score_of<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    given: Option<u64>,
) -> Result<u64, CliError> {
    match given {
        Some(m) => Ok(m),
        None => Ok(load_pool(ctx, pool)
            .await
            .map_err(|e| CliError {
                hint: Some("pass --max-score to attest offline".into()),
                ..e
            })?
            .1
            .max_score),
    }
}

fn breakdown_text(b: &Breakdown) -> String {
    format!(
        "{} music plays ({} of ≥ 30 s, {} h), {} tracks by {} artists over {} days; {} duplicates and {} non-music rows dropped, {} overlapping",
        b.plays, b.qualifying_plays, b.listening_hours, b.distinct_tracks, b.distinct_artists, b.span_days, b.duplicates, b.non_music, b.overlapping
    )
}

/// `datapool attest`.
pub async fn attest<C: Chain>(ctx: &Ctx<'_, C>, a: &AttestArgs) -> Result<Report, CliError> {
    let pool = parse_pubkey(&a.pool, "pool")?;
    let contributor = parse_pubkey(&a.contributor, "contributor")?;
    let ttl = parse_duration(&a.expires_in).map_err(CliError::input)?;
    if ttl <= 0 {
        return Err(CliError::input("--expires-in must be positive"));
    }
    let attestor = super::config::read_keypair(&a.attestor_keypair)?;
    let expires_at = now_unix().saturating_add(ttl);
    let file = if a.file.is_empty() {
        let hash = parse_hash(a.data_hash.as_deref().unwrap_or_default())?;
        let score = a.score.unwrap_or(0);
        if score == 0 {
            return Err(CliError::input("--score must be at least 1"));
        }
        sign_attestation(
            &ctx.program_id,
            &pool,
            &contributor,
            hash,
            score,
            expires_at,
            &attestor,
        )
    } else {
        let max_score = max_score_of(ctx, &a.pool, a.max_score).await?;
        let files = a.file.clone();
        let (hash, b) = tokio::task::spawn_blocking(move || {
            let l = read_paths(&files, &Limits::default())?;
            Ok::<_, ExportError>((canonical_hash(&l), score(&l, &ScoreRules { max_score })))
        })
        .await
        .map_err(|e| CliError::failed(format!("reading the export failed: {e}")))?
        .map_err(export_error)?;
        if b.score == 0 {
            return Err(CliError::input(
                "the export holds no qualifying plays (≥ 30 s): nothing to attest",
            ));
        }
        let signed = sign_attestation(
            &ctx.program_id,
            &pool,
            &contributor,
            hash,
            b.score,
            expires_at,
            &attestor,
        );
        AttestationFile {
            breakdown: serde_json::to_value(&b).ok(),
            ..signed
        }
    };
    let text = file.to_json();
    if let Some(out) = &a.out {
        std::fs::write(out, &text)
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", out.display())))?;
    }
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let mut human = match &a.out {
        Some(out) => format!(
            "Wrote attestation for {contributor}: data hash {}, score {}, expires {}, to {}",
            hex::encode(file.data_hash),
            file.score,
            when(file.expires_at),
            out.display()
        ),
        None => text.clone(),
    };
    if let (Some(b), Some(_)) = (&file.breakdown, &a.out) {
        if let Ok(b) = serde_json::from_value::<Breakdown>(b.clone()) {
            human.push_str(&format!("\n{}", breakdown_text(&b)));
        }
    }
    Ok(Report {
        json,
        text: human,
        code: 0,
    })
}

/// The export as one upload: a given `.zip` as is, else the streaming-history files zipped.
fn upload_body(files: &[PathBuf]) -> Result<Vec<u8>, CliError> {
    if let [one] = files {
        if one.extension().is_some_and(|e| e == "zip") {
            return std::fs::read(one)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", one.display())));
        }
    }
    let mut paths = Vec::new();
    let mut queue = files.to_vec();
    while let Some(p) = queue.pop() {
        if p.is_dir() {
            let rd = std::fs::read_dir(&p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            queue.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
        } else if flavor_of(&p.display().to_string()).is_some() || files.len() == 1 {
            paths.push(p);
        }
    }
    paths.sort();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (i, p) in paths.iter().enumerate() {
            let base = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(p)
                .map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())))?;
            // A file named by hand keeps its flavour: name it after what its records look like.
            let name = if flavor_of(&base).is_some() {
                format!("{i:04}/{base}")
            } else if bytes.windows(9).take(4096).any(|w| w == b"\"endTime\"") {
                format!("{i:04}/StreamingHistory_music_{i}.json")
            } else {
                format!("{i:04}/Streaming_History_Audio_{i}.json")
            };
            zip.start_file(name, opts)
                .map_err(|e| CliError::failed(format!("zip: {e}")))?;
            zip.write_all(&bytes)
                .map_err(|e| CliError::failed(format!("zip: {e}")))?;
        }
        zip.finish()
            .map_err(|e| CliError::failed(format!("zip: {e}")))?;
    }
    Ok(buf.into_inner())
}

/// `datapool contribute --file EXPORT --attestor-url URL`.
pub async fn contribute_from_export<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &str,
    files: &[PathBuf],
    url: Option<&str>,
) -> Result<Report, CliError> {
    let url = url.ok_or_else(|| {
        CliError::input(
            "--file needs --attestor-url (or sign offline with `datapool attest --file`)",
        )
    })?;
    let me = ctx.signer()?.pubkey();
    let owned = files.to_vec();
    let (local_hash, body) = tokio::task::spawn_blocking(move || {
        let l = read_paths(&owned, &Limits::default()).map_err(export_error)?;
        Ok::<_, CliError>((canonical_hash(&l), upload_body(&owned)?))
    })
    .await
    .map_err(|e| CliError::failed(format!("reading the export failed: {e}")))??;
    let endpoint = format!("{}/attest?wallet={me}", url.trim_end_matches('/'));
    let resp = reqwest::Client::new()
        .post(&endpoint)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .map_err(|e| CliError {
            code: super::EXIT_UNREACHABLE,
            ..CliError::failed(format!("cannot reach the attestor at {url}: {e}"))
        })?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| CliError::failed(format!("the attestor at {url} broke off: {e}")))?;
    if !status.is_success() {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or(json!({}));
        let detail = v["detail"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(300).collect());
        return Err(CliError::failed(format!(
            "the attestor refused the export ({status}): {detail}"
        )));
    }
    if bytes.len() > MAX_ATTESTATION_FILE_LEN {
        return Err(CliError::failed(format!(
            "the attestor at {url} answered {} bytes: not an attestation",
            bytes.len()
        )));
    }
    let text = String::from_utf8_lossy(&bytes);
    let att = AttestationFile::parse(&text)
        .map_err(|e| CliError::failed(format!("the attestor at {url} answered: {e}")))?;
    if att.data_hash != local_hash {
        return Err(CliError::failed(format!(
            "the attestor signed data hash {} but this export hashes to {}: refusing",
            hex::encode(att.data_hash),
            hex::encode(local_hash)
        )));
    }
    submit_attestation(ctx, pool, att, url).await
}

/// `datapool attestor serve`.
pub async fn serve<C: Chain>(ctx: &Ctx<'_, C>, cmd: &AttestorCmd) -> Result<Report, CliError> {
    let AttestorCmd::Serve {
        pool,
        bind,
        max_body,
        concurrency,
        ttl,
        max_score,
    } = cmd
    else {
        return Err(CliError::input("not a serve command"));
    };
    let pool_key = parse_pubkey(pool, "pool")?;
    let max_score = max_score_of(ctx, pool, *max_score).await?;
    let ttl = parse_duration(ttl).map_err(CliError::input)?;
    let addr: std::net::SocketAddr = bind.parse().map_err(|_| {
        CliError::input(format!(
            "--bind {bind:?} is not an address like 127.0.0.1:8787"
        ))
    })?;
    let keypair = ctx.signer()?.insecure_clone();
    let attestor = keypair.pubkey();
    let cfg = crate::service::ServiceConfig {
        program_id: ctx.program_id,
        pool: pool_key,
        max_score,
        keypair,
        max_body: *max_body,
        concurrency: *concurrency,
        ttl,
    };
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    crate::service::serve(
        cfg,
        addr,
        |a| eprintln!("attestor {attestor} serving pool {pool_key} on http://{a} (Ctrl-C to stop)"),
        shutdown,
    )
    .await
    .map_err(|e| CliError::input(format!("cannot serve on {bind}: {e}")))?;
    Ok(Report {
        json: serde_json::Value::Null,
        text: String::new(),
        code: 0,
    })
}
