//! What may reach a terminal: the one place text output is made safe from strings that come from
//! the chain or from files. A leaf module: `output` and `context` both use it.

/// Whether `c` must not reach a terminal as itself: control characters other than newline and
/// tab (C0, DEL, C1: escape sequences, bells, carriage returns that overwrite a line) and the
/// Unicode bidirectional controls (which reorder what is displayed).
fn unsafe_on_terminal(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` safe to print to a terminal: every character a string from the chain or a file could
/// use to recolour or retitle the terminal, move the cursor, erase lines or reorder text is
/// written as a visible escape (`\u{1b}`). The one place text output passes through; JSON
/// output is never changed (serde escapes C0 controls itself, and a script reads it exactly).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_on_terminal) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_on_terminal(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
