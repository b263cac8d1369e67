//! Where the compute units of the hot instructions go. Needs a program built with the
//! `cu-profile` feature (`scripts/profile-cu.sh` does both): each `cu_mark!()` logs the units
//! left, and this prints the units spent between marks, with the Anchor entry (dispatch, account
//! loading and constraints) before the first mark and the exit (serialization) after the last.

use data_pool_tests::*;

/// Cost of one `sol_log_compute_units` syscall, taken out of each segment.
const MARK_COST: u64 = 100;
/// Compute-unit limit of a transaction without a compute-budget instruction (one instruction),
/// when the logs do not say.
const LIMIT: u64 = 200_000;

fn segments(name: &str, total: u64, logs: &[String]) {
    // Only the transaction's last top-level instruction (a vote may send one per record).
    let from = logs
        .iter()
        .rposition(|l| l.ends_with(" invoke [1]"))
        .unwrap_or(0);
    let logs = &logs[from..];
    let remaining: Vec<u64> = logs
        .iter()
        .filter_map(|l| {
            let rest = l.strip_prefix("Program consumption: ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect();
    if remaining.is_empty() {
        println!("| {name} | {total} | (no marks: build with --features cu-profile) |");
        return;
    }
    // What the instruction consumed of the units it started with: its "consumed N of M" line
    // (the last one: inner calls log theirs first).
    let (total, limit) = logs
        .iter()
        .rev()
        .filter_map(|l| {
            let (_, rest) = l.split_once(" consumed ")?;
            let (n, rest) = rest.split_once(" of ")?;
            Some((
                n.parse().ok()?,
                rest.split_whitespace().next()?.parse().ok()?,
            ))
        })
        .next()
        .unwrap_or((total, LIMIT));
    // `remaining[i]` is read after mark i's own cost was charged.
    let spent: Vec<u64> = remaining.iter().map(|r| limit - r).collect();
    let mut parts = vec![spent[0] - MARK_COST];
    for pair in spent.windows(2) {
        parts.push(pair[1] - pair[0] - MARK_COST);
    }
    parts.push(total - spent[spent.len() - 1]);
    let labels: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| match i {
            0 => format!("entry {p}"),
            _ if i == parts.len() - 1 => format!("exit {p}"),
            _ => format!("s{i} {p}"),
        })
        .collect();
    println!(
        "| {name} | {} | {} |",
        total - remaining.len() as u64 * MARK_COST,
        labels.join(" · ")
    );
}

fn main() {
    let mut w = World::new();
    let probe = w.wallet("probe", 0);
    let max = w.side.cfg.max_score;
    println!("| instruction | CU without marks | segments |");
    println!("|---|---|---|");
    let cu = w
        .contribute_hash(&probe, hash_of("probe-data", 0), max)
        .unwrap();
    segments("contribution_submit (new)", cu, &w.env.last_logs);
    let cu = w
        .contribute_hash(&probe, hash_of("probe-data", 1), max)
        .unwrap();
    segments("contribution_submit (again)", cu, &w.env.last_logs);
    let buyer = w.buyer(0, 1_000_000);
    let (offer, cu) = w.offer(&buyer, 1_000_000).unwrap();
    segments("offer_create", cu, &w.env.last_logs);
    let cu = w.vote(&probe, &offer, true).unwrap();
    segments("offer_vote", cu, &w.env.last_logs);
    let cu = w.finalize_only(&offer).unwrap();
    segments("offer_finalize (approve)", cu, &w.env.last_logs);
    let c = w.custodian.insecure_clone();
    let cu = w.deliver_by(&c, &offer, w.current_receipt()).unwrap();
    segments("offer_deliver", cu, &w.env.last_logs);
    let cu = w.claim(&probe).unwrap();
    segments("payout_claim", cu, &w.env.last_logs);
}
