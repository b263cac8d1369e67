//! Fuzzing the client's parsers of untrusted input for panics: account data as an RPC node
//! returns it, and attestation files. Seeded mutations of real inputs plus random bytes.

use std::panic::{catch_unwind, AssertUnwindSafe};

use data_pool_client::accounts::{decode_any, DataPoolAccount};
use data_pool_client::attestation::AttestationFile;
use data_pool_client::pda::*;
use data_pool_tests::*;

/// Real account bytes of every type, from a small pool.
fn real_accounts() -> Vec<Vec<u8>> {
    let mut w = World::new();
    let a = w.wallet("m", 0);
    w.contribute(&a, 10).unwrap();
    let b = w.buyer(1, 10_000);
    let (offer, _) = w.offer(&b, 10_000).unwrap();
    w.vote(&a, &offer, true).unwrap();
    let p = &PROGRAM_ID;
    let addrs = [
        w.side.pool,
        find_attestor_pda(p, &w.side.pool, &w.attestor.pubkey()).0,
        find_contributor_pda(p, &w.side.pool, &person(&w.side.data_hashes[0])).0,
        offer,
    ];
    addrs
        .iter()
        .map(|x| w.env.svm.get_account(x).unwrap().data)
        .collect()
}

fn mutate(rng: &mut Rng, mut v: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(4) {
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len() as u64) as usize;
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len() as u64) as usize;
                v[i] = rng.next_u64() as u8;
            }
            2 => v.truncate(rng.below(v.len() as u64 + 1) as usize),
            3 => v.extend((0..rng.below(64)).map(|_| rng.next_u64() as u8)),
            4 if v.len() >= 12 => {
                // A huge length prefix somewhere past the discriminator (strings, vectors).
                let i = 8 + rng.below(v.len() as u64 - 11) as usize;
                v[i..i + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            }
            _ => {}
        }
    }
    v
}

#[test]
fn account_decoding_never_panics() {
    let real = real_accounts();
    for d in &real {
        let decoded = decode_any(d).expect("real account decodes");
        assert!(!matches!(decoded, DataPoolAccount::Pool(_)) || d.len() > 300);
    }
    let mut rng = Rng::new(0xacc0);
    let mut errors = 0;
    for i in 0..40_000u64 {
        let input = if i % 4 == 0 {
            (0..rng.below(600)).map(|_| rng.next_u64() as u8).collect()
        } else {
            let base = rng.pick(&real).unwrap().clone();
            mutate(&mut rng, base)
        };
        let r = catch_unwind(AssertUnwindSafe(|| decode_any(&input)));
        let r = r.unwrap_or_else(|_| panic!("decode_any panicked on {input:02x?}"));
        errors += u32::from(r.is_err());
    }
    assert!(
        errors > 10_000,
        "the mutations should mostly be refused ({errors})"
    );
}

fn sample_file() -> AttestationFile {
    let att = kp("attestor", 0);
    let mut f = AttestationFile {
        program_id: PROGRAM_ID,
        pool: kp("pool", 0).pubkey(),
        contributor: kp("c", 0).pubkey(),
        identity: [0xcd; 32],
        data_hash: [0xab; 32],
        score: 4_242,
        expires_at: 1_767_229_200,
        attestor: att.pubkey(),
        signature: [0; 64],
        breakdown: Some(serde_json::json!({"volume": 10, "diversity": 3})),
    };
    f.signature = att.sign_message(&f.message()).as_ref().try_into().unwrap();
    f
}

#[test]
fn attestation_files_round_trip_and_bad_ones_are_named() {
    let f = sample_file();
    let text = f.to_json();
    assert_eq!(AttestationFile::parse(&text).unwrap(), f);
    let cases = [
        ("", "not an attestation file"),
        ("{}", "not an attestation file"),
        (
            &text.replace("\"version\": 2", "\"version\": 3"),
            "version 3",
        ),
        (&text.replace(&f.pool.to_string(), "not-a-key"), "`pool`"),
        (&text.replace(&"ab".repeat(32), "abcd"), "`data_hash`"),
        (
            &text.replacen('{', "{\"extra\": 1,", 1),
            "not an attestation file",
        ),
        (&"x".repeat(70_000), "limit"),
    ];
    for (input, needle) in cases {
        let e = AttestationFile::parse(input).unwrap_err().to_string();
        assert!(e.contains(needle), "{e:?} should mention {needle:?}");
    }
}

#[test]
fn attestation_file_parsing_never_panics() {
    let text = sample_file().to_json();
    let bytes = text.as_bytes().to_vec();
    let mut rng = Rng::new(0xa77e);
    for i in 0..40_000u64 {
        let input = if i % 5 == 0 {
            (0..rng.below(400))
                .map(|_| (rng.next_u64() % 128) as u8)
                .collect()
        } else {
            mutate(&mut rng, bytes.clone())
        };
        let s = String::from_utf8_lossy(&input);
        let r = catch_unwind(AssertUnwindSafe(|| {
            AttestationFile::parse(&s).map(|f| f.to_json())
        }));
        assert!(r.is_ok(), "parse panicked on {s:?}");
    }
}
