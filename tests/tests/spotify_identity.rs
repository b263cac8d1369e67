//! The attestor's identity evidence against the evasions it exists for, over a synthetic
//! population of listeners (shared popular songs, personal libraries, daily habits): one play
//! changed, split in two by time or by track, merged with another person's export, reformatted
//! into the other export flavour. And what it must not do: take two different people for one.
//! `--nocapture` prints the rates (docs/SCORE.md quotes them).

use anchor_lang::prelude::Pubkey;
use data_pool_client::spotify::identity::{
    Evidence, IdentityError, IdentityIndex, IdentityKey, Resolved,
};
use data_pool_client::spotify::{read_paths, Limits, Listening};
use data_pool_tests::spotify::{scratch, write_json};
use data_pool_tests::Rng;
use serde_json::{json, Value};

/// One synthetic play: end minute, track number (its artist is `track / 10`), milliseconds.
type P = (i64, u32, u32);

/// A catalogue of 30,000 tracks whose popularity falls off as 1/rank: everybody's library holds
/// some of the same hits.
fn popular_track(rng: &mut Rng) -> u32 {
    // Inverse of the 1/rank distribution's CDF (log-uniform rank), 1..=30,000.
    let u = (rng.below(1_000_000) as f64 + 0.5) / 1_000_000.0;
    (30_000f64.powf(u) as u32).clamp(1, 30_000) - 1
}

/// Listener `seed`'s year of plays: a library of hits and personal picks, played in sessions at
/// the listener's own hours on the listener's active days, 15 % of them skipped.
fn listener(seed: u64) -> Vec<P> {
    let mut rng = Rng::new(seed);
    let library_len = 40 + rng.below(560) as usize;
    let mut library: Vec<u32> = Vec::with_capacity(library_len);
    while library.len() < library_len {
        let t = if rng.below(2) == 0 {
            popular_track(&mut rng)
        } else {
            rng.below(30_000) as u32
        };
        if !library.contains(&t) {
            library.push(t);
        }
    }
    let plays_wanted = 150 + rng.below(2_850) as usize;
    let hours = [6 + rng.below(4) as i64, 17 + rng.below(6) as i64];
    let activity = 20 + rng.below(70);
    let start = 1_704_067_200 / 60; // 2024-01-01, in minutes
    let mut plays = vec![];
    let mut day = 0;
    while plays.len() < plays_wanted && day < 365 {
        if rng.below(100) < activity {
            let mut t =
                start + day * 1_440 + hours[rng.below(2) as usize] * 60 + rng.below(50) as i64;
            for _ in 0..3 + rng.below(12) {
                // Favourites come back: the library's head is played most.
                let pick = (library_len as f64).powf((rng.below(1_000) as f64 + 0.5) / 1_000.0);
                let track = library[(pick as usize).min(library_len - 1)];
                let ms = if rng.below(100) < 15 {
                    5_000 + rng.below(20_000) as u32
                } else {
                    120_000 + rng.below(180_000) as u32
                };
                t += i64::from(ms / 60_000).max(1);
                plays.push((t, track, ms));
            }
        }
        day += 1;
    }
    plays
}

fn listening(plays: &[P]) -> Listening {
    let mut l = Listening::default();
    for &(minute, track, ms) in plays {
        l.add_play(
            minute,
            &format!("Artist {}", track / 10),
            &format!("Track {track}"),
            ms,
        );
    }
    l
}

fn key() -> IdentityKey {
    IdentityKey::new([7; 32])
}

fn pool() -> Pubkey {
    Pubkey::new_from_array([9; 32])
}

/// Registers `plays` as an attested export; returns the identity it got.
fn attest(index: &mut IdentityIndex, plays: &[P]) -> Result<Resolved, IdentityError> {
    let e = Evidence::of(&listening(plays), &key())?;
    let r = index.resolve(&key(), &pool(), &e)?;
    index.record(&pool(), r.id, e)?;
    Ok(r)
}

const PEOPLE: u64 = 150;

#[test]
fn different_people_are_never_taken_for_one() {
    let mut index = IdentityIndex::in_memory();
    let mut taken = 0;
    for p in 0..PEOPLE {
        match attest(&mut index, &listener(p)) {
            Ok(r) if !r.known => {}
            _ => taken += 1,
        }
    }
    eprintln!("{PEOPLE} different listeners: {taken} taken for someone else");
    assert_eq!(taken, 0);
}

#[test]
fn each_evasion_is_matched_to_its_person() {
    let mut rates = [0u64; 4];
    for p in 0..PEOPLE {
        let plays = listener(p);
        // One play changed: a play of another track at another time.
        let mut index = IdentityIndex::in_memory();
        let original = attest(&mut index, &plays).unwrap();
        let mut edited = plays.clone();
        edited[plays.len() / 2] = (plays[plays.len() / 2].0 + 7, 29_999, 200_000);
        let r = attest(&mut index, &edited).unwrap();
        rates[0] += u64::from(r.known && r.id == original.id);

        // Split in two by time: the halves from two wallets.
        let mut index = IdentityIndex::in_memory();
        let (early, late) = plays.split_at(plays.len() / 2);
        let a = attest(&mut index, early).unwrap();
        let b = attest(&mut index, late).unwrap();
        rates[1] += u64::from(b.known && b.id == a.id);

        // Split in two by track: same sessions, disjoint tracks.
        let mut index = IdentityIndex::in_memory();
        let (even, odd): (Vec<P>, Vec<P>) = plays.iter().partition(|p| p.1 % 2 == 0);
        let a = attest(&mut index, &even).unwrap();
        let b = attest(&mut index, &odd).unwrap();
        rates[2] += u64::from(b.known && b.id == a.id);

        // Merged with the next listener's export, both already attested: refused.
        let mut index = IdentityIndex::in_memory();
        let other = listener(p + 1_000);
        attest(&mut index, &plays).unwrap();
        attest(&mut index, &other).unwrap();
        let merged: Vec<P> = plays.iter().chain(&other).copied().collect();
        rates[3] += u64::from(matches!(
            attest(&mut index, &merged),
            Err(IdentityError::Merged(2))
        ));
    }
    let names = [
        "one play changed",
        "split by time",
        "split by track",
        "merged",
    ];
    for (name, caught) in names.iter().zip(rates) {
        eprintln!("{name}: {caught} of {PEOPLE} caught");
    }
    // Every edit and split by track of every listener in this population is caught. A split by
    // time is missed for listeners of many tracks each played rarely (the halves share under half
    // their tracks, as two different listeners of similar taste can); a merge with a much
    // smaller export is sometimes taken for the larger person alone (the min-hash estimate of a
    // small set inside a large one is coarse). Rates and what each miss gains: docs/SCORE.md.
    assert_eq!(rates[0], PEOPLE);
    assert!(rates[1] * 100 >= PEOPLE * 80, "split by time: {}", rates[1]);
    assert_eq!(rates[2], PEOPLE);
    assert!(rates[3] * 100 >= PEOPLE * 95, "merged: {}", rates[3]);
}

#[test]
fn a_merge_with_one_known_person_is_that_person_and_extends_their_contribution() {
    let mut index = IdentityIndex::in_memory();
    let mine = listener(1);
    let first = attest(&mut index, &mine).unwrap();
    let stranger = listener(2);
    let merged: Vec<P> = mine.iter().chain(&stranger).copied().collect();
    let r = attest(&mut index, &merged).unwrap();
    assert!(r.known);
    assert_eq!(r.commitment, first.commitment);
    // The stranger's own export is now part of a known person's: refused from another wallet
    // on chain, which is how a merger is caught (SECURITY.md).
    let theirs = attest(&mut index, &stranger).unwrap();
    assert_eq!(theirs.commitment, first.commitment);
}

#[test]
fn commitments_are_keyed_and_per_pool() {
    let plays = listener(3);
    let e = Evidence::of(&listening(&plays), &key()).unwrap();
    let index = IdentityIndex::in_memory();
    let r = index.resolve(&key(), &pool(), &e).unwrap();
    let other_pool = index
        .resolve(&key(), &Pubkey::new_from_array([8; 32]), &e)
        .unwrap();
    assert_ne!(r.commitment, other_pool.commitment);
    let other_key = IdentityKey::new([6; 32]);
    let e2 = Evidence::of(&listening(&plays), &other_key).unwrap();
    let r2 = index.resolve(&other_key, &pool(), &e2).unwrap();
    assert_ne!(r.commitment, r2.commitment);
    assert_ne!(e.tracks, e2.tracks, "fingerprints are keyed too");
    // Short plays (under 30 s) leave no trace: padding cannot dilute the fingerprint.
    let mut padded = plays.clone();
    padded.extend((0..500).map(|i| (plays[0].0 + i, 20_000 + i as u32, 10_000)));
    assert_eq!(Evidence::of(&listening(&padded), &key()).unwrap(), e);
}

/// The same listening in both export flavours, as files: one identity. The extended rows name
/// the account, which a later export without the account still maps to.
#[test]
fn reformatted_exports_and_the_account_name() {
    let d = scratch("identity-flavours");
    let plays = listener(4);
    // "2024-01-03 08:15" from "2024-01-03 08:15:00 UTC".
    let minute = |m: i64| data_pool_client::units::format_time(m * 60)[..16].to_string();
    let account: Vec<Value> = plays
        .iter()
        .map(|&(m, t, ms)| json!({"endTime": minute(m), "artistName": format!("Artist {}", t / 10), "trackName": format!("Track {t}"), "msPlayed": ms}))
        .collect();
    let extended: Vec<Value> = plays
        .iter()
        .map(|&(m, t, ms)| json!({"ts": format!("{}:00Z", minute(m).replace(' ', "T")), "username": "listener-4", "ms_played": ms, "master_metadata_track_name": format!("Track {t}"), "master_metadata_album_artist_name": format!("Artist {}", t / 10)}))
        .collect();
    let a = d.join("account");
    let e = d.join("extended");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&e).unwrap();
    write_json(&a, "StreamingHistory_music_0.json", &account, false);
    write_json(&e, "Streaming_History_Audio_2024.json", &extended, false);
    let read = |p: &std::path::Path| read_paths(&[p.to_path_buf()], &Limits::default()).unwrap();
    let (la, le) = (read(&a), read(&e));
    assert!(la.accounts.is_empty());
    assert_eq!(le.accounts.len(), 1);
    let mut index = IdentityIndex::in_memory();
    let register = |index: &mut IdentityIndex, l: &Listening| {
        let ev = Evidence::of(l, &key()).unwrap();
        let r = index.resolve(&key(), &pool(), &ev).unwrap();
        index.record(&pool(), r.id, ev).unwrap();
        r
    };
    let first = register(&mut index, &le);
    let again = register(&mut index, &la);
    assert!(again.known);
    assert_eq!(again.commitment, first.commitment);
    // `Userdata.json` names the account of an "Account data" export.
    std::fs::write(
        a.join("Userdata.json"),
        r#"{"username": " Listener-4 ", "email": "x@example.com"}"#,
    )
    .unwrap();
    let with_user = read(&a);
    assert_eq!(with_user.accounts, le.accounts);
    // Rows of two accounts are two people's: refused.
    let mut two = extended.clone();
    two[0]["username"] = Value::from("someone-else");
    write_json(&e, "Streaming_History_Audio_2024.json", &two, false);
    assert_eq!(
        Evidence::of(&read(&e), &key()),
        Err(IdentityError::SeveralAccounts(2))
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// What a missed split by time gains: the halves' scores added up against the whole's (the
/// tracks and artists heard in both halves count twice). Printed for docs/SCORE.md.
#[test]
fn what_a_missed_split_by_time_gains() {
    use data_pool_client::spotify::{score, ScoreRules};
    let rules = ScoreRules {
        max_score: u64::MAX,
    };
    let (mut missed, mut gain_sum, mut gain_max) = (0u64, 0f64, 0f64);
    for p in 0..PEOPLE {
        let plays = listener(p);
        let (early, late) = plays.split_at(plays.len() / 2);
        let (a, b) = (
            Evidence::of(&listening(early), &key()).unwrap(),
            Evidence::of(&listening(late), &key()).unwrap(),
        );
        if a.same_person(&b) {
            continue;
        }
        missed += 1;
        let whole = score(&listening(&plays), &rules).score as f64;
        let parts =
            (score(&listening(early), &rules).score + score(&listening(late), &rules).score) as f64;
        let gain = parts / whole - 1.0;
        gain_sum += gain;
        gain_max = gain_max.max(gain);
    }
    let mean = if missed > 0 {
        gain_sum / missed as f64
    } else {
        0.0
    };
    eprintln!(
        "missed splits by time: {missed} of {PEOPLE}; their halves add up to +{:.1} % of the whole's score on average, +{:.1} % at most",
        mean * 100.0,
        gain_max * 100.0
    );
    assert!(gain_max < 1.0, "a missed split never doubles the score");
}
