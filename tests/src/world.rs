//! A pool in a LiteSVM with its curator, attestor and the bookkeeping of every address it
//! created: the harness most suites drive.

use std::collections::{BTreeMap, BTreeSet};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use data_pool::state::{DeliveryReceipt, Offer, OfferState, Pool as PoolState};
use data_pool_client::attestation::{attestation_message, ed25519_verify_ix, Attested};
use data_pool_client::delivery::Commitment;
use data_pool_client::instructions::{self as dix, PoolTokens};
use data_pool_client::pda::*;
use sha2::{Digest, Sha256};
use solana_keypair::Keypair;

use crate::*;

/// Parameters of a test pool.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Pool name.
    pub name: String,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Fee, bps.
    pub fee_bps: u16,
    /// Quorum, bps.
    pub quorum_bps: u16,
    /// Approval, bps.
    pub approval_bps: u16,
    /// Voting period, seconds.
    pub voting_period: i64,
    /// Minimum offer price.
    pub min_offer_price: u64,
    /// Maximum score.
    pub max_score: u64,
    /// Delivery period, seconds.
    pub delivery_period: i64,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            name: "unwrapped".into(),
            token_program: TOKEN,
            decimals: 6,
            fee_bps: 500,
            quorum_bps: 5_000,
            approval_bps: 6_000,
            voting_period: 3 * 24 * 3600,
            min_offer_price: 1_000,
            max_score: 1_000_000,
            delivery_period: 7 * 24 * 3600,
        }
    }
}

impl PoolConfig {
    /// The create args for this config.
    pub fn args(&self) -> dix::PoolCreateArgs {
        dix::PoolCreateArgs {
            name: self.name.clone(),
            params: self.params(),
            claim_window: dix::DEFAULT_CLAIM_WINDOW,
        }
    }

    /// The pool parameters of this config.
    pub fn params(&self) -> data_pool::state::PoolParams {
        data_pool::state::PoolParams {
            fee_bps: self.fee_bps,
            quorum_bps: self.quorum_bps,
            approval_bps: self.approval_bps,
            voting_period: self.voting_period,
            min_offer_price: self.min_offer_price,
            max_score: self.max_score,
            delivery_period: self.delivery_period,
        }
    }
}

/// A buyer with a funded token account.
pub struct Buyer {
    /// The buyer's wallet.
    pub kp: Keypair,
    /// Its token account of the payout mint (pays and receives refunds).
    pub token: Pubkey,
}

/// A pool in a LiteSVM, with its curator, attestor and bookkeeping of every address it created,
/// so tests can check docs/PROTOCOL.md's invariants over the whole pool.
pub struct World {
    /// The VM.
    pub env: Env,
    /// The pool the world acts on and everything it created in it; [`World::swap_side`]
    /// exchanges it for a second pool in the same chain.
    pub side: PoolSide,
    /// Mint authority of the payout mint.
    pub mint_authority: Keypair,
    /// The registered attestor.
    pub attestor: Keypair,
    /// The registered custodian.
    pub custodian: Keypair,
    /// Total tokens minted into this world.
    pub minted: u64,
    /// Token accounts to include in the conservation check.
    pub token_accounts: BTreeSet<Pubkey>,
    counter: u64,
}

/// One pool of a [`World`] and the bookkeeping of every address it created.
pub struct PoolSide {
    /// The config the pool was made with.
    pub cfg: PoolConfig,
    /// The curator.
    pub authority: Keypair,
    /// The pool address.
    pub pool: Pubkey,
    /// Mint, token program, vault and fee vault.
    pub tokens: PoolTokens,
    /// Contributor wallets ever seen.
    pub wallets: BTreeMap<Pubkey, Keypair>,
    /// Data hashes ever contributed.
    pub data_hashes: Vec<[u8; 32]>,
    /// Offers ever created, in order.
    pub offers: Vec<Pubkey>,
    /// Buyer wallet and token account by offer.
    pub offer_buyers: BTreeMap<Pubkey, (Pubkey, Pubkey)>,
    /// Votes cast: (offer, voter).
    pub votes: BTreeSet<(Pubkey, Pubkey)>,
    /// Claim destinations by wallet.
    pub claim_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Attestor keys ever registered.
    pub attestor_keys: BTreeSet<Pubkey>,
    /// Custodian keys ever registered.
    pub custodian_keys: BTreeSet<Pubkey>,
}

impl PoolSide {
    /// A pool made with `cfg` by `authority`, paying out in `tokens`, with nothing in it yet.
    pub fn new(cfg: PoolConfig, authority: Keypair, pool: Pubkey, tokens: PoolTokens) -> Self {
        PoolSide {
            cfg,
            authority,
            pool,
            tokens,
            wallets: BTreeMap::new(),
            data_hashes: vec![],
            offers: vec![],
            offer_buyers: BTreeMap::new(),
            votes: BTreeSet::new(),
            claim_accounts: BTreeMap::new(),
            attestor_keys: BTreeSet::new(),
            custodian_keys: BTreeSet::new(),
        }
    }
}

impl World {
    /// A pool with the default config.
    pub fn new() -> Self {
        Self::with_config(PoolConfig::default())
    }

    /// A pool with `cfg`, its attestor registered.
    pub fn with_config(cfg: PoolConfig) -> Self {
        let mut env = Env::new();
        let authority = kp("authority", 0);
        let mint_authority = kp("mint-authority", 0);
        let attestor = kp("attestor", 0);
        env.fund(&authority.pubkey(), 10 * SOL);
        let mint = env.create_mint(
            &cfg.token_program,
            &mint_authority.pubkey(),
            cfg.decimals,
            &[],
        );
        let (pool, _) = find_pool_pda(&PROGRAM_ID, &authority.pubkey(), &cfg.name);
        let tokens = PoolTokens {
            mint,
            token_program: cfg.token_program,
            vault: find_vault_pda(&PROGRAM_ID, &pool).0,
            fee_vault: find_fee_vault_pda(&PROGRAM_ID, &pool).0,
        };
        let mut w = World {
            env,
            side: PoolSide::new(cfg.clone(), authority, pool, tokens),
            mint_authority,
            attestor,
            custodian: kp("custodian", 0),
            minted: 0,
            token_accounts: BTreeSet::new(),
            counter: 0,
        };
        w.token_accounts.insert(w.side.tokens.fee_vault);
        w.token_accounts.insert(w.side.tokens.vault);
        let ix = dix::pool_create(
            &PROGRAM_ID,
            &w.env.payer.pubkey(),
            &w.side.authority.pubkey(),
            &mint,
            &cfg.token_program,
            cfg.args(),
        );
        let a = w.side.authority.insecure_clone();
        w.env.send_paid(&[ix], &[&a]).expect("pool_create");
        let key = w.attestor.pubkey();
        w.add_attestor(&key).expect("attestor_add");
        let key = w.custodian.pubkey();
        w.add_custodian(&key).expect("custodian_add");
        w
    }

    /// Registers a custodian key.
    pub fn add_custodian(&mut self, key: &Pubkey) -> Result<u64, Failure> {
        let ix = dix::custodian_add(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &self.side.authority.pubkey(),
            &self.side.pool,
            key,
        );
        let a = self.side.authority.insecure_clone();
        let r = self.env.send_paid(&[ix], &[&a]);
        if r.is_ok() {
            self.side.custodian_keys.insert(*key);
        }
        r
    }

    /// Registers an attestor key.
    pub fn add_attestor(&mut self, key: &Pubkey) -> Result<u64, Failure> {
        let ix = dix::attestor_add(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            &self.side.authority.pubkey(),
            &self.side.pool,
            key,
        );
        let a = self.side.authority.insecure_clone();
        let r = self.env.send_paid(&[ix], &[&a]);
        if r.is_ok() {
            self.side.attestor_keys.insert(*key);
        }
        r
    }

    /// `pool_update` args: the pool's current parameters with `change` applied.
    pub fn update_args(
        &self,
        change: impl FnOnce(&mut data_pool::state::PoolParams),
    ) -> dix::PoolUpdateArgs {
        let mut params = self.pool_state().params;
        change(&mut params);
        dix::PoolUpdateArgs { params }
    }

    /// The pool account.
    pub fn pool_state(&self) -> PoolState {
        self.env.get(&self.side.pool).expect("pool")
    }

    /// An offer.
    pub fn offer_state(&self, offer: &Pubkey) -> Offer {
        self.env.get(offer).expect("offer")
    }

    /// Who settles `offer`'s escrow: `buyer` signing, the offer's rent payer, `destination`.
    pub fn refund(&self, offer: &Pubkey, buyer: &Pubkey, destination: &Pubkey) -> dix::Refund {
        let payer = self
            .env
            .get::<Offer>(offer)
            .map_or(self.env.payer.pubkey(), |o| o.payer);
        dix::Refund {
            buyer: *buyer,
            payer,
            destination: *destination,
        }
    }

    /// A new funded wallet, remembered by the world.
    pub fn wallet(&mut self, tag: &str, n: u64) -> Keypair {
        let k = kp(tag, n);
        self.env.fund(&k.pubkey(), SOL);
        self.side.wallets.insert(k.pubkey(), k.insecure_clone());
        k
    }

    /// A fresh data hash.
    pub fn next_hash(&mut self) -> [u8; 32] {
        self.counter += 1;
        hash_of("data", self.counter)
    }

    /// The Ed25519 verify instruction of `signer` attesting `(wallet, hash, score, expires)` on
    /// this pool and program.
    pub fn attest_ix(
        &self,
        signer: &Keypair,
        wallet: &Pubkey,
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        self.attest_person_ix(
            signer,
            wallet,
            &crate::person(hash),
            hash,
            score,
            expires_at,
        )
    }

    /// [`Self::attest_ix`] for the person `identity`.
    pub fn attest_person_ix(
        &self,
        signer: &Keypair,
        wallet: &Pubkey,
        identity: &[u8; 32],
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        let attested = Attested {
            contributor: *wallet,
            identity: *identity,
            data_hash: *hash,
            score,
        };
        let msg = attestation_message(&PROGRAM_ID, &self.side.pool, &attested, expires_at);
        let sig = signer.sign_message(&msg);
        let sig: [u8; 64] = sig.as_ref().try_into().expect("64-byte signature");
        ed25519_verify_ix(&signer.pubkey(), &sig, &msg)
    }

    /// The `contribution_submit` instruction (without its attestation).
    pub fn submit_ix(
        &self,
        wallet: &Pubkey,
        attestor_key: &Pubkey,
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        let identity = crate::person(hash);
        self.submit_person_ix(wallet, attestor_key, &identity, hash, score, expires_at)
    }

    /// [`Self::submit_ix`] for the person `identity`.
    pub fn submit_person_ix(
        &self,
        wallet: &Pubkey,
        attestor_key: &Pubkey,
        identity: &[u8; 32],
        hash: &[u8; 32],
        score: u64,
        expires_at: i64,
    ) -> Instruction {
        dix::contribution_submit(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            wallet,
            &self.side.pool,
            attestor_key,
            dix::ContributionSubmitArgs {
                identity: *identity,
                data_hash: *hash,
                score,
                expires_at,
            },
        )
    }

    /// Sends arbitrary instructions for a contribution by `wallet` (to test crafted attestations).
    pub fn send_contribution(
        &mut self,
        ixs: &[Instruction],
        wallet: &Keypair,
        hash: &[u8; 32],
    ) -> Result<u64, Failure> {
        let r = self.env.send_paid(ixs, &[wallet]);
        if r.is_ok() {
            self.side
                .wallets
                .insert(wallet.pubkey(), wallet.insecure_clone());
            self.side.data_hashes.push(*hash);
        }
        r
    }

    /// A well-formed attested contribution of `hash` with `score` by `wallet`.
    pub fn contribute_hash(
        &mut self,
        wallet: &Keypair,
        hash: [u8; 32],
        score: u64,
    ) -> Result<u64, Failure> {
        let expires = self.env.now() + 3600;
        let att = self.attestor.insecure_clone();
        let ixs = [
            self.attest_ix(&att, &wallet.pubkey(), &hash, score, expires),
            self.submit_ix(&wallet.pubkey(), &att.pubkey(), &hash, score, expires),
        ];
        self.send_contribution(&ixs, wallet, &hash)
    }

    /// A well-formed attested contribution of fresh data with `score` by `wallet`.
    pub fn contribute(&mut self, wallet: &Keypair, score: u64) -> Result<u64, Failure> {
        let hash = self.next_hash();
        self.contribute_hash(wallet, hash, score)
    }

    /// A buyer holding `amount` tokens.
    pub fn buyer(&mut self, n: u64, amount: u64) -> Buyer {
        self.buyer_with(n, amount, &[])
    }

    /// [`World::buyer`] whose token account has room for the Token-2022 account `extensions`.
    pub fn buyer_with(&mut self, n: u64, amount: u64, extensions: &[ExtensionType]) -> Buyer {
        let k = kp("buyer", n);
        self.env.fund(&k.pubkey(), SOL);
        let token = self.env.create_token_account_with(
            &self.side.tokens.token_program,
            &self.side.tokens.mint,
            &k.pubkey(),
            extensions,
        );
        if amount > 0 {
            self.mint(&token, amount);
        }
        self.token_accounts.insert(token);
        Buyer { kp: k, token }
    }

    /// Mints `amount` into `to`, counting it for conservation.
    pub fn mint(&mut self, to: &Pubkey, amount: u64) {
        let ma = self.mint_authority.insecure_clone();
        let tp = self.side.tokens.token_program;
        let mint = self.side.tokens.mint;
        self.env
            .mint_to(&tp, &mint, &ma, to, amount, self.side.cfg.decimals);
        self.minted += amount;
    }

    /// Creates an offer of `price` by `buyer`; returns the offer address and compute units.
    pub fn offer(&mut self, buyer: &Buyer, price: u64) -> Result<(Pubkey, u64), Failure> {
        let index = self.pool_state().offer_count;
        let args = dix::OfferCreateArgs {
            index,
            price,
            terms_hash: [7; 32],
            terms_uri: "https://example.org/terms/unwrapped-v1.json".into(),
        };
        let ix = self.offer_create_ix(&buyer.kp.pubkey(), &buyer.token, &buyer.token, args);
        let cu = self.env.send_paid(&[ix], &[&buyer.kp])?;
        let offer = find_offer_pda(&PROGRAM_ID, &self.side.pool, index).0;
        self.side.offers.push(offer);
        self.side
            .offer_buyers
            .insert(offer, (buyer.kp.pubkey(), buyer.token));
        Ok((offer, cu))
    }

    /// The `offer_create` instruction on this pool, paid by the env payer (to craft bad ones).
    pub fn offer_create_ix(
        &self,
        buyer: &Pubkey,
        buyer_token: &Pubkey,
        refund_account: &Pubkey,
        args: dix::OfferCreateArgs,
    ) -> Instruction {
        dix::offer_create(
            &PROGRAM_ID,
            &self.env.payer.pubkey(),
            buyer,
            &self.side.pool,
            &self.side.tokens,
            buyer_token,
            refund_account,
            args,
        )
    }

    /// The owner closes its (empty) token account, which then drops out of the conservation
    /// check.
    pub fn close_token_account(&mut self, owner: &Keypair, account: &Pubkey) {
        let close = spl_token_2022::instruction::close_account(
            &self.side.tokens.token_program,
            account,
            &owner.pubkey(),
            &owner.pubkey(),
            &[],
        )
        .expect("close_account");
        self.env
            .send_paid(&[close], &[owner])
            .expect("close token account");
        self.token_accounts.remove(account);
    }

    /// Whether `offer` is open and its votes have not decided it yet (votes are accepted).
    pub fn undecided(&self, offer: &Pubkey) -> bool {
        let o = self.offer_state(offer);
        o.state == OfferState::Open && o.outcome(self.env.now()).is_none()
    }

    /// Finalizes `offer` (the env payer cranks it) and, when the vote approved it, has the
    /// world's custodian deliver it at once, which settles the sale. Returns the finalize CU.
    pub fn finalize(&mut self, offer: &Pubkey) -> Result<u64, Failure> {
        let cu = self.finalize_only(offer)?;
        if self.offer_state(offer).state == OfferState::AwaitingDelivery {
            let c = self.custodian.insecure_clone();
            self.deliver_by(&c, offer, self.current_receipt())
                .expect("offer_deliver");
        }
        Ok(cu)
    }

    /// The receipt of a delivery of the pool's active set as it is now.
    pub fn current_receipt(&self) -> DeliveryReceipt {
        let p = self.pool_state();
        Commitment::of_pool(&p).receipt(Sha256::digest(p.set_hash).into(), 1_000)
    }

    /// `custodian` delivers `offer` with `receipt`.
    pub fn deliver_by(
        &mut self,
        custodian: &Keypair,
        offer: &Pubkey,
        receipt: DeliveryReceipt,
    ) -> Result<u64, Failure> {
        let o = self.offer_state(offer);
        let ix = dix::offer_deliver(
            &PROGRAM_ID,
            &custodian.pubkey(),
            &self.side.pool,
            offer,
            &self.side.tokens,
            &o.payer,
            receipt,
        );
        self.send_settling(offer, &[ix], &[custodian])
    }

    /// Sends `offer_finalize` alone (an approved offer then awaits delivery).
    pub fn finalize_only(&mut self, offer: &Pubkey) -> Result<u64, Failure> {
        let o = self.offer_state(offer);
        let ix = dix::offer_finalize(
            &PROGRAM_ID,
            &self.side.pool,
            offer,
            &self.side.tokens,
            &o.refund_account,
            &o.payer,
        );
        self.send_settling(offer, &[ix], &[])
    }

    /// The claim destination of `wallet`, created on first use.
    pub fn claim_account(&mut self, wallet: &Pubkey) -> Pubkey {
        if let Some(a) = self.side.claim_accounts.get(wallet) {
            return *a;
        }
        let tp = self.side.tokens.token_program;
        let mint = self.side.tokens.mint;
        let a = self.env.create_token_account(&tp, &mint, wallet);
        self.side.claim_accounts.insert(*wallet, a);
        self.token_accounts.insert(a);
        a
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}
