//! Printing results as text or JSON, and errors with their hint and program logs.

use serde::Serialize;

use super::{CliError, OutputFormat};

/// A command's result: the same value as JSON and as text.
#[derive(Clone, Debug)]
pub struct Report {
    /// Machine-readable form.
    pub json: serde_json::Value,
    /// Human-readable form.
    pub text: String,
    /// Process exit code (0 unless the command reports a finding, like a failed audit).
    pub code: i32,
}

impl Report {
    /// A report from a serializable value and its text.
    pub fn new<T: Serialize>(value: &T, text: impl Into<String>) -> Self {
        Report {
            json: serde_json::to_value(value).unwrap_or(serde_json::Value::Null),
            text: text.into(),
            code: 0,
        }
    }
}

/// Renders `report` in `format`.
pub fn render(format: OutputFormat, report: &Report) -> String {
    match format {
        OutputFormat::Text => report.text.trim_end().to_string(),
        OutputFormat::Json => serde_json::to_string_pretty(&report.json).unwrap_or_default(),
        OutputFormat::JsonCompact => serde_json::to_string(&report.json).unwrap_or_default(),
    }
}

/// Prints the outcome and returns the process exit code.
pub fn print_result(format: OutputFormat, result: Result<Report, CliError>) -> i32 {
    match result {
        Ok(r) => {
            // Streaming commands (`events --follow`) print as they go and return nothing.
            if !(r.json.is_null() && r.text.is_empty()) {
                println!("{}", render(format, &r));
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
                println!("{}", s.unwrap_or_default());
            }
            e.code
        }
    }
}

/// The error as people read it.
pub fn error_text(e: &CliError) -> String {
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
