//! Streaming readers of Spotify exports: JSON files record by record, `.zip` archives entry by
//! entry, folders, and uploads held in memory.

use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::{DeserializeSeed, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::export::*;

/// The fields of both flavours we read; every other field (IP address, user agent, country…) is
/// skipped by serde without being stored. `username` is hashed at once and dropped.
#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "endTime")]
    end_time: Option<String>,
    #[serde(rename = "artistName")]
    artist_name: Option<String>,
    #[serde(rename = "trackName")]
    track_name: Option<String>,
    #[serde(rename = "msPlayed")]
    ms_played_account: Option<i64>,
    ts: Option<String>,
    ms_played: Option<i64>,
    master_metadata_track_name: Option<String>,
    master_metadata_album_artist_name: Option<String>,
    episode_name: Option<String>,
    spotify_episode_uri: Option<String>,
    audiobook_title: Option<String>,
    #[serde(rename = "podcastName")]
    podcast_name: Option<String>,
    #[serde(rename = "episodeName")]
    episode_name_account: Option<String>,
    username: Option<String>,
}

/// `Userdata.json` of the "Account data" export: only the account name is read (and hashed).
#[derive(Deserialize)]
struct RawUserdata {
    username: Option<String>,
}

/// Largest `Userdata.json` read, in bytes.
const MAX_USERDATA_BYTES: u64 = 1 << 20;

/// Whether a file (or zip entry) is the account's `Userdata.json`.
fn is_userdata(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.eq_ignore_ascii_case("Userdata.json")
}

/// Reads the account name of a `Userdata.json` into `out.accounts`, as its digest.
fn read_userdata<R: Read>(reader: R, name: &str, out: &mut Listening) -> Result<(), ExportError> {
    let mut text = Vec::new();
    reader
        .take(MAX_USERDATA_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(|e| ExportError::Io {
            file: name.into(),
            detail: e.to_string(),
        })?;
    if text.len() as u64 > MAX_USERDATA_BYTES {
        return Err(ExportError::TooLarge {
            file: name.into(),
            bytes: text.len() as u64,
            limit: MAX_USERDATA_BYTES,
        });
    }
    let raw: RawUserdata = serde_json::from_slice(&text).map_err(|e| ExportError::NotJson {
        file: name.into(),
        detail: e.to_string(),
    })?;
    if let Some(u) = raw.username.filter(|u| !u.trim().is_empty()) {
        out.accounts.insert(super::identity::account_digest(&u));
    }
    Ok(())
}

struct FileSeed<'a> {
    out: &'a mut Listening,
    flavor: Flavor,
    file: &'a str,
    limits: &'a Limits,
    error: &'a mut Option<ExportError>,
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of streaming-history records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0u64;
        while let Some(raw) = seq.next_element::<Raw>()? {
            if let Err(e) = accept(self.out, self.flavor, self.file, index, raw, self.limits) {
                *self.error = Some(e);
                // Drain the rest without keeping it.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return Ok(());
            }
            index += 1;
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

fn accept(
    out: &mut Listening,
    flavor: Flavor,
    file: &str,
    index: u64,
    r: Raw,
    limits: &Limits,
) -> Result<(), ExportError> {
    let bad = |detail: &str| ExportError::BadRecord {
        file: file.into(),
        index,
        detail: detail.into(),
    };
    if let Some(u) = r.username.as_deref().filter(|u| !u.trim().is_empty()) {
        out.accounts.insert(super::identity::account_digest(u));
    }
    let (ts, ms, artist, track) = match flavor {
        Flavor::AccountMusic | Flavor::AccountPodcast => {
            let ts = r.end_time.ok_or_else(|| bad("no endTime"))?;
            let ms = r.ms_played_account.ok_or_else(|| bad("no msPlayed"))?;
            if flavor == Flavor::AccountPodcast
                || r.podcast_name.is_some()
                || r.episode_name_account.is_some()
            {
                check_record(file, index, &ts, ms, limits)?;
                out.non_music += 1;
                return Ok(());
            }
            (
                ts,
                ms,
                r.artist_name.ok_or_else(|| bad("no artistName"))?,
                r.track_name.ok_or_else(|| bad("no trackName"))?,
            )
        }
        Flavor::Extended => {
            let ts = r.ts.ok_or_else(|| bad("no ts"))?;
            let ms = r.ms_played.ok_or_else(|| bad("no ms_played"))?;
            match (
                r.master_metadata_track_name,
                r.master_metadata_album_artist_name,
            ) {
                (Some(t), Some(a)) => (ts, ms, a, t),
                _ => {
                    // Episodes, audiobooks, and rows Spotify left without metadata.
                    let _ = (&r.episode_name, &r.spotify_episode_uri, &r.audiobook_title);
                    check_record(file, index, &ts, ms, limits)?;
                    out.non_music += 1;
                    return Ok(());
                }
            }
        }
    };
    let secs = check_record(file, index, &ts, ms, limits)?;
    let ms = u32::try_from(ms).map_err(|_| bad("msPlayed is larger than 49 days"))?;
    let artist = out.intern(artist.trim());
    let track = out.intern(track.trim());
    out.plays.push(Play {
        end_minute: secs.div_euclid(60),
        artist,
        track,
        ms,
    });
    Ok(())
}

fn check_record(
    file: &str,
    index: u64,
    ts: &str,
    ms: i64,
    limits: &Limits,
) -> Result<i64, ExportError> {
    if ms < 0 {
        return Err(ExportError::NegativeDuration {
            file: file.into(),
            index,
            ms,
        });
    }
    let t = |why| ExportError::BadTime {
        file: file.into(),
        index,
        ts: ts.into(),
        why,
    };
    let secs = parse_time(ts).ok_or_else(|| t("not a timestamp"))?;
    if secs < EARLIEST {
        return Err(t("before 2008"));
    }
    if secs > limits.now.saturating_add(86_400) {
        return Err(t("in the future"));
    }
    Ok(secs)
}

/// Counts bytes read and stops at a limit.
struct Counted<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other("size limit"));
        }
        Ok(n)
    }
}

fn read_json<R: Read>(
    reader: R,
    name: &str,
    flavor: Flavor,
    out: &mut Listening,
    limits: &Limits,
    budget: &mut u64,
) -> Result<(), ExportError> {
    let limit = limits.max_file_bytes.min(*budget);
    let mut counted = Counted {
        inner: reader,
        read: 0,
        limit,
    };
    let mut error = None;
    let result = {
        let mut de =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, &mut counted));
        let seed = FileSeed {
            out,
            flavor,
            file: name,
            limits,
            error: &mut error,
        };
        seed.deserialize(&mut de).and_then(|_| de.end())
    };
    *budget = budget.saturating_sub(counted.read);
    if counted.read > limit {
        return Err(ExportError::TooLarge {
            file: name.into(),
            bytes: counted.read,
            limit,
        });
    }
    if let Some(e) = error {
        return Err(e);
    }
    result.map_err(|e| ExportError::NotJson {
        file: name.into(),
        detail: e.to_string(),
    })?;
    out.files.push(name.to_string());
    Ok(())
}

fn read_zip<R: Read + std::io::Seek>(
    reader: R,
    name: String,
    out: &mut Listening,
    limits: &Limits,
    budget: &mut u64,
) -> Result<(), ExportError> {
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| ExportError::BadZip {
        file: name.clone(),
        detail: e.to_string(),
    })?;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| ExportError::BadZip {
            file: name.clone(),
            detail: e.to_string(),
        })?;
        let entry_name = entry.name().to_string();
        if is_userdata(&entry_name) {
            read_userdata(entry, &format!("{name}:{entry_name}"), out)?;
            continue;
        }
        let Some(flavor) = flavor_of(&entry_name) else {
            continue;
        };
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        let label = format!("{name}:{entry_name}");
        if declared / compressed > limits.max_zip_ratio && declared > (1 << 20) {
            return Err(ExportError::ZipBomb {
                file: name.clone(),
                entry: entry_name,
                ratio: declared / compressed,
                limit: limits.max_zip_ratio,
            });
        }
        // Declared sizes can lie: the reader counts what really comes out.
        let ratio_limit = compressed.saturating_mul(limits.max_zip_ratio).max(1 << 20);
        let mut capped = Limits {
            max_file_bytes: limits.max_file_bytes.min(ratio_limit),
            ..*limits
        };
        capped.max_file_bytes = capped.max_file_bytes.max(1);
        match read_json(entry, &label, flavor, out, &capped, budget) {
            Err(ExportError::TooLarge { bytes, .. }) if ratio_limit < limits.max_file_bytes => {
                return Err(ExportError::ZipBomb {
                    file: name,
                    entry: entry_name,
                    ratio: bytes / compressed,
                    limit: limits.max_zip_ratio,
                })
            }
            r => r?,
        }
    }
    Ok(())
}

/// Reads streaming history from `paths`: JSON files, `.zip` exports, or directories holding them.
/// Of the other files only `Userdata.json` is opened, for its account name; Payments.json and
/// the rest never are.
pub fn read_paths(paths: &[PathBuf], limits: &Limits) -> Result<Listening, ExportError> {
    let mut out = Listening::default();
    let mut budget = limits.max_total_bytes;
    let mut found = false;
    // (path, named on the command line): a file named explicitly is read whatever its name.
    let mut queue: Vec<(PathBuf, bool)> = paths.iter().map(|p| (p.clone(), true)).collect();
    let label = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    while let Some((p, explicit)) = queue.pop() {
        let name = p.display().to_string();
        let meta = std::fs::metadata(&p).map_err(|e| ExportError::Io {
            file: name.clone(),
            detail: e.to_string(),
        })?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&p)
                .map_err(|e| ExportError::Io {
                    file: name.clone(),
                    detail: e.to_string(),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            queue.extend(entries.into_iter().rev().map(|e| (e, false)));
            continue;
        }
        // A file named on the command line is a zip by its content (`EXPORT.ZIP`, a download
        // without its extension); inside a folder, by its name.
        let zip = if explicit {
            is_zip(&p)
        } else {
            name.to_ascii_lowercase().ends_with(".zip")
        };
        if zip {
            let before = out.files.len();
            let f = std::fs::File::open(&p).map_err(|e| ExportError::Io {
                file: name.clone(),
                detail: e.to_string(),
            })?;
            read_zip(f, name.clone(), &mut out, limits, &mut budget)?;
            found |= out.files.len() > before;
            continue;
        }
        if is_userdata(&name) {
            let f = std::fs::File::open(&p).map_err(|e| ExportError::Io {
                file: name.clone(),
                detail: e.to_string(),
            })?;
            read_userdata(f, &name, &mut out)?;
            continue;
        }
        let flavor = match flavor_of(&name) {
            Some(f) => f,
            // A single file named explicitly: its content decides, not its name.
            None if explicit => match sniff(&p) {
                Some(f) => f,
                None if name.ends_with(".json") => Flavor::Extended,
                None => continue,
            },
            None => continue,
        };
        if meta.len() > limits.max_file_bytes {
            return Err(ExportError::TooLarge {
                file: name,
                bytes: meta.len(),
                limit: limits.max_file_bytes,
            });
        }
        let f = std::fs::File::open(&p).map_err(|e| ExportError::Io {
            file: name.clone(),
            detail: e.to_string(),
        })?;
        read_json(f, &name, flavor, &mut out, limits, &mut budget)?;
        found = true;
    }
    if !found {
        return Err(ExportError::NotAnExport(label));
    }
    if out.plays.is_empty() {
        return Err(ExportError::Empty(label));
    }
    Ok(out)
}

/// Reads an uploaded export held in memory: a `.zip` (by its magic bytes) or one JSON file.
pub fn read_upload(name: &str, bytes: &[u8], limits: &Limits) -> Result<Listening, ExportError> {
    let mut out = Listening::default();
    let mut budget = limits.max_total_bytes;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ExportError::TooLarge {
            file: name.into(),
            bytes: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    if bytes.starts_with(ZIP_MAGIC) {
        read_zip(
            std::io::Cursor::new(bytes),
            name.to_string(),
            &mut out,
            limits,
            &mut budget,
        )?;
        if out.files.is_empty() {
            return Err(ExportError::NotAnExport(name.into()));
        }
    } else {
        let flavor = sniff_bytes(&bytes[..bytes.len().min(4096)])
            .ok_or_else(|| ExportError::NotAnExport(name.into()))?;
        read_json(bytes, name, flavor, &mut out, limits, &mut budget)?;
    }
    if out.plays.is_empty() {
        return Err(ExportError::Empty(name.into()));
    }
    Ok(out)
}

/// The first bytes of every zip archive (a local file header).
const ZIP_MAGIC: &[u8; 4] = b"PK\x03\x04";

/// Whether the file at `p` starts like a zip archive.
fn is_zip(p: &Path) -> bool {
    let mut head = [0u8; 4];
    std::fs::File::open(p)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == ZIP_MAGIC)
}

/// Guesses the flavour of a JSON file from its first record's keys.
fn sniff(p: &Path) -> Option<Flavor> {
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(p).ok()?.read(&mut head).ok()?;
    sniff_bytes(&head[..n])
}

fn sniff_bytes(head: &[u8]) -> Option<Flavor> {
    let text = String::from_utf8_lossy(head);
    if text.contains("\"endTime\"") {
        Some(Flavor::AccountMusic)
    } else if text.contains("\"ts\"") {
        Some(Flavor::Extended)
    } else {
        None
    }
}
