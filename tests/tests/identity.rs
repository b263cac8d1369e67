//! One person, one contribution, on chain: the record's address is the identity commitment, so
//! the same wallet resubmitting replaces its contribution (settled first, weight updated, vote
//! kept) and another wallet presenting the identity is refused. Exact weights, payouts, token
//! and lamport balances.

use data_pool::state::OfferState;
use data_pool_client::delivery::{replay, set_log, Commitment};
use data_pool_client::events::DataPoolEvent;
use data_pool_client::history::HistoryEvent;
use data_pool_tests::*;

const PRICE: u64 = 1_000_000; // fee 5 %: 950,000 to contributors

#[test]
fn a_replacement_settles_first_then_earns_at_its_new_weight() {
    let (mut w, ks) = World::with_members("member", &[100, 300]);
    let (alice, bob) = (&ks[0], &ks[1]);
    let first = w.side.data_hashes[0];
    // Sale 1 at weights 100 / 300.
    w.sell(1, PRICE, &[bob]);
    assert_eq!(w.entitlement(&alice.pubkey()), 237_500);
    // Alice brings a larger export of herself (new data, same person), paid by the relayer.
    let record = cached::contributor(&w.side.pool, &first);
    let rent = w.env.lamports(&record);
    let alice_lamports = w.env.lamports(&alice.pubkey());
    let relayer = w.env.payer.pubkey();
    let relayer_lamports = w.env.lamports(&relayer);
    let new_data = hash_of("alice-grown", 0);
    w.resubmit(alice, &first, new_data, 500).unwrap();
    // No new record, no rent: the relayer paid two signatures' fees only (its own and the
    // attestation's precompile), the record kept its deposit, alice paid nothing.
    assert_eq!(w.env.lamports(&record), rent);
    assert_eq!(w.env.lamports(&alice.pubkey()), alice_lamports);
    assert_eq!(w.env.lamports(&relayer), relayer_lamports - 3 * 5_000);
    let c = w.record(&first).unwrap();
    assert_eq!((c.weight, c.index, c.wallet), (500, 0, alice.pubkey()));
    let p = w.pool_state();
    assert_eq!(
        (
            p.total_weight,
            p.active_contribution_count,
            p.contributor_count
        ),
        (800, 2, 2)
    );
    // What she earned before stays owed, to the base unit.
    assert_eq!(w.entitlement(&alice.pubkey()), 237_500);
    let ev = w.env.last_events();
    let DataPoolEvent::ContributionSubmitted(e) = &ev[0] else {
        panic!("{ev:?}")
    };
    assert_eq!(
        (e.previous_score, e.score, e.data_hash, e.pool_weight),
        (100, 500, new_data, 800)
    );
    w.check_invariants();
    // Sale 2 at weights 500 / 300: 593,750 and 356,250.
    w.sell(2, PRICE, &[alice]);
    assert_eq!(w.entitlement(&alice.pubkey()), 237_500 + 593_750);
    assert_eq!(w.entitlement(&bob.pubkey()), 712_500 + 356_250);
    for (k, e) in [(alice, 831_250), (bob, 1_068_750)] {
        w.claim(k).unwrap();
        assert_eq!(w.env.balance(&w.side.claim_accounts[&k.pubkey()]), e);
    }
    assert_eq!(w.env.balance(&w.side.tokens.vault), 0);
    assert_eq!(w.env.balance(&w.side.tokens.fee_vault), 100_000);
    assert_eq!(w.tokens_in_existence(), w.minted);
    // Leaving after a replacement returns the deposit to whoever paid it at the start.
    let payer = w.record(&first).unwrap().payer;
    let payer_before = w.env.lamports(&payer);
    w.leave(alice, &first).unwrap();
    assert!(!w.env.exists(&record));
    // The relayer pays the leave's two signatures (its own and alice's) and gets the deposit.
    assert_eq!(w.env.lamports(&payer), payer_before + rent - 2 * 5_000);
    w.check_invariants();
}

#[test]
fn another_wallet_presenting_the_identity_is_refused_and_changes_nothing() {
    let (mut w, ks) = World::with_members("member", &[100, 300]);
    let first = w.side.data_hashes[0];
    let thief = w.wallet("thief", 0);
    let before = w.pool_state();
    let record = w.record(&first).unwrap();
    // The same person's data changed by one play, split or reformatted: the attestor gives it
    // the same identity, so from another wallet it is refused by name.
    for (i, score) in [(0, 100), (1, 50), (2, 999)] {
        let r = w.resubmit(&thief, &first, hash_of("copy", i), score);
        assert_dp_err(r, DpErr::IdentityTaken);
    }
    let after = w.pool_state();
    assert_eq!(
        (after.total_weight, after.set_hash, after.contributor_count),
        (
            before.total_weight,
            before.set_hash,
            before.contributor_count
        )
    );
    let now = w.record(&first).unwrap();
    assert_eq!((now.weight, now.wallet), (record.weight, ks[0].pubkey()));
    // Its own genuine attestation, aimed at the victim's record: the address must be the one of
    // the identity signed, so the record cannot be taken over.
    let own = hash_of("thief-own", 0);
    let exp = w.env.now() + 600;
    let att = w.attestor.insecure_clone();
    let victim = cached::contributor(&w.side.pool, &first);
    let mut submit = w.submit_ix(&thief.pubkey(), &att.pubkey(), &own, 100, exp);
    let slot = submit
        .accounts
        .iter()
        .position(|m| m.pubkey == cached::contributor(&w.side.pool, &own))
        .unwrap();
    submit.accounts[slot].pubkey = victim;
    let ixs = [w.attest_ix(&att, &thief.pubkey(), &own, 100, exp), submit];
    assert_anchor_err(
        w.env.send_paid(&ixs, &[&thief]),
        AnchorError::ConstraintSeeds,
    );
    assert_eq!(w.record(&first).unwrap().wallet, ks[0].pubkey());
    w.check_invariants();
}

#[test]
fn an_invalidated_person_cannot_come_back_in_any_form() {
    let (mut w, ks) = World::with_members("member", &[100, 300]);
    let first = w.side.data_hashes[0];
    w.invalidate(&first).unwrap();
    let r = w.resubmit(&ks[0], &first, hash_of("fresh-start", 0), 100);
    assert_dp_err(r, DpErr::DataInvalidated);
    let stranger = w.wallet("stranger", 0);
    let r = w.resubmit(&stranger, &first, hash_of("fresh-start", 1), 100);
    assert_dp_err(r, DpErr::DataInvalidated);
    assert_eq!(w.pool_state().total_weight, 300);
    w.check_invariants();
}

#[test]
fn a_replacement_keeps_its_vote_and_cannot_vote_twice() {
    let (mut w, ks) = World::with_members("member", &[100, 300, 600]);
    let first = w.side.data_hashes[0];
    let buyer = w.buyer(1, PRICE);
    let (offer, _) = w.offer(&buyer, PRICE).unwrap();
    w.vote(&ks[0], &offer, true).unwrap();
    w.resubmit(&ks[0], &first, hash_of("alice-grown", 0), 900)
        .unwrap();
    // The tally keeps the weight it was cast with; the record keeps its bit.
    assert_eq!(w.offer_state(&offer).yes_weight, 100);
    assert_dp_err(w.vote(&ks[0], &offer, true), DpErr::AlreadyVoted);
    w.vote(&ks[2], &offer, true).unwrap();
    let end = w.offer_state(&offer).voting_ends_at;
    w.env.set_time(end);
    w.finalize(&offer).unwrap();
    assert_eq!(w.offer_state(&offer).state, OfferState::Accepted);
    // Settlement pays the weights at settlement: 900, 300 and 600 of 1,800 (the accumulator
    // floors, so each is at most one base unit under its exact share).
    assert_eq!(w.entitlement(&ks[0].pubkey()), 474_999);
    assert_eq!(w.entitlement(&ks[1].pubkey()), 158_333);
    assert_eq!(w.entitlement(&ks[2].pubkey()), 316_666);
    w.check_invariants();
}

/// The events of the last transaction, as history entries.
fn record_events(w: &World, into: &mut Vec<HistoryEvent>) {
    for event in w.env.last_events() {
        into.push(HistoryEvent {
            signature: String::new(),
            slot: 0,
            block_time: None,
            name: event.name().to_string(),
            data: serde_json::Value::Null,
            event,
        });
    }
}

#[test]
fn the_set_log_replays_through_replacements_and_departures() {
    let mut w = World::new();
    let mut history = vec![];
    let (a, b) = (w.wallet("m", 0), w.wallet("m", 1));
    w.contribute(&a, 100).unwrap();
    record_events(&w, &mut history);
    w.contribute(&b, 300).unwrap();
    record_events(&w, &mut history);
    let (first, second) = (w.side.data_hashes[0], w.side.data_hashes[1]);
    w.resubmit(&a, &first, hash_of("v2", 0), 150).unwrap();
    record_events(&w, &mut history);
    w.resubmit(&a, &first, hash_of("v3", 0), 120).unwrap();
    record_events(&w, &mut history);
    w.leave(&b, &second).unwrap();
    record_events(&w, &mut history);
    let log = set_log(&history);
    assert_eq!(log.len(), 5);
    let (set, replayed) = replay(&log).unwrap();
    assert_eq!(replayed, Commitment::of_pool(&w.pool_state()));
    let only: Vec<_> = set
        .values()
        .map(|d| (d.identity, d.data_hash, d.score))
        .collect();
    assert_eq!(only, [(person(&first), hash_of("v3", 0), 120)]);
}
