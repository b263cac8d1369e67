//! Writing and reading the dataset's Parquet files (arrow-rs `parquet`, its low-level writer:
//! no Arrow arrays needed for four flat tables). Snappy-compressed, strings dictionary-encoded.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::record::{Field, RowAccessor};
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::Type;

use super::DatasetError;
use crate::spotify::Record;

/// Rows buffered before a row group is written.
const ROW_GROUP: usize = 256 * 1024;

fn pq(e: impl std::fmt::Display) -> DatasetError {
    DatasetError::Parquet(e.to_string())
}

fn schema(text: &str) -> Result<Arc<Type>, DatasetError> {
    parse_message_type(text).map(Arc::new).map_err(pq)
}

fn props() -> Arc<WriterProperties> {
    Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build(),
    )
}

/// One column's values for a row group.
enum Column {
    Text(Vec<ByteArray>),
    Long(Vec<i64>),
    Int(Vec<i32>),
}

fn write_group(
    w: &mut SerializedFileWriter<Vec<u8>>,
    cols: Vec<Column>,
) -> Result<(), DatasetError> {
    let mut rg = w.next_row_group().map_err(pq)?;
    for col in cols {
        let mut c = rg
            .next_column()
            .map_err(pq)?
            .ok_or_else(|| pq("schema has fewer columns"))?;
        match col {
            Column::Text(v) => c.typed::<ByteArrayType>().write_batch(&v, None, None),
            Column::Long(v) => c.typed::<Int64Type>().write_batch(&v, None, None),
            Column::Int(v) => c.typed::<Int32Type>().write_batch(&v, None, None),
        }
        .map_err(pq)?;
        c.close().map_err(pq)?;
    }
    rg.close().map_err(pq)?;
    Ok(())
}

const ROWS_SCHEMA: &str = "message rows {
  REQUIRED BYTE_ARRAY contributor (UTF8);
  REQUIRED INT64 end_time (TIMESTAMP(MILLIS,true));
  REQUIRED BYTE_ARRAY artist (UTF8);
  REQUIRED BYTE_ARRAY track (UTF8);
  REQUIRED INT64 ms_played;
}";

/// The `rows` file, written a row group at a time.
pub(crate) struct RowsWriter {
    w: SerializedFileWriter<Vec<u8>>,
    contributor: Vec<ByteArray>,
    end_time: Vec<i64>,
    artist: Vec<ByteArray>,
    track: Vec<ByteArray>,
    ms: Vec<i64>,
}

impl RowsWriter {
    pub(crate) fn new() -> Result<Self, DatasetError> {
        Ok(RowsWriter {
            w: SerializedFileWriter::new(Vec::new(), schema(ROWS_SCHEMA)?, props()).map_err(pq)?,
            contributor: vec![],
            end_time: vec![],
            artist: vec![],
            track: vec![],
            ms: vec![],
        })
    }

    pub(crate) fn add(
        &mut self,
        pseudonym: &[u8; 32],
        plays: &[Record],
    ) -> Result<(), DatasetError> {
        let who = ByteArray::from(hex::encode(pseudonym).into_bytes());
        for p in plays {
            self.contributor.push(who.clone());
            self.end_time.push(p.end_minute.saturating_mul(60_000));
            self.artist.push(ByteArray::from(p.artist.as_str()));
            self.track.push(ByteArray::from(p.track.as_str()));
            self.ms.push(i64::from(p.ms));
        }
        if self.contributor.len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), DatasetError> {
        if self.contributor.is_empty() {
            return Ok(());
        }
        let cols = vec![
            Column::Text(std::mem::take(&mut self.contributor)),
            Column::Long(std::mem::take(&mut self.end_time)),
            Column::Text(std::mem::take(&mut self.artist)),
            Column::Text(std::mem::take(&mut self.track)),
            Column::Long(std::mem::take(&mut self.ms)),
        ];
        write_group(&mut self.w, cols)
    }

    pub(crate) fn finish(mut self) -> Result<Vec<u8>, DatasetError> {
        self.flush()?;
        self.w.into_inner().map_err(pq)
    }
}

fn reader(bytes: Vec<u8>) -> Result<SerializedFileReader<Bytes>, DatasetError> {
    SerializedFileReader::new(Bytes::from(bytes)).map_err(pq)
}

/// Reads a `rows` file: each pseudonym's plays, in file order. A pseudonym whose rows are not
/// one contiguous run is refused.
pub(crate) fn read_rows(bytes: Vec<u8>) -> Result<BTreeMap<[u8; 32], Vec<Record>>, DatasetError> {
    let r = reader(bytes)?;
    let mut out: BTreeMap<[u8; 32], Vec<Record>> = BTreeMap::new();
    let mut current: Option<[u8; 32]> = None;
    for row in r.get_row_iter(None).map_err(pq)? {
        let row = row.map_err(pq)?;
        let who: [u8; 32] = hex::decode(row.get_string(0).map_err(pq)?)
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| {
                DatasetError::Mismatch("a contributor is not a 64-hex pseudonym".into())
            })?;
        if current != Some(who) {
            if out.contains_key(&who) {
                return Err(DatasetError::Mismatch(format!(
                    "the rows of pseudonym {} are not contiguous",
                    hex::encode(who)
                )));
            }
            current = Some(who);
        }
        let ms = row.get_long(4).map_err(pq)?;
        out.entry(who).or_default().push(Record {
            end_minute: row.get_timestamp_millis(1).map_err(pq)? / 60_000,
            artist: row.get_string(2).map_err(pq)?.clone(),
            track: row.get_string(3).map_err(pq)?.clone(),
            ms: u32::try_from(ms)
                .map_err(|_| DatasetError::Mismatch(format!("ms_played {ms} out of range")))?,
        });
    }
    Ok(out)
}

/// Per-group totals over contributions: plays, listeners (contributions), milliseconds.
pub(crate) struct AggregateTable<K> {
    groups: HashMap<K, [u64; 3]>,
}

impl<K> Default for AggregateTable<K> {
    fn default() -> Self {
        AggregateTable {
            groups: HashMap::new(),
        }
    }
}

impl<K: Hash + Eq + Ord + Clone> AggregateTable<K> {
    /// Adds one contribution's plays `(group, ms)`.
    pub(crate) fn add(&mut self, plays: impl Iterator<Item = (K, u32)>) {
        let mut mine: HashMap<K, (u64, u64)> = HashMap::new();
        for (k, ms) in plays {
            let e = mine.entry(k).or_default();
            e.0 += 1;
            e.1 += u64::from(ms);
        }
        for (k, (plays, ms)) in mine {
            let g = self.groups.entry(k).or_default();
            g[0] += plays;
            g[1] += 1;
            g[2] += ms;
        }
    }

    /// The groups with at least `k` listeners, sorted by key.
    fn kept(self, k: u32) -> Vec<(K, [u64; 3])> {
        let mut v: Vec<_> = self
            .groups
            .into_iter()
            .filter(|(_, g)| g[1] >= u64::from(k))
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }

    fn counts(v: &[(K, [u64; 3])]) -> Vec<Column> {
        (0..3)
            .map(|i| Column::Long(v.iter().map(|(_, g)| g[i] as i64).collect()))
            .collect()
    }

    fn write(
        self,
        k: u32,
        key_schema: &str,
        keys: impl Fn(&[(K, [u64; 3])]) -> Vec<Column>,
    ) -> Result<Vec<u8>, DatasetError> {
        let v = self.kept(k);
        let mut cols = keys(&v);
        cols.extend(Self::counts(&v));
        let text = format!(
            "message groups {{ {key_schema} REQUIRED INT64 plays; REQUIRED INT64 listeners; REQUIRED INT64 ms_played; }}"
        );
        let mut w = SerializedFileWriter::new(Vec::new(), schema(&text)?, props()).map_err(pq)?;
        write_group(&mut w, cols)?;
        w.into_inner().map_err(pq)
    }
}

fn text<K>(v: &[(K, [u64; 3])], f: impl Fn(&K) -> &str) -> Column {
    Column::Text(v.iter().map(|(k, _)| ByteArray::from(f(k))).collect())
}

/// The table by artist and track.
pub(crate) fn write_tracks(
    t: AggregateTable<(String, String)>,
    k: u32,
) -> Result<Vec<u8>, DatasetError> {
    t.write(
        k,
        "REQUIRED BYTE_ARRAY artist (UTF8); REQUIRED BYTE_ARRAY track (UTF8);",
        |v| vec![text(v, |k| &k.0), text(v, |k| &k.1)],
    )
}

/// The table by artist.
pub(crate) fn write_artists(t: AggregateTable<String>, k: u32) -> Result<Vec<u8>, DatasetError> {
    t.write(k, "REQUIRED BYTE_ARRAY artist (UTF8);", |v| {
        vec![text(v, |k| k)]
    })
}

/// The table by day (UTC).
pub(crate) fn write_days(t: AggregateTable<i32>, k: u32) -> Result<Vec<u8>, DatasetError> {
    t.write(k, "REQUIRED INT32 day (DATE);", |v| {
        vec![Column::Int(v.iter().map(|(d, _)| *d).collect())]
    })
}

/// One group of an aggregate table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AggregateRow {
    /// The group: artist, artist and track, or the day (days since 1970-01-01).
    pub key: Vec<String>,
    /// Plays in the group.
    pub plays: u64,
    /// Contributions with a play in the group.
    pub listeners: u64,
    /// Milliseconds played.
    pub ms_played: u64,
}

/// Reads an aggregate table.
pub fn read_aggregate(bytes: Vec<u8>) -> Result<Vec<AggregateRow>, DatasetError> {
    let r = reader(bytes)?;
    let mut out = vec![];
    for row in r.get_row_iter(None).map_err(pq)? {
        let row = row.map_err(pq)?;
        let mut a = AggregateRow {
            key: vec![],
            plays: 0,
            listeners: 0,
            ms_played: 0,
        };
        for (name, field) in row.get_column_iter() {
            match (name.as_str(), field) {
                (_, Field::Str(s)) => a.key.push(s.clone()),
                (_, Field::Date(d)) => a.key.push(d.to_string()),
                ("plays", Field::Long(v)) => a.plays = *v as u64,
                ("listeners", Field::Long(v)) => a.listeners = *v as u64,
                ("ms_played", Field::Long(v)) => a.ms_played = *v as u64,
                (n, f) => return Err(pq(format!("unexpected column {n}: {f}"))),
            }
        }
        out.push(a);
    }
    Ok(out)
}
