//! Failure paths not covered by the thematic suites, and a check that every program error is
//! either asserted by some test or documented as unreachable from a transaction.

use data_pool::state::OfferState;
use data_pool_client::instructions as dix;
use data_pool_client::pda::find_offer_pda;
use data_pool_tests::*;

#[test]
fn offer_with_the_wrong_token_program_or_mint() {
    let mut w = World::new();
    let k = w.wallet("member", 0);
    w.contribute(&k, 10).unwrap();
    let b = w.buyer(1, 10_000);
    let args = || dix::OfferCreateArgs {
        index: 0,
        price: 5_000,
        terms_hash: [1; 32],
        terms_uri: String::new(),
    };
    let mut tokens = w.side.tokens;
    tokens.token_program = TOKEN_2022;
    let ix = dix::offer_create(
        &PROGRAM_ID,
        &w.env.payer.pubkey(),
        &b.kp.pubkey(),
        &w.side.pool,
        &tokens,
        &b.token,
        &b.token,
        args(),
    );
    assert_fails(w.env.send_paid(&[ix], &[&b.kp])); // the escrow cannot even be created
                                                    // A buyer token account of another mint.
    let ma = w.mint_authority.pubkey();
    let other_mint = w.env.create_mint(&TOKEN, &ma, 6, &[]);
    let other = w
        .env
        .create_token_account(&TOKEN, &other_mint, &b.kp.pubkey());
    let ix = w.offer_create_ix(&b.kp.pubkey(), &other, &b.token, args());
    assert_dp_err(w.env.send_paid(&[ix], &[&b.kp]), DpErr::WrongMint);
    // Terms URI over 200 bytes.
    let long = dix::OfferCreateArgs {
        terms_uri: "u".repeat(201),
        ..args()
    };
    let ix = w.offer_create_ix(&b.kp.pubkey(), &b.token, &b.token, long);
    assert_dp_err(w.env.send_paid(&[ix], &[&b.kp]), DpErr::TermsUriTooLong);
    assert_eq!(w.env.balance(&b.token), 10_000);
}

#[test]
fn claim_and_finalize_with_the_wrong_token_program() {
    let mut w = World::new();
    let k = w.wallet("member", 0);
    w.contribute(&k, 10).unwrap();
    let b = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&b, 10_000).unwrap();
    w.vote(&k, &offer, true).unwrap();
    let mut tokens = w.side.tokens;
    tokens.token_program = TOKEN_2022;
    let o = w.offer_state(&offer);
    let ix = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &tokens,
        &o.refund_account,
        &o.payer,
    );
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::InvalidTokenProgram);
    w.finalize(&offer).unwrap();
    let dest = w.claim_account(&k.pubkey());
    let record = w.records(&k.pubkey())[0].0;
    let ix = dix::payout_claim(
        &PROGRAM_ID,
        &k.pubkey(),
        &w.side.pool,
        &record,
        &tokens,
        &dest,
    );
    assert_dp_err(w.env.send_paid(&[ix], &[&k]), DpErr::InvalidTokenProgram);
    w.claim(&k).unwrap();
    w.check_invariants();
}

#[test]
fn finalize_with_another_refund_account() {
    let mut w = World::new();
    let k = w.wallet("member", 0);
    w.contribute(&k, 10).unwrap();
    let b = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&b, 10_000).unwrap();
    w.vote(&k, &offer, false).unwrap();
    let thief = w.buyer(2, 0);
    let ix = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &thief.token,
        &w.env.payer.pubkey(),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::WrongRefundAccount);
    let ix = dix::offer_finalize(
        &PROGRAM_ID,
        &w.side.pool,
        &offer,
        &w.side.tokens,
        &b.token,
        &thief.kp.pubkey(),
    );
    assert_dp_err(w.env.send_paid(&[ix], &[]), DpErr::NotRentPayer);
    w.finalize(&offer).unwrap();
    assert_eq!(w.env.balance(&b.token), 10_000);
}

#[test]
fn pool_weight_is_bounded_by_u64() {
    let cfg = PoolConfig {
        max_score: u64::MAX,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let a = w.wallet("member", 0);
    let b = w.wallet("member", 1);
    w.contribute(&a, u64::MAX - 5).unwrap();
    assert_dp_err(w.contribute(&b, 6), DpErr::WeightOverflow);
    w.contribute(&b, 5).unwrap();
    w.check_invariants();
}

#[test]
fn accumulator_range_is_refused_up_front_and_refunded_at_finalize() {
    let cfg = PoolConfig {
        fee_bps: 0,
        min_offer_price: 1,
        max_score: 10,
        ..PoolConfig::default()
    };
    let mut w = World::with_config(cfg);
    let a = w.wallet("member", 0);
    w.contribute(&a, 1).unwrap();
    // A sale of 2^63 into a pool of weight 1 takes half the accumulator's range.
    let half = 1u64 << 63;
    let b = w.buyer(1, half);
    let (o1, _) = w.offer(&b, half).unwrap();
    w.vote(&a, &o1, true).unwrap();
    w.finalize(&o1).unwrap();
    assert_eq!(w.offer_state(&o1).state, OfferState::Accepted);
    // The contributor claims it and offers it back (tokens recycle; supply is a u64).
    w.claim(&a).unwrap();
    let a_token = w.claim_account(&a.pubkey());
    let rebuyer = Buyer {
        kp: a.insecure_clone(),
        token: a_token,
    };
    // Another sale as large cannot be credited at weight 1.
    assert_dp_err(w.offer(&rebuyer, half), DpErr::AccumulatorCapacityExceeded);
    // At weight 2 it fits; if the weight falls back to 1 before finalize, it is refunded.
    let c = w.wallet("member", 1);
    w.contribute(&c, 1).unwrap();
    let (o2, _) = w.offer(&rebuyer, half).unwrap();
    w.vote(&a, &o2, true).unwrap();
    w.vote(&c, &o2, true).unwrap();
    let h = w.side.data_hashes[1];
    w.leave(&c, &h).unwrap();
    w.finalize(&o2).unwrap();
    assert_eq!(w.offer_state(&o2).state, OfferState::Rejected);
    assert_eq!(w.env.balance(&a_token), half);
    assert_eq!(find_offer_pda(&PROGRAM_ID, &w.side.pool, 1).0, o2);
    w.check_invariants();
    assert_eq!(w.tokens_in_existence(), w.minted);
}

/// Errors no transaction can trigger, with the reason; every other error must be asserted by a
/// test in this directory.
const UNREACHABLE: &[(&str, &str)] = &[
    ("MathOverflow", "guards checked arithmetic whose operands are bounded by u64 amounts"),
    ("InvariantViolated", "Pool::invariant after every change of the books; no instruction can break it (the fuzzer and the audit check the same invariants from outside)"),
    ("MalformedEd25519Instruction", "the precompile rejects out-of-bounds offsets before the program runs; unit-tested in attestation.rs"),
    ("UnsupportedAccountVersion", "every account the program creates carries the current layout version; unit-tested in state/view/tests.rs"),
    ("UnsupportedMintExtension", "every mint extension of spl-token-2022 2.1 is allowed or has its own error; kept for extensions added later"),
    ("OfferNotTerminal", "retired with vote records (votes are bits of the offer's bitmap now); kept so later error codes keep their numbers"),
    ("VoteMismatch", "retired with vote records (votes are bits of the offer's bitmap now); kept so later error codes keep their numbers"),
];

#[test]
fn every_program_error_is_tested_or_explained() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let errors = std::fs::read_to_string(dir.join("../programs/data_pool/src/error.rs")).unwrap();
    let names: Vec<&str> = errors
        .lines()
        .map(str::trim)
        .filter(|l| l.ends_with(',') && l.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .map(|l| l.trim_end_matches(','))
        .collect();
    assert!(names.len() > 50, "parsed {} error names", names.len());
    // Every test file (suites in folders too); of this one only the part above the
    // UNREACHABLE list.
    let mut tests = String::new();
    let mut queue = vec![dir.join("tests")];
    while let Some(d) = queue.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                queue.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            match p.file_name().unwrap().to_str() {
                Some("errors.rs") => tests += text.split("const UNREACHABLE").next().unwrap(),
                _ => tests += &text,
            }
        }
    }
    let asserted = |n: &str| {
        let needle = format!("DpErr::{n}");
        tests.match_indices(&needle).any(|(i, _)| {
            let next = tests[i + needle.len()..].chars().next();
            !next.is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    };
    for n in &names {
        let explained = UNREACHABLE.iter().any(|(u, _)| u == n);
        assert!(
            asserted(n) || explained,
            "DataPoolError::{n} is neither asserted by a test nor explained"
        );
        assert!(
            !(asserted(n) && explained),
            "DataPoolError::{n} is tested: drop it from UNREACHABLE"
        );
    }
    for (u, _) in UNREACHABLE {
        assert!(names.contains(u), "UNREACHABLE names unknown error {u}");
    }
}
