//! Proof of contribution: `attest` scores a Spotify export (or takes a hash and score) and signs
//! offline; `contribute` submits an attestation file, or sends an export to an attestor service
//! and submits what it signs, after checking it against the pool, the wallet, the signature and
//! the clock.

use std::fmt;
use std::io::Write;
use std::path::PathBuf;

use anchor_lang::prelude::Pubkey;
use data_pool_client::attestation::{
    sign_attestation, AttestationFile, Attested as AttestedFacts, MAX_ATTESTATION_FILE_LEN,
};
use data_pool_client::chain::Chain;
use data_pool_client::events::DataPoolEvent;
use data_pool_client::instructions as ix;
use data_pool_client::pda::find_contributor_pda;
use data_pool_client::query;
use data_pool_client::spotify::{
    canonical_hash, flavor_of, read_paths, score, Breakdown, ExportError, Limits, Records,
    ScoreRules,
};
use data_pool_client::units::{format_time, now_unix};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::{CliError, EXIT_UNREACHABLE};
use crate::lookup;
use crate::output::{Printed, Transaction};
use crate::resolve::{Attest, AttestSource};

fn export_error(e: ExportError) -> CliError {
    match e {
        ExportError::Io { .. } => CliError::input(e.to_string()),
        other => CliError::input(other.to_string()).with_hint(
            "give the files of Spotify's \"Account data\" or \"Extended streaming history\" export, or its .zip",
        ),
    }
}

fn breakdown_text(b: &Breakdown) -> String {
    let mut text = format!(
        "{} music plays ({} of ≥ 30 s, {} counted, {} h), {} tracks by {} artists on {} active days; {} duplicates and {} non-music rows dropped, {} overlapping\npoints: volume {}, listening {}, diversity {}, days {}, × authenticity {:.2}",
        b.plays, b.qualifying_plays, b.counted_plays, b.listening_hours, b.distinct_tracks, b.distinct_artists, b.active_days, b.duplicates, b.non_music, b.overlapping,
        b.volume_points, b.listening_points, b.diversity_points, b.day_points, b.authenticity_ppm as f64 / 1e6
    );
    if b.uncapped > b.score {
        text.push_str(&format!(
            " = {}, capped at the pool's maximum score {}",
            b.uncapped, b.score
        ));
    } else {
        text.push_str(&format!(" = {}", b.score));
    }
    text
}

/// A signed attestation: the file itself as JSON; as text, the file, or a line saying where it
/// was written.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Attested {
    /// The attestation.
    pub file: AttestationFile,
    #[serde(skip)]
    out: Option<PathBuf>,
}

impl fmt::Display for Attested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(out) = &self.out else {
            return write!(f, "{}", self.file.to_json());
        };
        write!(
            f,
            "Wrote attestation for {}: data hash {}, score {}, expires {}, to {}",
            self.file.contributor,
            hex::encode(self.file.data_hash),
            self.file.score,
            format_time(self.file.expires_at),
            out.display()
        )?;
        if let Some(b) = self
            .file
            .breakdown
            .as_ref()
            .and_then(|b| serde_json::from_value::<Breakdown>(b.clone()).ok())
        {
            write!(f, "\n{}", breakdown_text(&b))?;
        }
        Ok(())
    }
}

/// `datapool attest`.
pub async fn attest<C: Chain>(ctx: &Ctx<'_, C>, a: &Attest) -> Result<Printed, CliError> {
    let expires_at = now_unix().saturating_add(a.ttl);
    let sign = |identity, data_hash, score| {
        let attested = AttestedFacts {
            contributor: a.contributor,
            identity,
            data_hash,
            score,
        };
        sign_attestation(&ctx.program_id, &a.pool, &attested, expires_at, &a.attestor)
    };
    let file = match &a.source {
        AttestSource::Given {
            identity,
            hash,
            score,
        } => sign(*identity, *hash, *score),
        AttestSource::Export(files) => {
            let max_score = match a.max_score {
                Some(m) => m,
                None => {
                    lookup::pool(ctx, &a.pool)
                        .await
                        .map_err(|e| CliError {
                            hint: Some("pass --max-score to attest offline".into()),
                            ..e
                        })?
                        .params
                        .max_score
                }
            };
            let identities = crate::config::identities(&a.identities, &a.attestor)?;
            let files = files.clone();
            let (hash, b, l) = tokio::task::spawn_blocking(move || {
                let l = read_paths(&files, &Limits::default())?;
                let b = score(&l, &ScoreRules { max_score });
                Ok::<_, ExportError>((canonical_hash(&l), b, l))
            })
            .await
            .map_err(|e| CliError::failed(format!("reading the export failed: {e}")))?
            .map_err(export_error)?;
            if b.score == 0 {
                return Err(CliError::input(
                    "the export scores 0: it has no counted listening (music plays of at least 30 s, not overlapping; docs/SCORE.md): nothing to attest",
                ));
            }
            let who = identities
                .identify(&a.pool, &l)
                .map_err(|e| CliError::input(e.to_string()))?;
            AttestationFile {
                breakdown: serde_json::to_value(&b).ok(),
                ..sign(who.commitment, hash, b.score)
            }
        }
    };
    if let Some(out) = &a.out {
        std::fs::write(out, file.to_json())
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", out.display())))?;
    }
    Ok(Printed::of(&Attested {
        file,
        out: a.out.clone(),
    }))
}

/// A contribution submitted.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contributed {
    /// The pool.
    pub pool: String,
    /// The contribution record.
    pub contribution: String,
    /// Its score.
    pub score: u64,
    /// Its data hash, hex.
    pub data_hash: String,
    /// The contributor's identity commitment, hex.
    pub identity: String,
    /// The contribution's weight (its score, as the program recorded it).
    pub weight: Option<u64>,
    /// The score of your earlier contribution it replaced (`None`: a new record).
    pub replaced: Option<u64>,
}

/// Checks an attestation against the pool, the signer, its signature and expiry, then submits
/// it. `source` names where it came from (a file path or an attestor URL) in messages.
pub async fn submit<C: Chain>(
    ctx: &Ctx<'_, C>,
    addr: &Pubkey,
    file: &AttestationFile,
    source: &str,
) -> Result<Printed, CliError> {
    let p = lookup::pool(ctx, addr).await?;
    let me = ctx.signer()?.pubkey();
    if file.program_id != ctx.program_id {
        return Err(CliError::input(format!(
            "the attestation is for program {}, not {}",
            file.program_id, ctx.program_id
        )));
    }
    if file.pool != *addr {
        return Err(CliError::input(format!(
            "the attestation is for pool {}, not {addr}",
            file.pool
        )));
    }
    if file.contributor != me {
        return Err(CliError::input(format!(
            "the attestation is for wallet {}, but you sign as {me}",
            file.contributor
        ))
        .with_hint("pass the contributor's keypair with -k"));
    }
    let msg = file.message();
    if !solana_signature::Signature::from(file.signature).verify(file.attestor.as_ref(), &msg) {
        return Err(CliError::input(format!(
            "{source}: the signature does not verify (the file was altered or signed for other values)"
        )));
    }
    let now = ctx.chain.unix_time().await?;
    if file.expires_at <= now {
        return Err(CliError::input(format!(
            "the attestation expired at {}",
            format_time(file.expires_at)
        ))
        .with_hint("ask the attestor for a fresh attestation"));
    }
    if file.score > p.params.max_score {
        return Err(CliError::failed(format!(
            "score {} is above the pool's maximum {}",
            file.score, p.params.max_score
        )));
    }
    let contribution = find_contributor_pda(&ctx.program_id, addr, &file.identity).0;
    let held = query::contributor_opt(ctx.chain, &ctx.program_id, &contribution).await?;
    if let Some(c) = &held {
        if !c.is_active() {
            return Err(CliError::failed(format!(
                "DataInvalidated: this person's contribution ({contribution}) was invalidated as fraudulent; they cannot enter the pool again"
            )));
        }
        if c.wallet != me {
            return Err(CliError::failed(format!(
                "IdentityTaken: this person's data is in the pool already, from wallet {} ({contribution})",
                c.wallet
            ))
            .with_hint("one contribution per person: resubmit from that wallet to replace it, or leave from it first"));
        }
    }
    let args = ix::ContributionSubmitArgs {
        identity: file.identity,
        data_hash: file.data_hash,
        score: file.score,
        expires_at: file.expires_at,
    };
    let submit = ix::contribution_submit(
        &ctx.program_id,
        &ctx.payer()?.pubkey(),
        &me,
        addr,
        &file.attestor,
        args,
    );
    let sent = ctx
        .send("Contribute", &[file.verify_ix(), submit], true, &[])
        .await?;
    let submitted = sent.events.iter().find_map(|e| match e {
        DataPoolEvent::ContributionSubmitted(c) => Some(c),
        _ => None,
    });
    let replaced = submitted
        .map(|c| c.previous_score)
        .filter(|&s| s > 0)
        .or(held.map(|c| c.weight));
    let summary = match replaced {
        Some(old) => format!(
            "Replaced your contribution to pool {}: score {old} → {}",
            p.name, file.score
        ),
        None => format!("Contributed to pool {} with score {}", p.name, file.score),
    };
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Contributed {
            pool: addr.to_string(),
            contribution: contribution.to_string(),
            score: file.score,
            data_hash: hex::encode(file.data_hash),
            identity: hex::encode(file.identity),
            weight: submitted.map(|c| c.score),
            replaced,
        },
        summary,
        vec![("Contribution", contribution.to_string())],
    )))
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
pub async fn contribute_export<C: Chain>(
    ctx: &Ctx<'_, C>,
    pool: &Pubkey,
    files: &[PathBuf],
    url: &str,
) -> Result<Printed, CliError> {
    let me = ctx.signer()?.pubkey();
    let owned = files.to_vec();
    let (local_hash, body, records) = tokio::task::spawn_blocking(move || {
        let l = read_paths(&owned, &Limits::default()).map_err(export_error)?;
        Ok::<_, CliError>((canonical_hash(&l), upload_body(&owned)?, Records::of(&l)))
    })
    .await
    .map_err(|e| CliError::failed(format!("reading the export failed: {e}")))??;
    ctx.confirm(&Review {
        title: format!("Contribute your Spotify export to pool {pool}"),
        rows: vec![
            (
                "attest".into(),
                format!("the export is sent to {url} to be scored and signed, and not kept"),
            ),
            (
                "store".into(),
                format!(
                    "its {} plays (end time, artist, track, ms; no IP, device or username) are stored with the pool's data service, encrypted to the pool's custodians, to deliver the slices the pool sells",
                    records.plays.len()
                ),
            ),
            (
                "leave".into(),
                "`datapool contribution leave` takes your data out of every later sale and returns the deposit".into(),
            ),
        ],
    })?;
    let endpoint = format!("{}/attest?wallet={me}", url.trim_end_matches('/'));
    let resp = reqwest::Client::new()
        .post(&endpoint)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .map_err(|e| unreachable("the attestor", url, e))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| CliError::failed(format!("the attestor at {url} broke off: {e}")))?;
    if !status.is_success() {
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
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
    // Stored before the contribution goes on chain: a failed upload leaves nothing on chain.
    upload_records(url, &att, &records).await?;
    submit(ctx, pool, &att, url).await
}

/// Exit 3: `who` at `url` could not be reached.
fn unreachable(who: &str, url: &str, e: reqwest::Error) -> CliError {
    CliError {
        code: EXIT_UNREACHABLE,
        ..CliError::failed(format!("cannot reach {who} at {url}: {e}"))
    }
}

/// Stores canonical records with the pool's data service (`PUT /v1/records`); the service
/// checks them against the attestation. A service that keeps no records is told on stderr.
async fn upload_records(
    url: &str,
    att: &AttestationFile,
    records: &Records,
) -> Result<(), CliError> {
    let endpoint = format!("{}/v1/records", url.trim_end_matches('/'));
    let body = serde_json::json!({ "attestation": att, "records": records });
    let resp = reqwest::Client::new()
        .put(&endpoint)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| unreachable("the data service", url, e))?;
    let status = resp.status();
    let v: serde_json::Value = resp
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if status.is_success() {
        eprintln!(
            "stored {} plays with the pool's data service, encrypted to its custodians",
            records.plays.len()
        );
        return Ok(());
    }
    if status.as_u16() == 404 && v["error"] == "store" {
        eprintln!("note: {url} keeps no records; the pool cannot deliver your data until it does");
        return Ok(());
    }
    Err(CliError::failed(format!(
        "the data service refused the records ({status}): {}",
        v["detail"].as_str().unwrap_or("no detail")
    ))
    .with_hint("nothing was submitted on chain"))
}
