//! The Pool: configuration, weights and the books of one data union.

use anchor_lang::prelude::*;

use crate::constants::{BPS_DENOMINATOR, MAX_POOL_NAME_LEN, SEED_POOL};
use crate::error::DataPoolError;

/// The parameters a curator sets: one type for the pool account, `pool_create`, `pool_update`
/// and their events, checked in one place.
#[derive(AnchorSerialize, AnchorDeserialize, InitSpace, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolParams {
    /// Curator fee on each sale, in bps.
    pub fee_bps: u16,
    /// Share of the snapshot weight that must vote, in bps.
    pub quorum_bps: u16,
    /// Share of the voted weight that must approve, in bps (at least 1).
    pub approval_bps: u16,
    /// Voting period of new offers, in seconds (`MIN_VOTING_PERIOD` to `MAX_VOTING_PERIOD`).
    pub voting_period: i64,
    /// Lowest price an offer may have, in base units (at least 1).
    pub min_offer_price: u64,
    /// Highest score one contribution may carry (at least 1).
    pub max_score: u64,
    /// Time a custodian has to deliver an approved sale, in seconds (`MIN_DELIVERY_PERIOD` to
    /// `MAX_DELIVERY_PERIOD`); after it anyone can settle the offer as undelivered and the
    /// buyer gets the price back.
    pub delivery_period: i64,
}

impl PoolParams {
    /// Checks the parameters: each error names the one out of range.
    pub fn validate(&self) -> Result<()> {
        use crate::constants::{
            MAX_DELIVERY_PERIOD, MAX_VOTING_PERIOD, MIN_DELIVERY_PERIOD, MIN_VOTING_PERIOD,
        };
        require!(
            u64::from(self.fee_bps) <= BPS_DENOMINATOR,
            DataPoolError::InvalidFeeBps
        );
        require!(
            u64::from(self.quorum_bps) <= BPS_DENOMINATOR,
            DataPoolError::InvalidQuorumBps
        );
        require!(
            self.approval_bps > 0 && u64::from(self.approval_bps) <= BPS_DENOMINATOR,
            DataPoolError::InvalidApprovalBps
        );
        require!(
            (MIN_VOTING_PERIOD..=MAX_VOTING_PERIOD).contains(&self.voting_period),
            DataPoolError::InvalidVotingPeriod
        );
        require!(
            self.min_offer_price > 0,
            DataPoolError::InvalidMinOfferPrice
        );
        require!(self.max_score > 0, DataPoolError::InvalidMaxScore);
        require!(
            (MIN_DELIVERY_PERIOD..=MAX_DELIVERY_PERIOD).contains(&self.delivery_period),
            DataPoolError::InvalidDeliveryPeriod
        );
        Ok(())
    }
}

/// A data pool. PDA `["pool", creator, name]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Pool {
    /// Layout version.
    pub version: u8,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the reward vault PDA.
    pub vault_bump: u8,
    /// When set, no new contributions or offers; money can still leave.
    pub paused: bool,
    /// Decimals of the payout mint (for `transfer_checked`).
    pub mint_decimals: u8,
    /// The wallet that created the pool (part of the seeds; never changes).
    pub creator: Pubkey,
    /// The current curator.
    pub authority: Pubkey,
    /// The proposed next curator (`Pubkey::default()` when none).
    pub pending_authority: Pubkey,
    /// The payout mint.
    pub mint: Pubkey,
    /// The payout mint's token program (SPL Token or Token-2022).
    pub token_program: Pubkey,
    /// Reward vault: token account of the mint owned by this pool.
    pub vault: Pubkey,
    /// Fee vault: token account of the mint owned by this pool, PDA `["fees", pool]`. Sale fees
    /// are paid here (an account nobody outside the program can close, freeze or gate), and
    /// leave only through `fees_withdraw`, signed by the authority.
    pub fee_vault: Pubkey,
    /// The parameters the curator sets (they apply to offers made afterwards).
    pub params: PoolParams,
    /// Σ weight of all contributors = Σ score of active contributions.
    pub total_weight: u64,
    /// Contributor records ever created (the next record's arrival index).
    pub contributor_count: u64,
    /// Contributor records closed by leaving: with the records on chain they account for every
    /// index below `contributor_count`.
    pub closed_contributor_count: u64,
    /// Contributions currently active.
    pub active_contribution_count: u64,
    /// Offers ever created (the next offer's index).
    pub offer_count: u64,
    /// Offers accepted.
    pub accepted_offer_count: u64,
    /// Attestors currently active.
    pub active_attestor_count: u32,
    /// Reward accumulator: base units per unit of weight, Q64.64.
    pub acc_reward_per_weight: u128,
    /// Σ net sale proceeds credited to contributors (paid into the vault).
    pub total_distributed: u128,
    /// Σ payouts claimed out of the vault.
    pub total_claimed: u128,
    /// Σ fees paid into the fee vault.
    pub total_fees: u128,
    /// Offers created and not yet settled (state `Open` or `AwaitingDelivery`). While it is not
    /// zero no contribution can be invalidated, so nobody privileged can shrink a contributor's
    /// share of a pending sale.
    pub open_offer_count: u64,
    /// Σ fees withdrawn from the fee vault.
    pub total_fees_withdrawn: u128,
    /// Bump of the fee vault PDA.
    pub fee_vault_bump: u8,
    /// Custodians currently active.
    pub active_custodian_count: u32,
    /// Set-history hash of the active contributions (see [`crate::commitment`]); with
    /// `active_contribution_count` and `total_weight` it is the commitment a delivery must match.
    pub set_hash: [u8; 32],
    /// Offers whose records were closed (`offer_close`): with the offer records on chain they
    /// account for every index below `offer_count`.
    pub closed_offer_count: u64,
    /// Claim window, seconds, set at creation: after `pool_wind_down`, contributors have this long
    /// to claim and leave before what stays unclaimed may be swept and the pool closed.
    pub claim_window: i64,
    /// When the pool was wound down (0 while it is live).
    pub wound_down_at: i64,
    /// Attestor records on chain (closed with the pool).
    pub attestor_records: u32,
    /// Custodian records on chain (closed with the pool).
    pub custodian_records: u32,
    /// Who paid the rent of the pool and its two vaults: `pool_close` returns it there.
    pub payer: Pubkey,
    /// Σ base units owed to records closed by `contributor_reap` after the claim window: they
    /// stay in the vault until `pool_close` sweeps it.
    pub total_forfeited: u128,
    /// Pool name (≤ 32 bytes, part of the seeds). Last, so every field before it sits at a fixed
    /// offset (see [`crate::state::view`]).
    #[max_len(MAX_POOL_NAME_LEN)]
    pub name: String,
}

impl Pool {
    /// The pool's own parameters still satisfy [`PoolParams::validate`]; the books balance.
    pub fn invariant(&self) -> Result<()> {
        self.params.validate()?;
        Self::require_claims_covered(
            self.total_claimed,
            self.total_forfeited,
            self.total_distributed,
        )?;
        Self::require_active_within(
            self.active_contribution_count,
            self.contributor_count,
            self.closed_contributor_count,
        )?;
        require!(
            self.accepted_offer_count <= self.offer_count
                && self.open_offer_count <= self.offer_count
                && self
                    .closed_offer_count
                    .checked_add(self.accepted_offer_count)
                    .is_some_and(|ended| ended <= self.offer_count)
                && self.total_fees_withdrawn <= self.total_fees,
            DataPoolError::InvariantViolated
        );
        Ok(())
    }

    /// Part of [`Pool::invariant`]: never more claimed (and forfeited by reaped records) than
    /// distributed.
    pub fn require_claims_covered(
        total_claimed: u128,
        total_forfeited: u128,
        total_distributed: u128,
    ) -> Result<()> {
        require!(
            total_claimed
                .checked_add(total_forfeited)
                .is_some_and(|out| out <= total_distributed),
            DataPoolError::InvariantViolated
        );
        Ok(())
    }

    /// Part of [`Pool::invariant`]: no more active contributions than open records (created and
    /// not closed).
    pub fn require_active_within(active: u64, created: u64, closed: u64) -> Result<()> {
        require!(
            created
                .checked_sub(closed)
                .is_some_and(|open| active <= open),
            DataPoolError::InvariantViolated
        );
        Ok(())
    }

    /// Signer seeds of the pool PDA (it owns the vault).
    pub fn signer_seeds(&self) -> [&[u8]; 4] {
        Self::seeds_of(&self.creator, self.name.as_bytes(), &self.bump)
    }

    /// Signer seeds of the pool PDA from its parts.
    pub fn seeds_of<'a>(creator: &'a Pubkey, name: &'a [u8], bump: &'a u8) -> [&'a [u8]; 4] {
        [
            SEED_POOL,
            creator.as_ref(),
            name,
            std::slice::from_ref(bump),
        ]
    }

    /// Fails when the pool is paused.
    pub fn require_active(&self) -> Result<()> {
        Self::require_unpaused(self.paused)
    }

    /// When the claim window of a wound-down pool ends (`None` while the pool is live).
    pub fn claims_end(&self) -> Option<i64> {
        (self.wound_down_at != 0).then(|| self.wound_down_at.saturating_add(self.claim_window))
    }

    /// Fails with `ClaimWindowOpen` unless the pool was wound down and its claim window is over.
    pub fn require_claims_over(&self, now: i64) -> Result<()> {
        require!(
            self.claims_end().is_some_and(|end| now >= end),
            DataPoolError::ClaimWindowOpen
        );
        Ok(())
    }

    /// Fails with `PoolPaused` when `paused`.
    pub fn require_unpaused(paused: bool) -> Result<()> {
        require!(!paused, DataPoolError::PoolPaused);
        Ok(())
    }
}

// Layout sizes are pinned: a change must be deliberate (and versioned).
const _: () = assert!(Pool::INIT_SPACE == 560);
