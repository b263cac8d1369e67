//! The fuzzer's attacks: a plausible instruction with one account substituted (an attacker pool's
//! account, a random key, a wrong program) or a signer removed or replaced, which must fail and
//! change nothing.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::instructions as dix;
use solana_keypair::Keypair as Kp;
use solana_signer::Signer;

use crate::*;

use super::Stats;

/// Account names of `ix_name` from the committed IDL.
fn account_names(idl: &serde_json::Value, ix_name: &str) -> Vec<String> {
    idl["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .find(|i| i["name"] == ix_name)
        .map(|i| {
            i["accounts"]
                .as_array()
                .expect("accounts")
                .iter()
                .map(|a| a["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A contributor record of the world's pool (any wallet's, or a closed one's address).
fn record_of(w: &World, rng: &mut Rng) -> Pubkey {
    rng.pick(&w.side.data_hashes)
        .map_or_else(Pubkey::new_unique, |h| cached::contributor(&w.side.pool, h))
}

/// A plausible instruction for the world's pool, with its name and signers.
fn target(
    w: &World,
    rng: &mut Rng,
    wallets: &[Kp],
    buyers: &[Buyer],
) -> Option<(&'static str, Instruction, Vec<Kp>)> {
    let p = &PROGRAM_ID;
    let pool = w.side.pool;
    let payer = w.env.payer.pubkey();
    let k = rng.pick(wallets)?.insecure_clone();
    let auth = w.side.authority.insecure_clone();
    Some(match rng.below(13) {
        0 => {
            let o = *rng.pick(&w.side.offers)?;
            (
                "offer_vote",
                dix::offer_vote(p, &k.pubkey(), &pool, &o, &record_of(w, rng), true),
                vec![k],
            )
        }
        1 => {
            let dest = *w.side.claim_accounts.get(&k.pubkey())?;
            let record = record_of(w, rng);
            (
                "payout_claim",
                dix::payout_claim(p, &k.pubkey(), &pool, &record, &w.side.tokens, &dest),
                vec![k],
            )
        }
        2 => {
            let o = *rng.pick(&w.side.offers)?;
            let (_, token) = w.side.offer_buyers[&o];
            let rent_payer = w.env.payer.pubkey();
            (
                "offer_finalize",
                dix::offer_finalize(p, &pool, &o, &w.side.tokens, &token, &rent_payer),
                vec![],
            )
        }
        3 => {
            let o = *rng.pick(&w.side.offers)?;
            let (buyer, token) = w.side.offer_buyers[&o];
            let b = buyers.iter().find(|b| b.kp.pubkey() == buyer)?;
            let refund = dix::Refund {
                buyer,
                payer: w.env.payer.pubkey(),
                destination: token,
            };
            let ix = dix::offer_cancel(p, &pool, &o, &w.side.tokens, &refund);
            ("offer_cancel", ix, vec![b.kp.insecure_clone()])
        }
        4 => {
            let h = *rng.pick(&w.side.data_hashes)?;
            let c = w.record(&h)?;
            let owner = w.side.wallets.get(&c.wallet)?.insecure_clone();
            (
                "contributor_leave",
                dix::contributor_leave(p, &owner.pubkey(), &pool, &c.payer, &crate::person(&h)),
                vec![owner],
            )
        }
        5 => {
            // A vote that would count, as its voter signs it (the snapshot admits the record).
            let o = *rng.pick(&w.side.offers)?;
            let (record, c) = w.records(&k.pubkey()).into_iter().next()?;
            let voter = w.side.wallets.get(&c.wallet)?.insecure_clone();
            (
                "offer_vote",
                dix::offer_vote(p, &voter.pubkey(), &pool, &o, &record, false),
                vec![voter],
            )
        }
        6 => {
            let b = rng.pick(buyers)?;
            let index = w.pool_state().offer_count;
            let args = dix::OfferCreateArgs {
                index,
                price: 10_000,
                terms_hash: [9; 32],
                terms_uri: String::new(),
            };
            let ix = dix::offer_create(
                p,
                &payer,
                &b.kp.pubkey(),
                &pool,
                &w.side.tokens,
                &b.token,
                &b.token,
                args,
            );
            ("offer_create", ix, vec![b.kp.insecure_clone()])
        }
        8 => {
            let dest = *w.side.claim_accounts.get(&auth.pubkey())?;
            (
                "fees_withdraw",
                dix::fees_withdraw(p, &auth.pubkey(), &pool, &w.side.tokens, &dest, None),
                vec![auth],
            )
        }
        7 => {
            let h = *rng.pick(&w.side.data_hashes)?;
            let c = w.record(&h)?;
            let ix = dix::contribution_invalidate(
                p,
                &auth.pubkey(),
                &pool,
                &crate::person(&h),
                &c.attestor,
            );
            ("contribution_invalidate", ix, vec![auth])
        }
        9 => {
            let o = *rng.pick(&w.side.offers)?;
            let c = w.custodian.insecure_clone();
            let ix = dix::offer_deliver(
                p,
                &c.pubkey(),
                &pool,
                &o,
                &w.side.tokens,
                &w.env.payer.pubkey(),
                w.current_receipt(),
            );
            ("offer_deliver", ix, vec![c])
        }
        11 => {
            // The deposit's destination is a target here too: it must be the offer's payer.
            let o = *rng.pick(&w.side.offers)?;
            let rent_payer = w.env.get::<data_pool::state::Offer>(&o)?.payer;
            (
                "offer_close",
                dix::offer_close(p, &pool, &o, &rent_payer),
                vec![],
            )
        }
        10 => {
            let key = *rng.pick(&w.side.custodian_keys.iter().copied().collect::<Vec<_>>())?;
            (
                "custodian_remove",
                dix::custodian_remove(p, &auth.pubkey(), &pool, &key),
                vec![auth],
            )
        }
        _ => (
            "pool_pause",
            dix::pool_pause(p, &auth.pubkey(), &pool),
            vec![auth],
        ),
    })
}

/// One random attack on the world's pool; it must fail and change nothing.
pub(super) fn attack(
    w: &mut World,
    side: &mut PoolSide,
    rng: &mut Rng,
    wallets: &[Kp],
    buyers: &[Buyer],
    idl: &serde_json::Value,
    stats: &mut Stats,
) {
    let Some((name, mut ix, mut signers)) = target(w, rng, wallets, buyers) else {
        return;
    };
    let roles = account_names(idl, name);
    let mine = w.addresses();
    w.swap_side(side);
    let theirs: Vec<Pubkey> = w.addresses().difference(&mine).copied().collect();
    let their_wallets: Vec<Kp> = w
        .side
        .wallets
        .values()
        .map(|k| k.insecure_clone())
        .collect();
    w.swap_side(side);
    let slots: Vec<usize> = (0..ix.accounts.len())
        // Accounts the caller chooses freely are no attack: who pays a fee, where the curator
        // withdraws fees to. (The payer of `offer_close` and `contributor_leave` is where the
        // deposit goes: it is.)
        .filter(|&i| {
            roles.get(i).is_some_and(|r| {
                (r != "payer" || name == "offer_close" || name == "contributor_leave")
                    && !(name == "fees_withdraw" && r == "destination")
            })
        })
        .collect();
    let Some(&i) = rng.pick(&slots) else { return };
    let original = ix.accounts[i].clone();
    let class = match rng.below(10) {
        0..=5 if !original.is_signer => {
            let candidates = [
                TOKEN,
                TOKEN_2022,
                PROGRAM_ID,
                anchor_lang::system_program::ID,
                Pubkey::new_unique(),
            ];
            let pk = if rng.chance(80) && !theirs.is_empty() {
                *rng.pick(&theirs).unwrap()
            } else {
                *rng.pick(&candidates).unwrap()
            };
            ix.accounts[i].pubkey = pk;
            "substitution"
        }
        0..=7 if original.is_signer => {
            ix.accounts[i].is_signer = false;
            signers.retain(|s| s.pubkey() != original.pubkey);
            "missing signer"
        }
        _ if original.is_signer && !their_wallets.is_empty() => {
            let other = rng.pick(&their_wallets).unwrap().insecure_clone();
            ix.accounts[i].pubkey = other.pubkey();
            signers.retain(|s| s.pubkey() != original.pubkey);
            signers.push(other);
            "wrong signer"
        }
        _ => return,
    };
    if ix.accounts[i] == original {
        return;
    }
    let mut addrs = mine;
    addrs.extend(theirs.iter().copied());
    let before = w.snapshot(&addrs);
    let refs: Vec<&Kp> = signers.iter().collect();
    if let Ok(cu) = w.env.send_paid(&[ix.clone()], &refs) {
        panic!(
            "{name}: {class} of account {i} ({}) succeeded ({cu} CU): {:?}",
            roles[i], ix.accounts
        );
    }
    assert_eq!(
        before,
        w.snapshot(&addrs),
        "{name}: refused {class} changed state"
    );
    stats.attacks += 1;
    *stats
        .attack_kinds
        .entry(format!("{name}:{class}"))
        .or_default() += 1;
}
