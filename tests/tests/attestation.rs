//! Attestations: every check of docs/PROTOCOL.md against a crafted, malicious Ed25519 instruction.

use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use data_pool_client::attestation::{
    attestation_message, ed25519_instruction_data, ED25519_PROGRAM_ID,
};
use data_pool_client::instructions as dix;
use data_pool_tests::*;

struct Case {
    w: World,
    wallet: Kp,
    hash: [u8; 32],
    score: u64,
    expires: i64,
}

fn case() -> Case {
    let mut w = World::new();
    let wallet = w.wallet("contributor", 1);
    let hash = w.next_hash();
    let expires = w.env.now() + 600;
    Case {
        w,
        wallet,
        hash,
        score: 500,
        expires,
    }
}

impl Case {
    fn msg(&self) -> Vec<u8> {
        attestation_message(
            &PROGRAM_ID,
            &self.w.side.pool,
            &data_pool_tests::attested(&self.wallet.pubkey(), &self.hash, self.score),
            self.expires,
        )
    }

    fn submit(&self) -> Instruction {
        self.w.submit_ix(
            &self.wallet.pubkey(),
            &self.w.attestor.pubkey(),
            &self.hash,
            self.score,
            self.expires,
        )
    }

    fn sig(&self, signer: &Kp, msg: &[u8]) -> [u8; 64] {
        signer.sign_message(msg).as_ref().try_into().unwrap()
    }

    fn verify_ix(&self, data: Vec<u8>) -> Instruction {
        Instruction {
            program_id: ED25519_PROGRAM_ID,
            accounts: vec![],
            data,
        }
    }

    fn good_data(&self) -> Vec<u8> {
        let msg = self.msg();
        let sig = self.sig(&self.w.attestor, &msg);
        ed25519_instruction_data(&self.w.attestor.pubkey().to_bytes(), &sig, &msg)
    }

    fn send(&mut self, ixs: &[Instruction]) -> Result<u64, Failure> {
        let wallet = self.wallet.insecure_clone();
        let hash = self.hash;
        self.w.send_contribution(ixs, &wallet, &hash)
    }

    fn assert_nothing_recorded(&self) {
        let pool = self.w.pool_state();
        assert_eq!(pool.total_weight, 0);
        assert_eq!(
            (pool.contributor_count, pool.active_contribution_count),
            (0, 0)
        );
        assert!(self.w.record(&self.hash).is_none());
    }
}

#[test]
fn well_formed_attestation_is_accepted() {
    let mut c = case();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    assert_eq!(c.w.pool_state().total_weight, 500);
    c.w.check_invariants();
}

#[test]
fn signed_by_another_key() {
    let mut c = case();
    let impostor = kp("impostor", 1);
    let msg = c.msg();
    let sig = c.sig(&impostor, &msg);
    let data = ed25519_instruction_data(&impostor.pubkey().to_bytes(), &sig, &msg);
    let ixs = [c.verify_ix(data), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::WrongAttestor);
    c.assert_nothing_recorded();
}

#[test]
fn unregistered_attestor_has_no_record() {
    let mut c = case();
    let rogue = kp("rogue", 1);
    let msg = c.msg();
    let sig = c.sig(&rogue, &msg);
    let data = ed25519_instruction_data(&rogue.pubkey().to_bytes(), &sig, &msg);
    let submit = c.w.submit_ix(
        &c.wallet.pubkey(),
        &rogue.pubkey(),
        &c.hash,
        c.score,
        c.expires,
    );
    assert_anchor_err(
        c.send(&[c.verify_ix(data), submit]),
        AnchorError::AccountNotInitialized,
    );
    c.assert_nothing_recorded();
}

#[test]
fn removed_attestor_is_refused() {
    let mut c = case();
    let ix = dix::attestor_remove(
        &PROGRAM_ID,
        &c.w.side.authority.pubkey(),
        &c.w.side.pool,
        &c.w.attestor.pubkey(),
    );
    let auth = c.w.side.authority.insecure_clone();
    c.w.env.send_paid(&[ix], &[&auth]).unwrap();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::AttestorInactive);
    c.assert_nothing_recorded();
}

#[test]
fn altered_score_in_arguments() {
    let mut c = case();
    let data = c.good_data();
    c.score = 900; // the submit claims more than was signed
    let ixs = [c.verify_ix(data), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::SignatureMismatch);
    c.assert_nothing_recorded();
}

#[test]
fn altered_message_bytes_fail_the_precompile() {
    let mut c = case();
    let mut data = c.good_data();
    let last = data.len() - 1;
    data[last] ^= 1; // message no longer matches its signature
    let ixs = [c.verify_ix(data), c.submit()];
    let f = assert_fails(c.send(&ixs));
    assert_eq!(
        f.instruction_index(),
        Some(0),
        "fails at the verify instruction: {f:?}"
    );
    c.assert_nothing_recorded();
}

#[test]
fn message_taken_from_another_instruction() {
    let mut c = case();
    let msg = c.msg();
    let sig = c.sig(&c.w.attestor, &msg);
    // Instruction 0 is a valid verify instruction holding the message; instruction 1 verifies a
    // signature whose message lives in instruction 0.
    let holder = ed25519_instruction_data(&c.w.attestor.pubkey().to_bytes(), &sig, &msg);
    let mut pointing = holder.clone();
    let msg_offset = (2 + 14 + 32 + 64) as u16;
    pointing[2 + 12..2 + 14].copy_from_slice(&0u16.to_le_bytes()); // message_instruction_index = 0
    pointing[2 + 8..2 + 10].copy_from_slice(&msg_offset.to_le_bytes());
    let ixs = [c.verify_ix(holder), c.verify_ix(pointing), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::Ed25519DataElsewhere);
    c.assert_nothing_recorded();
}

#[test]
fn key_or_signature_taken_from_an_explicit_instruction_index() {
    // Byte offsets (after the 2-byte header) of public_key_instruction_index and
    // signature_instruction_index: pointing them at instruction 0 explicitly instead of u16::MAX.
    for field in [6, 2] {
        let mut c = case();
        let mut data = c.good_data();
        data[2 + field..2 + field + 2].copy_from_slice(&0u16.to_le_bytes());
        let ixs = [c.verify_ix(data), c.submit()];
        assert_dp_err(c.send(&ixs), DpErr::Ed25519DataElsewhere);
        c.assert_nothing_recorded();
    }
}

#[test]
fn two_signatures_in_one_instruction() {
    let mut c = case();
    let msg = c.msg();
    let key = c.w.attestor.pubkey().to_bytes();
    let sig = c.sig(&c.w.attestor, &msg);
    // Header for two signatures, both pointing at the same key/signature/message.
    let start = (2 + 14 * 2) as u16;
    let (k, s, m) = (start, start + 32, start + 96);
    let mut data = vec![2u8, 0];
    for _ in 0..2 {
        for v in [s, u16::MAX, k, u16::MAX, m, msg.len() as u16, u16::MAX] {
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    data.extend_from_slice(&key);
    data.extend_from_slice(&sig);
    data.extend_from_slice(&msg);
    let ixs = [c.verify_ix(data), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::WrongSignatureCount);
    c.assert_nothing_recorded();
}

#[test]
fn preceding_instruction_of_another_program() {
    let mut c = case();
    let payer = c.w.env.payer.pubkey();
    let other = anchor_lang::solana_program::system_instruction::transfer(&payer, &payer, 1);
    let ixs = [c.verify_ix(c.good_data()), other, c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::MissingEd25519Instruction);
    c.assert_nothing_recorded();
}

#[test]
fn no_preceding_instruction() {
    let mut c = case();
    let ixs = [c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::MissingEd25519Instruction);
    c.assert_nothing_recorded();
}

#[test]
fn verify_instruction_placed_after_ours() {
    let mut c = case();
    let ixs = [c.submit(), c.verify_ix(c.good_data())];
    assert_dp_err(c.send(&ixs), DpErr::MissingEd25519Instruction);
    c.assert_nothing_recorded();
}

#[test]
fn accounts_attached_to_the_verify_instruction() {
    let mut c = case();
    let mut v = c.verify_ix(c.good_data());
    v.accounts
        .push(AccountMeta::new_readonly(c.w.side.pool, false));
    let ixs = [v, c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::Ed25519AccountsAttached);
    c.assert_nothing_recorded();
}

#[test]
fn fake_instructions_sysvar() {
    let mut c = case();
    let mut submit = c.submit();
    // accounts: payer, wallet, pool, attestor, contributor, instructions, system
    submit.accounts[5] = AccountMeta::new_readonly(c.w.side.pool, false);
    let ixs = [c.verify_ix(c.good_data()), submit];
    assert_dp_err(c.send(&ixs), DpErr::InvalidInstructionsSysvar);
    c.assert_nothing_recorded();
}

#[test]
fn replayed_for_another_pool() {
    let mut c = case();
    // A second pool by the same curator with the same attestor.
    let cfg = PoolConfig {
        name: "other".into(),
        ..PoolConfig::default()
    };
    let ix = dix::pool_create(
        &PROGRAM_ID,
        &c.w.env.payer.pubkey(),
        &c.w.side.authority.pubkey(),
        &c.w.side.tokens.mint,
        &c.w.side.tokens.token_program,
        cfg.args(),
    );
    let auth = c.w.side.authority.insecure_clone();
    c.w.env.send_paid(&[ix], &[&auth]).unwrap();
    let other_pool = data_pool_client::pda::find_pool_pda(&PROGRAM_ID, &auth.pubkey(), "other").0;
    let add = dix::attestor_add(
        &PROGRAM_ID,
        &c.w.env.payer.pubkey(),
        &auth.pubkey(),
        &other_pool,
        &c.w.attestor.pubkey(),
    );
    c.w.env.send_paid(&[add], &[&auth]).unwrap();
    // Valid for `other`, replayed on the world's pool.
    let msg = attestation_message(
        &PROGRAM_ID,
        &other_pool,
        &data_pool_tests::attested(&c.wallet.pubkey(), &c.hash, c.score),
        c.expires,
    );
    let sig = c.sig(&c.w.attestor, &msg);
    let data = ed25519_instruction_data(&c.w.attestor.pubkey().to_bytes(), &sig, &msg);
    let ixs = [c.verify_ix(data.clone()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::SignatureMismatch);
    c.assert_nothing_recorded();
    // The same attestation is good on the pool it was made for.
    let submit_other = dix::contribution_submit(
        &PROGRAM_ID,
        &c.w.env.payer.pubkey(),
        &c.wallet.pubkey(),
        &other_pool,
        &c.w.attestor.pubkey(),
        dix::ContributionSubmitArgs {
            identity: person(&c.hash),
            data_hash: c.hash,
            score: c.score,
            expires_at: c.expires,
        },
    );
    let wallet = c.wallet.insecure_clone();
    c.w.env
        .send_paid(&[c.verify_ix(data), submit_other], &[&wallet])
        .unwrap();
}

#[test]
fn replayed_by_another_contributor() {
    let mut c = case();
    let data = c.good_data(); // signed for c.wallet
    let thief = c.w.wallet("thief", 1);
    let submit = c.w.submit_ix(
        &thief.pubkey(),
        &c.w.attestor.pubkey(),
        &c.hash,
        c.score,
        c.expires,
    );
    let hash = c.hash;
    let r =
        c.w.send_contribution(&[c.verify_ix(data), submit], &thief, &hash);
    assert_dp_err(r, DpErr::SignatureMismatch);
    c.assert_nothing_recorded();
}

#[test]
fn signed_for_another_program_id() {
    let mut c = case();
    let other_program = kp("other-program", 1).pubkey();
    let msg = attestation_message(
        &other_program,
        &c.w.side.pool,
        &data_pool_tests::attested(&c.wallet.pubkey(), &c.hash, c.score),
        c.expires,
    );
    let sig = c.sig(&c.w.attestor, &msg);
    let data = ed25519_instruction_data(&c.w.attestor.pubkey().to_bytes(), &sig, &msg);
    let ixs = [c.verify_ix(data), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::SignatureMismatch);
    c.assert_nothing_recorded();
}

#[test]
fn expired_attestation_and_the_boundary() {
    let mut c = case();
    c.w.env.set_time(c.expires + 1);
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::AttestationExpired);
    c.assert_nothing_recorded();
    c.w.env.set_time(c.expires); // valid up to and including `expires_at`
    c.send(&ixs).unwrap();
}

#[test]
fn zero_score_and_above_maximum() {
    let mut c = case();
    c.score = 0;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::ZeroScore);
    c.score = c.w.side.cfg.max_score + 1;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::ScoreTooHigh);
    c.assert_nothing_recorded();
    c.score = c.w.side.cfg.max_score;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    assert_eq!(c.w.pool_state().total_weight, c.w.side.cfg.max_score);
}

#[test]
fn the_same_person_again_replaces_and_another_wallet_is_refused() {
    let mut c = case();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    // Same wallet again: a replacement, not a second weight.
    c.expires += 1;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    assert_eq!(c.w.pool_state().total_weight, 500);
    assert_eq!(c.w.pool_state().active_contribution_count, 1);
    // Another wallet with the same person's data.
    c.wallet = c.w.wallet("copycat", 1);
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::IdentityTaken);
    assert_eq!(c.w.pool_state().total_weight, 500);
}

#[test]
fn data_that_left_may_come_back_once_and_invalidated_data_never() {
    let mut c = case();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    let (wallet, hash) = (c.wallet.insecure_clone(), c.hash);
    c.w.leave(&wallet, &hash).unwrap();
    // Back, as a new record with a new arrival index; and only once at a time.
    c.expires += 1;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    c.send(&ixs).unwrap();
    assert_eq!(c.w.record(&hash).unwrap().index, 1);
    c.wallet = c.w.wallet("copycat", 1);
    let copy = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&copy), DpErr::IdentityTaken);
    c.wallet = wallet.insecure_clone();
    // Invalidated, the record stays and the data is refused for good.
    let auth = c.w.side.authority.insecure_clone();
    let att = c.w.attestor.pubkey();
    let inv = dix::contribution_invalidate(
        &PROGRAM_ID,
        &auth.pubkey(),
        &c.w.side.pool,
        &person(&hash),
        &att,
    );
    c.w.env.send_paid(&[inv], &[&auth]).unwrap();
    assert_dp_err(c.w.leave(&wallet, &hash), DpErr::ContributionInactive);
    c.expires += 1;
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::DataInvalidated);
    c.w.check_invariants();
}

#[test]
fn paused_pool_takes_no_contributions() {
    let mut c = case();
    let ix = dix::pool_pause(&PROGRAM_ID, &c.w.side.authority.pubkey(), &c.w.side.pool);
    let auth = c.w.side.authority.insecure_clone();
    c.w.env.send_paid(&[ix], &[&auth]).unwrap();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    assert_dp_err(c.send(&ixs), DpErr::PoolPaused);
    c.assert_nothing_recorded();
}

#[test]
fn a_relayer_pays_for_a_contributor_without_sol() {
    let mut c = case();
    let wallet = kp("no-sol", 1); // never funded
    c.wallet = wallet.insecure_clone();
    let ixs = [c.verify_ix(c.good_data()), c.submit()];
    let payer_before = c.w.env.lamports(&c.w.env.payer.pubkey());
    c.send(&ixs).unwrap();
    assert_eq!(c.w.env.lamports(&wallet.pubkey()), 0);
    assert!(c.w.env.lamports(&c.w.env.payer.pubkey()) < payer_before);
    assert_eq!(c.w.weight(&wallet.pubkey()), Some(500));
}
