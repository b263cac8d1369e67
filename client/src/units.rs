//! Amounts in a mint's UI units (`55000`, `0.5`) and durations (`90s`, `3d`, `1h30m`), parsed
//! exactly (no floating point) and printed back.

/// How a person reads a mint next to an amount: the symbol of the stablecoins pools pay in
/// (USDC, USDT, PYUSD on mainnet; USDC on devnet), else its address shortened (`Gp9o…WFWf`).
pub fn mint_label(mint: &anchor_lang::prelude::Pubkey) -> String {
    let m = mint.to_string();
    let known = match m.as_str() {
        "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v" => Some("USDC"),
        "4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU" => Some("USDC"),
        "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB" => Some("USDT"),
        "2b1kV6DkPAnxd5ixfnxCpjxmKwqjjaYmCZfHsFu24GXo" => Some("PYUSD"),
        _ => None,
    };
    match known {
        Some(s) => s.to_string(),
        None => format!("{}…{}", &m[..4], &m[m.len() - 4..]),
    }
}

/// Amounts of one mint, for people: its decimals and label, worked out once.
#[derive(Clone, Debug)]
pub struct Money {
    decimals: u8,
    label: String,
}

impl Money {
    /// Amounts of `mint`, which has `decimals` decimals.
    pub fn of(mint: &anchor_lang::prelude::Pubkey, decimals: u8) -> Self {
        Money {
            decimals,
            label: mint_label(mint),
        }
    }

    /// The mint's label (`USDC`, or the mint shortened).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// `amount` base units in UI units with the label: `55,000 USDC`.
    pub fn show(&self, amount: impl Into<u128>) -> String {
        format_money(amount.into(), self.decimals, &self.label)
    }
}

/// An amount in UI units with its mint's label: `55,000 USDC`.
pub fn format_money(amount: u128, decimals: u8, label: &str) -> String {
    format!("{} {label}", format_amount(amount, decimals))
}

/// Parses a UI amount of a mint with `decimals` into base units.
pub fn parse_amount(text: &str, decimals: u8) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    let bad = || format!("{text:?} is not an amount (examples: 55000, 0.5, 1_000)");
    if t.is_empty() || t.starts_with('-') {
        return Err(bad());
    }
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t.as_str(), ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(bad());
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > decimals as usize {
        return Err(format!(
            "{text:?} has more than {decimals} decimal places, the mint's precision"
        ));
    }
    let scale = 10u64.checked_pow(u32::from(decimals)).ok_or_else(bad)?;
    let too_big = || format!("{text:?} is too large for a token amount");
    let w: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_big())?
    };
    let f: u64 = if frac.is_empty() {
        0
    } else {
        let padded = format!("{frac:0<width$}", width = decimals as usize);
        padded.parse().map_err(|_| bad())?
    };
    w.checked_mul(scale)
        .and_then(|v| v.checked_add(f))
        .ok_or_else(too_big)
}

/// Prints base units as a UI amount: `55000`, `0.5`, `12.000001`.
pub fn format_amount(amount: u128, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let whole = amount / scale;
    let frac = amount % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let f = format!("{frac:0width$}", width = decimals as usize);
    format!("{whole}.{}", f.trim_end_matches('0'))
}

/// Lamports as SOL: `2_039_280` → `0.00203928 SOL`.
pub fn format_sol(lamports: u64) -> String {
    format!("{} SOL", format_amount(lamports.into(), 9))
}

/// `(year, month, day)` of a day count since 1970-01-01 (proleptic Gregorian; Howard Hinnant's
/// algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A unix time as `YYYY-MM-DD HH:MM:SS UTC` (`-` for 0, the programs' "never").
pub fn format_time(ts: i64) -> String {
    if ts == 0 {
        return "-".into();
    }
    let (y, m, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3_600,
        secs % 3_600 / 60,
        secs % 60
    )
}

/// This machine's clock as a unix time (0 if it is set before 1970).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Parses a duration: a number with a unit `s m h d w` (`90s`, `3d`), several in a row
/// (`1h30m`), or plain seconds (`3600`).
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || format!("{text:?} is not a duration (examples: 90s, 45m, 3d, 1h30m)");
    if t.is_empty() {
        return Err(bad());
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse().map_err(|_| bad());
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: i64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: i64 = num.parse().map_err(|_| bad())?;
        num.clear();
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

/// Prints seconds as `3d 4h 5m 6s` (largest units first, zero parts left out).
pub fn format_duration(seconds: i64) -> String {
    if seconds == 0 {
        return "0s".into();
    }
    let sign = if seconds < 0 { "-" } else { "" };
    let mut s = seconds.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, len) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= len {
            parts.push(format!("{}{unit}", s / len));
            s %= len;
        }
    }
    format!("{sign}{}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("55000", 6), Ok(55_000_000_000));
        assert_eq!(parse_amount("0.5", 6), Ok(500_000));
        assert_eq!(parse_amount(".5", 6), Ok(500_000));
        assert_eq!(parse_amount("1_000.000001", 6), Ok(1_000_000_001));
        assert_eq!(parse_amount("7", 0), Ok(7));
        assert!(parse_amount("0.0000001", 6).is_err());
        assert!(parse_amount("-1", 6).is_err());
        assert!(parse_amount("1e3", 6).is_err());
        assert!(parse_amount("", 6).is_err());
        assert!(parse_amount(".", 6).is_err());
        assert!(parse_amount("18446744073709551616", 0).is_err());
        assert!(parse_amount("18446744073710", 6).is_err());
        assert_eq!(format_amount(55_000_000_000, 6), "55000");
        assert_eq!(format_amount(500_000, 6), "0.5");
        assert_eq!(format_amount(1, 6), "0.000001");
        assert_eq!(format_amount(12, 0), "12");
        assert_eq!(format_sol(2_039_280), "0.00203928 SOL");
        for v in [0u64, 1, 10, 999_999, 1_000_000, 123_456_789, u64::MAX] {
            assert_eq!(parse_amount(&format_amount(v.into(), 6), 6), Ok(v));
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(90));
        assert_eq!(parse_duration("3d"), Ok(259_200));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        assert_eq!(parse_duration("3600"), Ok(3_600));
        assert_eq!(parse_duration("2w"), Ok(1_209_600));
        for bad in ["", "3x", "h", "1h30", "-5s", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(259_200 + 3_661), "3d 1h 1m 1s");
        assert_eq!(format_duration(60), "1m");
        assert_eq!(format_duration(-90), "-1m 30s");
    }
}
