//! Every state change emits an event with the accounts and amounts involved, and the client
//! decodes them from the transaction logs.

use data_pool_client::events::DataPoolEvent as E;
use data_pool_client::instructions as dix;
use data_pool_tests::*;

fn names(w: &World) -> Vec<&'static str> {
    w.env.last_events().iter().map(|e| e.name()).collect()
}

#[test]
fn a_sale_cycle_replays_from_its_events() {
    let mut w = World::new();
    let a = w.wallet("m", 0);
    let b = w.wallet("m", 1);
    w.contribute(&a, 100).unwrap();
    match &w.env.last_events()[..] {
        [E::ContributionSubmitted(e)] => {
            assert_eq!(
                (e.pool, e.contributor, e.score),
                (w.side.pool, a.pubkey(), 100)
            );
            let record = cached::contributor(&w.side.pool, &w.side.data_hashes[0]);
            assert_eq!((e.contribution, e.contributor_index), (record, 0));
            assert_eq!((e.payer, e.pool_weight), (w.env.payer.pubkey(), 100));
        }
        other => panic!("{other:?}"),
    }
    w.contribute(&b, 300).unwrap();
    let buyer = w.buyer(1, 1_000_000);
    let (offer, _) = w.offer(&buyer, 1_000_000).unwrap();
    match &w.env.last_events()[..] {
        [E::OfferCreated(e)] => {
            assert_eq!(
                (e.offer, e.price, e.snapshot_total_weight),
                (offer, 1_000_000, 400)
            );
        }
        other => panic!("{other:?}"),
    }
    w.vote(&b, &offer, true).unwrap();
    match &w.env.last_events()[..] {
        [E::VoteCast(e)] => assert_eq!((e.voter, e.weight, e.yes_weight), (b.pubkey(), 300, 300)),
        other => panic!("{other:?}"),
    }
    w.finalize(&offer).unwrap();
    match &w.env.last_events()[..] {
        [E::OfferAccepted(e)] => {
            assert_eq!(
                (e.price, e.fee, e.net, e.pool_weight),
                (1_000_000, 50_000, 950_000, 400)
            );
            assert_eq!(e.acc_after - e.acc_before, (950_000u128 << 64) / 400);
        }
        other => panic!("{other:?}"),
    }
    w.claim(&a).unwrap();
    match &w.env.last_events()[..] {
        [E::PayoutClaimed(e)] => assert_eq!(
            (e.contributor, e.record, e.amount),
            (
                a.pubkey(),
                cached::contributor(&w.side.pool, &w.side.data_hashes[0]),
                237_500
            )
        ),
        other => panic!("{other:?}"),
    }
    // Leaving: the weight leaves (the set log's step), then the record closes to its payer.
    let record = cached::contributor(&w.side.pool, &w.side.data_hashes[0]);
    let rent = w.env.lamports(&record);
    w.leave(&a, &w.side.data_hashes[0].clone()).unwrap();
    match &w.env.last_events()[..] {
        [E::ContributionRemoved(r), E::ContributorClosed(c)] => {
            assert_eq!(
                (r.contribution, r.score, r.invalidated),
                (record, 100, false)
            );
            assert_eq!((r.by, r.pool_weight), (a.pubkey(), 300));
            assert_eq!(
                (c.record, c.wallet, c.index, c.payer, c.lamports),
                (record, a.pubkey(), 0, w.env.payer.pubkey(), rent)
            );
            assert!(
                c.dust_q64 < 1u128 << 64,
                "less than one base unit stays behind"
            );
        }
        other => panic!("{other:?}"),
    }
    let auth = w.side.authority.insecure_clone();
    let to = w.claim_account(&auth.pubkey());
    let ix = dix::fees_withdraw(
        &PROGRAM_ID,
        &auth.pubkey(),
        &w.side.pool,
        &w.side.tokens,
        &to,
        None,
    );
    w.env.send_paid(&[ix], &[&auth]).unwrap();
    match &w.env.last_events()[..] {
        [E::FeesWithdrawn(e)] => assert_eq!(
            (e.pool, e.destination, e.amount, e.total_withdrawn),
            (w.side.pool, to, 50_000, 50_000)
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn curator_actions_emit_events() {
    let mut w = World::new();
    let auth = w.side.authority.insecure_clone();
    let new = w.wallet("next", 0);
    let steps = [
        (
            dix::pool_pause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool),
            "PoolPauseChanged",
        ),
        (
            dix::pool_unpause(&PROGRAM_ID, &auth.pubkey(), &w.side.pool),
            "PoolPauseChanged",
        ),
        (
            dix::pool_update(
                &PROGRAM_ID,
                &auth.pubkey(),
                &w.side.pool,
                w.update_args(|p| {
                    p.fee_bps = 1;
                }),
            ),
            "PoolUpdated",
        ),
        (
            dix::attestor_remove(
                &PROGRAM_ID,
                &auth.pubkey(),
                &w.side.pool,
                &w.attestor.pubkey(),
            ),
            "AttestorRemoved",
        ),
        (
            dix::authority_propose(&PROGRAM_ID, &auth.pubkey(), &w.side.pool, &new.pubkey()),
            "AuthorityProposed",
        ),
    ];
    for (ix, name) in steps {
        w.env.send_paid(&[ix], &[&auth]).unwrap();
        assert_eq!(names(&w), [name]);
    }
    let ix = dix::authority_accept(&PROGRAM_ID, &new.pubkey(), &w.side.pool);
    w.env.send_paid(&[ix], &[&new]).unwrap();
    match &w.env.last_events()[..] {
        [E::AuthorityChanged(e)] => {
            assert_eq!((e.previous, e.authority), (auth.pubkey(), new.pubkey()))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn failed_transactions_and_other_programs_emit_nothing_we_decode() {
    let mut w = World::new();
    let k = w.wallet("m", 0);
    assert!(w.claim(&k).is_err());
    assert!(w.env.last_events().is_empty());
    // A forged "Program data" line from another program is ignored.
    let logs = vec![
        "Program 11111111111111111111111111111111 invoke [1]".to_string(),
        "Program data: AAAAAAAAAAA=".to_string(),
        "Program 11111111111111111111111111111111 success".to_string(),
    ];
    assert!(data_pool_client::events::events_from_logs(&PROGRAM_ID, &logs).is_empty());
}
