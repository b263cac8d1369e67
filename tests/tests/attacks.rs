//! Sealevel attack classes, instruction by instruction, against the built `.so`.
//!
//! For every instruction we build a transaction that succeeds, then try it with one account
//! changed at a time — another pool's account of the same role (account data matching, PDA
//! sharing), a look-alike copy owned by another program (owner checks), one of our accounts of
//! another type (type cosplay), a fake or wrong program (arbitrary CPI), a signer that does not
//! sign (missing signer). Every attempt must fail with a named error and change nothing; then the
//! unmodified transaction must still succeed, so each failure is the attack's doing.
//! Run with `--nocapture` to print the class × instruction matrix of error names.

use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::pda::*;
use data_pool_tests::*;
use solana_transaction_error::TransactionError;

#[path = "attacks/cases.rs"]
mod cases;

use cases::{arena, valid_case, Arena, Case};

/// Pool B's account in the same role as `name` (`None` where the role has no pool-B twin).
fn twin(
    a: &mut Arena,
    ix_name: &str,
    role: &str,
    original: &Pubkey,
) -> Option<(Pubkey, Option<Kp>)> {
    let p = &PROGRAM_ID;
    let b = &a.b;
    let bo = |i: u64| find_offer_pda(p, &b.pool, i).0;
    // Accounts the caller chooses freely: any payer; a new pool's mint; where the curator
    // withdraws fees to.
    let free = matches!(
        (ix_name, role),
        ("pool_create", "mint")
            | ("fees_withdraw" | "pool_close", "destination")
            | ("contributor_reap", "closer")
    );
    if free {
        return None;
    }
    let r = match role {
        "pool" => b.pool,
        "vault" => b.tokens.vault,
        "fee_vault" => b.tokens.fee_vault,
        "mint" => a.other_mint,
        "attestor" => find_attestor_pda(p, &b.pool, &a.w.attestor.pubkey()).0,
        "custodian" => find_custodian_pda(p, &b.pool, &a.w.custodian.pubkey()).0,
        // Pool B's record of its second contributor.
        "contributor" => find_contributor_pda(p, &b.pool, &person(&b.data_hashes[1])).0,
        "offer" => match ix_name {
            "offer_refund" | "offer_close" => bo(2),
            _ => bo(0),
        },
        "escrow" => find_escrow_pda(p, &bo(if ix_name == "offer_refund" { 2 } else { 0 })).0,
        "refund_account" | "destination" | "buyer_token" => a.bbuyers[1].token,
        "token_program" => {
            if *original == TOKEN {
                TOKEN_2022
            } else {
                TOKEN
            }
        }
        "system_program" => PROGRAM_ID,
        "instructions_sysvar" => b.pool,
        // Signers: the attacker signs for itself.
        "authority" | "new_authority" | "invalidator" | "custodian_key" => {
            return Some((b.authority.pubkey(), Some(b.authority.insecure_clone())));
        }
        "wallet" | "voter" => return Some((a.bc[1].pubkey(), Some(a.bc[1].insecure_clone()))),
        "buyer" => {
            return Some((
                a.bbuyers[0].kp.pubkey(),
                Some(a.bbuyers[0].kp.insecure_clone()),
            ))
        }
        // Where a closed record's rent goes: the attacker's own wallet instead of the payer.
        "rent_to" => a.bc[1].pubkey(),
        "payer"
            if matches!(
                ix_name,
                "offer_close"
                    | "contributor_leave"
                    | "pool_close"
                    | "offer_finalize"
                    | "offer_deliver"
                    | "offer_refund"
                    | "offer_cancel"
            ) =>
        {
            a.bc[1].pubkey()
        }
        _ => return None, // payer: anyone may pay
    };
    Some((r, None))
}

fn account_names(idl: &serde_json::Value, ix_name: &str) -> Vec<String> {
    idl["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == ix_name)
        .unwrap_or_else(|| panic!("{ix_name} not in the IDL"))["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect()
}

/// One attack attempt: the modified target instruction and the signers it needs.
struct Attempt {
    class: &'static str,
    ix: Instruction,
    signers: Vec<Kp>,
}

/// A copy of `addr`'s account owned by another program, at a new address.
fn look_alike(w: &mut World, addr: &Pubkey) -> Option<Pubkey> {
    let mut acct = w.env.svm.get_account(addr)?;
    if acct.executable || acct.data.is_empty() {
        return None;
    }
    acct.owner = kp("impostor-program", 0).pubkey();
    let fake = Pubkey::new_unique();
    w.env.svm.set_account(fake, acct).unwrap();
    Some(fake)
}

/// One of our accounts of another type than `addr`'s.
fn cosplay(a: &Arena, addr: &Pubkey) -> Option<Pubkey> {
    let acct = a.w.env.svm.get_account(addr)?;
    if acct.owner != PROGRAM_ID || acct.data.len() < 8 {
        return None;
    }
    let p = &PROGRAM_ID;
    let pool = a.w.side.pool;
    let candidates = [
        pool,
        find_attestor_pda(p, &pool, &a.w.attestor.pubkey()).0,
        find_contributor_pda(p, &pool, &person(&a.w.side.data_hashes[1])).0,
        find_offer_pda(p, &pool, 0).0,
    ];
    candidates.into_iter().find(|c| {
        a.w.env
            .svm
            .get_account(c)
            .is_some_and(|x| x.data.len() >= 8 && x.data[..8] != acct.data[..8])
    })
}

fn attempts(a: &mut Arena, name: &str, c: &Case, names: &[String]) -> Vec<Attempt> {
    let mut out = vec![];
    for (i, role) in names.iter().enumerate() {
        let meta = c.ix.accounts[i].clone();
        let with = |pk: Pubkey, extra: Option<Kp>, class: &'static str| {
            let mut ix = c.ix.clone();
            ix.accounts[i].pubkey = pk;
            let mut signers: Vec<Kp> = c.signers.iter().map(|k| k.insecure_clone()).collect();
            if let Some(k) = extra.filter(|_| meta.is_signer) {
                signers.retain(|s| s.pubkey() != meta.pubkey);
                signers.push(k);
            }
            Attempt { class, ix, signers }
        };
        if let Some((pk, extra)) = twin(a, name, role, &meta.pubkey) {
            if pk != meta.pubkey {
                let class = match role.as_str() {
                    "token_program" | "system_program" => "arbitrary program",
                    "instructions_sysvar" => "sysvar spoofing",
                    "payer" | "rent_to" => "deposit redirect",
                    _ if extra.is_some() && meta.is_signer => "wrong signer",
                    _ => "other pool's account",
                };
                out.push(with(pk, extra, class));
            }
        }
        if role == "payer" {
            continue;
        }
        if meta.is_signer {
            let mut ix = c.ix.clone();
            ix.accounts[i].is_signer = false;
            let signers = c
                .signers
                .iter()
                .filter(|s| s.pubkey() != meta.pubkey)
                .map(|k| k.insecure_clone())
                .collect();
            out.push(Attempt {
                class: "missing signer",
                ix,
                signers,
            });
        } else if let Some(fake) = look_alike(&mut a.w, &meta.pubkey) {
            out.push(with(fake, None, "owner (look-alike)"));
        }
        if let Some(other) = cosplay(a, &meta.pubkey) {
            out.push(with(other, None, "type cosplay"));
        }
    }
    out
}

fn snapshot_all(a: &mut Arena) -> Vec<(Pubkey, Option<solana_account::Account>)> {
    let mut addrs = a.w.addresses();
    a.w.swap_side(&mut a.b);
    addrs.extend(a.w.addresses());
    a.w.swap_side(&mut a.b);
    a.w.snapshot(&addrs)
}

fn error_name(f: &Failure) -> String {
    for l in &f.logs {
        if let Some(i) = l.find("Error Code: ") {
            let rest = &l[i + 12..];
            return rest.split('.').next().unwrap_or(rest).to_string();
        }
    }
    match (f.custom_code(), &f.err) {
        (Some(c), _) => format!("token error {c}"),
        // Program errors the runtime names (e.g. a CPI into the wrong token program).
        (None, TransactionError::InstructionError(_, e)) => format!("{e:?}"),
        (None, e) => panic!("unnamed failure {e:?}"),
    }
}

const INSTRUCTIONS: &[&str] = &[
    "pool_create",
    "pool_update",
    "pool_pause",
    "pool_unpause",
    "pool_wind_down",
    "pool_close",
    "authority_propose",
    "authority_accept",
    "attestor_add",
    "attestor_remove",
    "custodian_add",
    "custodian_remove",
    "contribution_submit",
    "contributor_leave",
    "contributor_reap",
    "contribution_invalidate",
    "offer_create",
    "offer_vote",
    "offer_finalize",
    "offer_deliver",
    "offer_refund",
    "offer_cancel",
    "offer_close",
    "payout_claim",
    "fees_withdraw",
];

#[test]
fn every_substitution_fails_and_changes_nothing() {
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../idl/data_pool.json")).unwrap();
    let mut matrix: BTreeMap<(&str, &'static str), BTreeMap<String, u32>> = BTreeMap::new();
    let mut total = 0;
    for name in INSTRUCTIONS {
        let mut a = arena();
        let c = valid_case(&mut a, name);
        let names = account_names(&idl, name);
        // Remaining accounts (pool_close's registry records) follow the named ones.
        assert!(
            names.len() == c.ix.accounts.len()
                || (*name == "pool_close" && names.len() < c.ix.accounts.len()),
            "{name}: IDL and builder disagree"
        );
        let tries = attempts(&mut a, name, &c, &names);
        assert!(!tries.is_empty(), "{name}: no attack applies?");
        for t in tries {
            if std::env::var("ATTACK_DEBUG").is_ok() {
                eprintln!(
                    "{name}: {} {:?}",
                    t.class,
                    t.signers.iter().map(|k| k.pubkey()).collect::<Vec<_>>()
                );
            }
            let before = snapshot_all(&mut a);
            let mut ixs = c.pre.clone();
            ixs.push(t.ix.clone());
            let signer_refs: Vec<&Kp> = t.signers.iter().collect();
            let r = a.w.env.send_paid(&ixs, &signer_refs);
            let f = match r {
                Ok(_) => panic!("{name}: {} attack succeeded: {:?}", t.class, t.ix.accounts),
                Err(f) => f,
            };
            assert_eq!(
                before,
                snapshot_all(&mut a),
                "{name}: {} attack changed state",
                t.class
            );
            // A named refusal: program, Anchor or token-program error, or the runtime refusing
            // an unsigned signer / unknown program before the program runs.
            assert!(
                !f.logs.iter().any(|l| l.contains("panicked")),
                "{name}: {} attack panicked the program",
                t.class
            );
            *matrix
                .entry((name, t.class))
                .or_default()
                .entry(error_name(&f))
                .or_default() += 1;
            total += 1;
        }
        // The unmodified transaction succeeds: the failures above are the attacks' doing.
        let mut ixs = c.pre.clone();
        ixs.push(c.ix.clone());
        let signer_refs: Vec<&Kp> = c.signers.iter().collect();
        a.w.env.send_paid(&ixs, &signer_refs).unwrap_or_else(|f| {
            panic!(
                "{name}: the valid case failed: {:?}\n{}",
                f.err,
                f.logs.join("\n")
            )
        });
        if a.w.env.exists(&a.w.side.pool) {
            a.w.check_invariants();
        }
    }
    let mut table = format!(
        "<!-- Generated by tests/tests/attacks.rs; refresh with UPDATE_ATTACK_MATRIX=1. -->\n\
         # Attack matrix\n\n{total} attacks, each refused with the error named here and no state \
         change.\n\n| instruction | class | refused with |\n|---|---|---|\n"
    );
    for ((ix, class), errs) in &matrix {
        let e: Vec<String> = errs.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        table += &format!("| {ix} | {class} | {} |\n", e.join(", "));
    }
    eprintln!("{table}");
    assert!(total > 150, "only {total} attacks: the catalog shrank");
    // The exact error of every attack is pinned: a change shows up here for review.
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("attack_matrix.md");
    if std::env::var("UPDATE_ATTACK_MATRIX").is_ok() {
        std::fs::write(&golden, &table).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        table, expected,
        "the attack matrix changed: review and rerun with UPDATE_ATTACK_MATRIX=1"
    );
}
