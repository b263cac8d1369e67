//! Printing: every command's result is one `Serialize + Display` type, printed as text
//! (`Display`), pretty JSON or compact JSON (`Serialize`) — one value, three ways, its JSON shape
//! documented by the type. Errors print with their hint and program logs. Text helpers for
//! aligned fields and tables live here too.

use std::fmt;

use data_pool_client::chain::Chain;
use data_pool_client::checks::Check;
use data_pool_client::events::{event_json, raw_events_from_logs};
use data_pool_client::send::Sent;
use serde::Serialize;

use crate::args::OutputFormat;
use crate::context::Ctx;
use crate::error::CliError;
pub use crate::terminal::terminal_safe;

/// A command's result, rendered: its JSON value and its text. Made only from a typed result
/// ([`Printed::of`]), so the two forms cannot disagree.
#[derive(Clone, Debug)]
pub struct Printed {
    /// The result as JSON.
    pub json: serde_json::Value,
    /// The result as text.
    pub text: String,
    /// Process exit code (0 unless the command reports a finding, like a failed audit).
    pub code: i32,
}

impl Printed {
    /// Renders a typed result.
    pub fn of<T: Serialize + fmt::Display>(value: &T) -> Self {
        Printed {
            json: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
            text: value.to_string(),
            code: 0,
        }
    }

    /// Nothing to print (a streaming command printed as it went).
    pub fn nothing() -> Self {
        Printed {
            json: serde_json::Value::Null,
            text: String::new(),
            code: 0,
        }
    }

    /// With exit code `code`.
    pub fn with_code(mut self, code: i32) -> Self {
        self.code = code;
        self
    }
}

/// Renders `printed` in `format`.
pub fn render(format: OutputFormat, printed: &Printed) -> String {
    match format {
        OutputFormat::Text => terminal_safe(printed.text.trim_end()).into_owned(),
        OutputFormat::Json => serde_json::to_string_pretty(&printed.json).unwrap_or_default(),
        OutputFormat::JsonCompact => serde_json::to_string(&printed.json).unwrap_or_default(),
    }
}

/// Writes `line` and a newline to standard output. A reader that went away (`datapool … | head`)
/// ends the process quietly with success, as Unix tools do; any other write error is reported.
pub fn print_line(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Prints the outcome and returns the process exit code.
pub fn print_result(format: OutputFormat, result: Result<Printed, CliError>) -> i32 {
    match result {
        Ok(r) => {
            if !(r.json.is_null() && r.text.is_empty()) {
                print_line(render(format, &r));
            }
            r.code
        }
        Err(e) => {
            eprintln!("{}", error_text(&e));
            if format != OutputFormat::Text {
                let v = serde_json::json!({ "error": e });
                let s = if format == OutputFormat::Json {
                    serde_json::to_string_pretty(&v)
                } else {
                    serde_json::to_string(&v)
                };
                print_line(s.unwrap_or_default());
            }
            e.code
        }
    }
}

/// The error as people read it (terminal-safe: messages quote names and files).
pub fn error_text(e: &CliError) -> String {
    terminal_safe(&error_lines(e)).into_owned()
}

fn error_lines(e: &CliError) -> String {
    let mut s = format!("error: {}", e.message);
    if let Some(h) = &e.hint {
        s.push_str(&format!("\n  hint: {h}"));
    }
    if !e.logs.is_empty() {
        s.push_str("\n  program logs:");
        for l in &e.logs {
            s.push_str(&format!("\n    {l}"));
        }
    }
    s
}

/// What a command that sends a transaction reports about it, around its own details `T`
/// (flattened into the same JSON object).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction<T: Serialize> {
    /// The command's own result.
    #[serde(flatten)]
    pub details: T,
    /// The transaction signature.
    pub signature: String,
    /// Compute units it used.
    pub compute_units: u64,
    /// The compute-unit limit it requested.
    pub compute_unit_limit: u32,
    /// The program's events, decoded.
    pub events: Vec<serde_json::Value>,
    /// One sentence saying what happened.
    #[serde(skip)]
    pub headline: String,
    /// More `label: value` lines for people.
    #[serde(skip)]
    pub rows: Vec<(&'static str, String)>,
    #[serde(skip)]
    event_names: Vec<&'static str>,
    #[serde(skip)]
    explorer: Option<String>,
}

impl<T: Serialize> Transaction<T> {
    /// The report of `sent`, with `details`, a headline and extra text rows.
    pub fn new<C: Chain>(
        ctx: &Ctx<'_, C>,
        sent: &Sent,
        details: T,
        headline: String,
        rows: Vec<(&'static str, String)>,
    ) -> Self {
        let events = raw_events_from_logs(&ctx.program_id, &sent.logs)
            .iter()
            .filter_map(|b| event_json(b))
            .collect();
        Transaction {
            details,
            signature: sent.signature.clone(),
            compute_units: sent.compute_units,
            compute_unit_limit: sent.compute_unit_limit,
            events,
            headline,
            rows,
            event_names: sent.events.iter().map(|e| e.name()).collect(),
            explorer: ctx
                .explorer
                .as_ref()
                .map(|sfx| format!("https://explorer.solana.com/tx/{}{sfx}", sent.signature)),
        }
    }
}

impl<T: Serialize> fmt::Display for Transaction<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut all = self.rows.clone();
        all.push(("Signature", self.signature.clone()));
        all.push((
            "Compute units",
            format!("{} (limit {})", self.compute_units, self.compute_unit_limit),
        ));
        if !self.event_names.is_empty() {
            all.push(("Events", self.event_names.join(", ")));
        }
        if let Some(link) = &self.explorer {
            all.push(("Explorer", link.clone()));
        }
        write!(f, "{}\n{}", self.headline, fields(&all))
    }
}

/// A list printed as a table (or a line saying it is empty) and as a JSON array.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct Listing<T: Serialize> {
    /// The items.
    pub items: Vec<T>,
    #[serde(skip)]
    header: &'static [&'static str],
    #[serde(skip)]
    rows: Vec<Vec<String>>,
    #[serde(skip)]
    empty: String,
}

impl<T: Serialize> Listing<T> {
    /// `items` with the table `header`, one text row per item from `row`, and what to say when
    /// there are none.
    pub fn new(
        items: Vec<T>,
        header: &'static [&'static str],
        row: impl Fn(&T) -> Vec<String>,
        empty: impl Into<String>,
    ) -> Self {
        let rows = items.iter().map(row).collect();
        Listing {
            items,
            header,
            rows,
            empty: empty.into(),
        }
    }
}

impl<T: Serialize> fmt::Display for Listing<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.items.is_empty() {
            write!(f, "{}", self.empty)
        } else {
            write!(f, "{}", table(self.header, &self.rows))
        }
    }
}

/// Basis points as a percentage (`5.00%`).
pub fn bps(v: u16) -> String {
    format!("{}.{:02}%", v / 100, v % 100)
}

/// `part` of `whole` as a percentage with four decimals.
pub fn share(part: u128, whole: u128) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let ppm = part.saturating_mul(1_000_000) / whole;
    format!("{}.{:04}%", ppm / 10_000, ppm % 10_000)
}

/// Verdicts as text: one line per check, one more per finding.
pub fn checks_text(title: &str, checks: &[Check]) -> String {
    let mut out = format!("{title}\n");
    for c in checks {
        out.push_str(&format!(
            "  {} {}. {}: {}\n",
            if c.ok { "ok  " } else { "FAIL" },
            c.number,
            c.name,
            c.detail
        ));
        for f in &c.findings {
            out.push_str(&format!(
                "       {} — account {}: expected {}, found {}\n",
                f.note, f.account, f.expected, f.actual
            ));
        }
    }
    out
}

/// Lines `label: value` aligned.
pub fn fields(rows: &[(&str, String)]) -> String {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{:<w$}  {v}\n", format!("{k}:"), w = width + 1))
        .collect()
}

/// A plain table with a header row.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header.iter().map(|s| s.to_string()).collect());
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}
