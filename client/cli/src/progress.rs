//! Story progress on a terminal: one bar per phase (indicatif), or a line per phase when stderr
//! is not a terminal.

use std::sync::Mutex;

use data_pool_client::story::Progress;

/// Progress bars on stderr.
pub struct Bars {
    bar: Mutex<Option<indicatif::ProgressBar>>,
    label: Mutex<(&'static str, u64)>,
    terminal: bool,
}

impl Bars {
    /// Bars when `terminal`, plain lines otherwise.
    pub fn new(terminal: bool) -> Self {
        Bars {
            bar: Mutex::new(None),
            label: Mutex::new(("", 0)),
            terminal,
        }
    }
}

impl Progress for Bars {
    fn start(&self, label: &'static str, total: u64) {
        if let Ok(mut l) = self.label.lock() {
            *l = (label, total);
        }
        if !self.terminal {
            return;
        }
        let b = indicatif::ProgressBar::new(total);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "  {prefix:<14} [{bar:30}] {pos}/{len} {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b.set_prefix(label);
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(b);
        }
    }

    fn step(&self) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(b) = slot.as_ref() {
                b.inc(1);
            }
        }
    }

    fn finish(&self) {
        let bar = self.bar.lock().ok().and_then(|mut s| s.take());
        match bar {
            Some(b) => b.finish(),
            None => {
                if let Ok(l) = self.label.lock() {
                    eprintln!("  {:<14} {}/{} done", l.0, l.1, l.1);
                }
            }
        }
    }

    fn note(&self, line: &str) {
        // Over a running bar, the note is printed above it rather than through it.
        let slot = self.bar.lock().ok();
        match slot.as_ref().and_then(|s| s.as_ref()) {
            Some(b) => b.suspend(|| eprintln!("  {line}")),
            None => eprintln!("  {line}"),
        }
    }
}
