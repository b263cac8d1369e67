//! The audit as one self-contained HTML page: verdicts and charts drawn as inline SVG, no scripts,
//! no fonts or images fetched from anywhere.

use crate::audit::AuditReport;
use crate::checks::Check;
use crate::units::format_money;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn verdict_rows(checks: &[Check]) -> String {
    let mut out = String::new();
    for c in checks {
        let (cls, word) = if c.ok {
            ("ok", "holds")
        } else {
            ("bad", "VIOLATED")
        };
        out.push_str(&format!(
            "<tr class=\"{cls}\"><td>{}</td><td>{}</td><td class=\"v\">{word}</td><td>{}</td></tr>\n",
            c.number,
            esc(c.name),
            esc(&c.detail)
        ));
        for f in &c.findings {
            out.push_str(&format!(
                "<tr class=\"finding\"><td></td><td colspan=\"3\">{} — account <code>{}</code>: expected {}, found {}</td></tr>\n",
                esc(&f.note),
                esc(&f.account),
                esc(&f.expected),
                esc(&f.actual)
            ));
        }
    }
    out
}

/// Bars of `values` (label, value) scaled to the largest, as SVG.
fn bar_chart(title: &str, bars: &[(String, f64)], unit: &str) -> String {
    // Room below the axis for labels written at 45°, so neighbours never overlap.
    let (w, h, pad, below) = (720.0, 300.0, 40.0, 80.0);
    let max = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max).max(1e-9);
    let n = bars.len().max(1) as f64;
    let bw = (w - 2.0 * pad) / n;
    let mut svg = format!("<figure><figcaption>{}</figcaption><svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">", esc(title));
    let base = h - below;
    svg.push_str(&format!(
        "<line x1=\"{pad}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" class=\"axis\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{base}\" class=\"axis\"/>",
        w - pad,
    ));
    let number = |v: f64| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    };
    for (i, (label, v)) in bars.iter().enumerate() {
        let bh = (v / max) * (base - pad);
        let x = pad + i as f64 * bw + bw * 0.1;
        svg.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" class=\"bar\"><title>{}: {}{unit}</title></rect>",
            base - bh,
            bw * 0.8,
            esc(label),
            number(*v)
        ));
        if bars.len() <= 24 {
            let (lx, ly) = (x + bw * 0.4, base + 12.0);
            svg.push_str(&format!(
                "<text x=\"{lx:.1}\" y=\"{ly:.1}\" class=\"lbl\" text-anchor=\"end\" transform=\"rotate(-45 {lx:.1} {ly:.1})\">{}</text>",
                esc(label)
            ));
        }
    }
    svg.push_str(&format!(
        "<text x=\"{pad}\" y=\"{}\" class=\"lbl\">max {}{unit}</text><text x=\"{}\" y=\"{base}\" class=\"lbl\" text-anchor=\"end\">0</text></svg></figure>",
        pad - 10.0,
        number(max),
        pad - 4.0,
    ));
    svg
}

/// Stacked bars per offer: yes, no, not voted (share of eligible weight).
fn tally_chart(r: &AuditReport) -> String {
    let (w, h, pad) = (720.0, 60.0 + 34.0 * r.offers.len() as f64, 40.0);
    let mut svg = format!("<figure><figcaption>Turnout and tally per offer (share of eligible weight)</figcaption><svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">");
    // Room on the left for the offer's label and on the right for its turnout.
    let width = w - 2.0 * pad - 90.0 - 100.0;
    for (i, o) in r.offers.iter().enumerate() {
        let y = pad + i as f64 * 34.0;
        let total = (o.snapshot_weight as f64).max(1.0);
        let yes = o.yes as f64 / total * width;
        let no = o.no as f64 / total * width;
        let x0 = pad + 90.0;
        svg.push_str(&format!(
            "<text x=\"{pad}\" y=\"{:.1}\" class=\"lbl\">#{} {}</text>",
            y + 16.0,
            o.index,
            esc(&o.state)
        ));
        svg.push_str(&format!("<rect x=\"{x0}\" y=\"{y}\" width=\"{width}\" height=\"22\" class=\"rest\"><title>not voted</title></rect>"));
        svg.push_str(&format!("<rect x=\"{x0}\" y=\"{y}\" width=\"{yes:.1}\" height=\"22\" class=\"yes\"><title>yes {}</title></rect>", o.yes));
        svg.push_str(&format!("<rect x=\"{:.1}\" y=\"{y}\" width=\"{no:.1}\" height=\"22\" class=\"no\"><title>no {}</title></rect>", x0 + yes, o.no));
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"lbl\">{:.1}% turnout</text>",
            x0 + width + 4.0,
            y + 16.0,
            o.turnout_percent
        ));
    }
    svg.push_str("</svg><p class=\"legend\"><span class=\"yes\">■</span> yes <span class=\"no\">■</span> no <span class=\"rest\">■</span> did not vote</p></figure>");
    svg
}

/// Lorenz curve of the weights with the Gini coefficient.
fn lorenz_chart(r: &AuditReport) -> String {
    let (s, pad) = (300.0, 44.0);
    let mut asc = r.weights.clone();
    asc.reverse();
    let total: f64 = asc.iter().map(|&x| x as f64).sum::<f64>().max(1.0);
    let n = asc.len().max(1) as f64;
    let step = (asc.len() / 200).max(1);
    let mut pts = vec![format!("{pad},{}", s - pad)];
    let mut acc = 0.0;
    for (i, w) in asc.iter().enumerate() {
        acc += *w as f64;
        if (i + 1) % step == 0 || i + 1 == asc.len() {
            let x = pad + (i as f64 + 1.0) / n * (s - 2.0 * pad);
            let y = (s - pad) - acc / total * (s - 2.0 * pad);
            pts.push(format!("{x:.1},{y:.1}"));
        }
    }
    let end = s - pad;
    format!(
        "<figure><figcaption>Lorenz curve of weights — Gini {:.3}</figcaption><svg viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\">\
<line x1=\"{pad}\" y1=\"{end}\" x2=\"{end}\" y2=\"{end}\" class=\"axis\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{end}\" class=\"axis\"/>\
<line x1=\"{pad}\" y1=\"{end}\" x2=\"{end}\" y2=\"{pad}\" class=\"diag\"/><polyline points=\"{}\" class=\"curve\"/>\
<text x=\"{pad}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\">0%</text><text x=\"{end}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\">100%</text>\
<text x=\"{}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\">contributors, lightest first</text>\
<text x=\"{}\" y=\"{pad}\" class=\"lbl\" text-anchor=\"end\">100%</text>\
<text x=\"{}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\" transform=\"rotate(-90 {} {})\">share of the weight</text></svg></figure>",
        r.gini,
        pts.join(" "),
        end + 14.0,
        end + 14.0,
        s / 2.0,
        end + 28.0,
        pad - 4.0,
        pad - 18.0,
        s / 2.0,
        pad - 18.0,
        s / 2.0,
        w = s + 10.0,
        h = s + 10.0,
    )
}

/// Vault balance after each sale and claim.
fn vault_chart(r: &AuditReport) -> String {
    let Some(h) = &r.history else {
        return "<p>History not read (--no-history).</p>".into();
    };
    if h.vault_series.is_empty() {
        return "<p>No sales or claims yet.</p>".into();
    }
    let (w, ht, pad) = (720.0, 240.0, 40.0);
    let max = h
        .vault_series
        .iter()
        .map(|p| p.balance)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let n = h.vault_series.len() as f64;
    let mut pts = vec![format!("{pad},{}", ht - pad)];
    for (i, p) in h.vault_series.iter().enumerate() {
        let x = pad + (i as f64 + 1.0) / n * (w - 2.0 * pad);
        let y = (ht - pad) - p.balance as f64 / max * (ht - 2.0 * pad);
        pts.push(format!("{x:.1},{y:.1}"));
    }
    let base = ht - pad;
    format!(
        "<figure><figcaption>Vault balance after each sale and claim</figcaption><svg viewBox=\"0 0 {w} {ht}\" width=\"{w}\" height=\"{ht}\" role=\"img\">\
<line x1=\"{pad}\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" class=\"axis\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{base}\" class=\"axis\"/>\
<polyline points=\"{}\" class=\"curve\"/>\
<text x=\"{}\" y=\"{}\" class=\"lbl\">{}</text><text x=\"{}\" y=\"{base}\" class=\"lbl\" text-anchor=\"end\">0</text>\
<text x=\"{}\" y=\"{}\" class=\"lbl\" text-anchor=\"middle\">{} sales and claims, in order</text></svg></figure>",
        w - pad,
        pts.join(" "),
        pad + 4.0,
        pad - 6.0,
        format_money(max as u128, r.decimals, &r.unit),
        pad - 4.0,
        w / 2.0,
        base + 18.0,
        h.vault_series.len(),
    )
}

/// Weight histogram: contributors per weight bucket.
fn weight_histogram(r: &AuditReport) -> String {
    let buckets = 16usize;
    let max = r.weights.first().copied().unwrap_or(0).max(1);
    let mut counts = vec![0u64; buckets];
    for w in &r.weights {
        let i = ((*w as u128 * buckets as u128) / (max as u128 + 1)) as usize;
        counts[i.min(buckets - 1)] += 1;
    }
    let bars: Vec<(String, f64)> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                format!("≤{}", (i as u64 + 1) * max / buckets as u64),
                *c as f64,
            )
        })
        .collect();
    bar_chart("Contributors per weight bucket", &bars, " contributors")
}

/// The page.
pub fn render(r: &AuditReport) -> String {
    let d = r.decimals;
    let verdict = if r.ok {
        "<p class=\"ok big\">All invariants hold.</p>"
    } else {
        "<p class=\"bad big\">Violations found.</p>"
    };
    let history = match &r.history {
        Some(h) => format!(
            "<h2>History cross-checks</h2><p>{} transactions, {} events of this pool.</p><table><tr><th>#</th><th>check</th><th>verdict</th><th>figures</th></tr>{}</table>",
            h.transactions,
            h.events,
            verdict_rows(&h.checks)
        ),
        None => "<h2>History</h2><p>Not read (--no-history).</p>".into(),
    };
    // Whether history check 10 found this offer's receipt naming another set than was paid.
    let receipt = |o: &crate::audit::OfferStat| match &r.history {
        Some(h) => {
            let bad = h
                .checks
                .iter()
                .filter(|c| c.number == 10)
                .flat_map(|c| &c.findings)
                .any(|f| f.account == o.address);
            if bad {
                "; <b>receipt ≠ the paid set</b>"
            } else {
                "; receipt = the paid set ✓"
            }
        }
        None => "",
    };
    let delivery = |o: &crate::audit::OfferStat| {
        if o.delivered_at == 0 {
            "—".to_string()
        } else {
            format!(
                "{}: {} contributions, {} bytes, at {}{}",
                esc(o.slice.as_deref().unwrap_or("slice in off-chain terms")),
                o.delivered_contributions,
                o.delivered_bytes,
                esc(&crate::units::format_time(o.delivered_at)),
                receipt(o)
            )
        }
    };
    let sales: Vec<(String, f64)> = r
        .offers
        .iter()
        .filter(|o| o.state == "accepted")
        .map(|o| {
            (
                format!("#{}", o.index),
                o.net as f64 / 10f64.powi(i32::from(d)),
            )
        })
        .collect();
    let offers_rows: String = r
        .offers
        .iter()
        .map(|o| {
            format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                o.index,
                esc(&o.address),
                esc(&o.state),
                format_money(o.price.into(), d, &r.unit),
                o.voters,
                o.turnout_percent,
                o.yes,
                o.no,
                format_money(o.fee.into(), d, &r.unit),
                format_money(o.net.into(), d, &r.unit),
                delivery(o)
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Audit of pool {name}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #1d2330; }}
table {{ border-collapse: collapse; width: 100%; margin: 1em 0; font-size: 14px; }}
td, th {{ border-bottom: 1px solid #dde; padding: 4px 8px; text-align: left; vertical-align: top; }}
tr.ok td.v {{ color: #137333; font-weight: 600; }} tr.bad td.v {{ color: #b3261e; font-weight: 700; }}
tr.finding td {{ color: #b3261e; font-size: 13px; }}
.ok {{ color: #137333; }} .bad {{ color: #b3261e; }} .big {{ font-size: 1.4em; font-weight: 700; }}
figure {{ margin: 1.5em 0; }} figcaption {{ font-weight: 600; margin-bottom: .4em; }}
.bar {{ fill: #4f6bed; }} .axis {{ stroke: #888; }} .diag {{ stroke: #bbb; stroke-dasharray: 4; }}
.curve {{ fill: none; stroke: #4f6bed; stroke-width: 2; }} .lbl {{ font-size: 10px; fill: #444; }}
.yes {{ fill: #2e9d57; color: #2e9d57; }} .no {{ fill: #d2463c; color: #d2463c; }} .rest {{ fill: #e4e6ee; color: #c4c6ce; }}
code {{ font-size: 12px; }}
</style></head><body>
<h1>Audit of pool “{name}”</h1>
<p><code>{pool}</code> on {chain}; audited in {secs:.2} s.</p>
{verdict}
<table><tr><th>contributors</th><th>vault</th><th>distributed</th><th>claimed</th><th>fees</th><th>Gini of weights</th></tr>
<tr><td>{contributors}</td><td>{vault}</td><td>{dist}</td><td>{claimed}</td><td>{fees}</td><td>{gini:.3}</td></tr></table>
<h2>Invariants (docs/PROTOCOL.md)</h2>
<table><tr><th>#</th><th>invariant</th><th>verdict</th><th>figures</th></tr>{inv}</table>
{history}
<h2>Weights</h2>
{hist}
{lorenz}
<h2>Offers</h2>
{tally}
<table><tr><th>#</th><th>offer</th><th>state</th><th>price</th><th>voters</th><th>turnout</th><th>yes</th><th>no</th><th>fee</th><th>to contributors</th><th>delivery</th></tr>{offers_rows}</table>
<h2>Payouts per sale</h2>
{sales}
<h2>Vault over time</h2>
{vault_chart}
</body></html>
"#,
        name = esc(&r.name),
        pool = esc(&r.pool),
        chain = esc(&r.chain),
        secs = r.seconds,
        contributors = r.contributors,
        vault = format_money(r.vault.into(), d, &r.unit),
        dist = format_money(r.total_distributed, d, &r.unit),
        claimed = format_money(r.total_claimed, d, &r.unit),
        fees = format_money(r.total_fees, d, &r.unit),
        gini = r.gini,
        inv = verdict_rows(&r.invariants),
        hist = weight_histogram(r),
        lorenz = lorenz_chart(r),
        tally = tally_chart(r),
        sales = if sales.is_empty() {
            "<p>No accepted sales yet.</p>".to_string()
        } else {
            bar_chart(
                "Credited to contributors per accepted sale",
                &sales,
                &format!(" {}", r.unit),
            )
        },
        vault_chart = vault_chart(r),
    )
}
