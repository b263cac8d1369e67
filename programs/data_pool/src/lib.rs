//! # data-pool
//!
//! A data union on Solana: contributors pool attested personal data, buyers make offers paid
//! into escrow, contributors vote with their data-share weight, and accepted sales are paid out
//! pro rata through an O(1) reward accumulator. See `docs/PROGRAM.md` and the design in
//! `docs/PROTOCOL.md`.
//!
//! Instructions are named `noun_verb`; each lives in `instructions/<name>.rs` with its
//! `Accounts` struct and `handler`. This module only dispatches.

#![allow(ambiguous_glob_reexports)]
#![deny(clippy::arithmetic_side_effects)]

use anchor_lang::prelude::*;
#[cfg(target_arch = "bpf")]
use solana_compiler_builtins as _;

pub mod attestation;
pub mod commitment;
pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod math;
pub mod pda;
pub mod profile;
pub mod registry;
pub mod state;
pub mod token;

pub use constants::*;
pub use instructions::*;
pub use state::DeliveryReceipt;

declare_id!("GgJg1U36HZmSZLqyuuTBFQKG4v4GTsQDdqupVwjjQLMt");

/// The data-pool program.
#[program]
pub mod data_pool {
    use super::*;

    /// Creates a pool with its payout mint, reward vault and fee vault. Signed by the curator.
    pub fn pool_create(ctx: Context<PoolCreate>, args: PoolCreateArgs) -> Result<()> {
        instructions::pool_create::handler(ctx, args)
    }

    /// Changes pool parameters (authority). Applies to offers created afterwards.
    pub fn pool_update(ctx: Context<PoolUpdate>, args: PoolUpdateArgs) -> Result<()> {
        instructions::pool_update::handler(ctx, args)
    }

    /// Pauses new contributions and offers (authority). Money can always leave.
    pub fn pool_pause(ctx: Context<PoolPause>) -> Result<()> {
        instructions::pool_pause::handler(ctx)
    }

    /// Lifts a pause (authority).
    pub fn pool_unpause(ctx: Context<PoolPause>) -> Result<()> {
        instructions::pool_unpause::handler(ctx)
    }

    /// Winds the pool down (authority): no new contributions or offers; the claim window starts.
    pub fn pool_wind_down(ctx: Context<PoolWindDown>) -> Result<()> {
        instructions::pool_wind_down::handler(ctx)
    }

    /// Closes a wound-down pool after its claim window (authority): sweeps the vaults to
    /// `destination`, closes them, the attestor and custodian records and the pool, rent to
    /// whoever paid it.
    pub fn pool_close<'info>(ctx: Context<'info, PoolClose<'info>>) -> Result<()> {
        instructions::pool_close::handler(ctx)
    }

    /// Proposes a new authority (authority); the default key withdraws a proposal.
    pub fn authority_propose(ctx: Context<AuthorityPropose>, new_authority: Pubkey) -> Result<()> {
        instructions::authority_propose::handler(ctx, new_authority)
    }

    /// The proposed authority takes over.
    pub fn authority_accept(ctx: Context<AuthorityAccept>) -> Result<()> {
        instructions::authority_accept::handler(ctx)
    }

    /// Registers or re-activates an attestor key (authority).
    pub fn attestor_add(ctx: Context<AttestorAdd>, key: Pubkey) -> Result<()> {
        instructions::attestor_add::handler(ctx, key)
    }

    /// Deactivates an attestor (authority); the record stays for audit.
    pub fn attestor_remove(ctx: Context<AttestorRemove>) -> Result<()> {
        instructions::attestor_remove::handler(ctx)
    }

    /// Registers or re-activates a custodian key, allowed to deliver the pool's sales
    /// (authority).
    pub fn custodian_add(ctx: Context<CustodianAdd>, key: Pubkey) -> Result<()> {
        instructions::custodian_add::handler(ctx, key)
    }

    /// Deactivates a custodian (authority); the record stays for audit.
    pub fn custodian_remove(ctx: Context<CustodianRemove>) -> Result<()> {
        instructions::custodian_remove::handler(ctx)
    }

    /// Submits an attested contribution; the preceding instruction must be the attestor's
    /// Ed25519 signature over the attestation message.
    pub fn contribution_submit(
        ctx: Context<ContributionSubmit>,
        args: ContributionSubmitArgs,
    ) -> Result<()> {
        instructions::contribution_submit::handler(ctx, args)
    }

    /// Takes one's contribution out of the pool and closes its record, rent to whoever paid it
    /// (right to be forgotten); everything owed must be claimed first.
    pub fn contributor_leave(ctx: Context<ContributorLeave>, identity: [u8; 32]) -> Result<()> {
        instructions::contributor_leave::handler(ctx, identity)
    }

    /// Closes a record left behind once a wound-down pool's claim window is over (anyone): rent
    /// to its payer (an invalidated record's to the incinerator), unclaimed payouts forfeited.
    pub fn contributor_reap(ctx: Context<ContributorReap>, identity: [u8; 32]) -> Result<()> {
        instructions::contributor_reap::handler(ctx, identity)
    }

    /// Invalidates a contribution (authority, or the attestor that signed it while it is active
    /// on the pool), only while no offer of the pool is open. The record stays.
    pub fn contribution_invalidate(
        ctx: Context<ContributionInvalidate>,
        identity: [u8; 32],
    ) -> Result<()> {
        instructions::contribution_invalidate::handler(ctx, identity)
    }

    /// Makes an offer and escrows its price (buyer).
    pub fn offer_create(ctx: Context<OfferCreate>, args: OfferCreateArgs) -> Result<()> {
        instructions::offer_create::handler(ctx, args)
    }

    /// Votes on an open offer whose outcome is not decided yet (eligible contributor, once).
    pub fn offer_vote(ctx: Context<OfferVote>, approve: bool) -> Result<()> {
        instructions::offer_vote::handler(ctx, approve)
    }

    /// Settles a decided offer (anyone): an approved one awaits delivery, a rejected one is
    /// refunded; an approved one past its delivery deadline is refunded as undelivered.
    pub fn offer_finalize(ctx: Context<OfferFinalize>) -> Result<()> {
        instructions::offer_finalize::handler(ctx)
    }

    /// Records a custodian's delivery of an approved offer and settles the sale (custodian).
    pub fn offer_deliver(ctx: Context<OfferDeliver>, receipt: DeliveryReceipt) -> Result<()> {
        instructions::offer_deliver::handler(ctx, receipt)
    }

    /// Withdraws a pending refund of a rejected, cancelled or undelivered offer (buyer).
    pub fn offer_refund(ctx: Context<OfferRefund>) -> Result<()> {
        instructions::offer_refund::handler(ctx)
    }

    /// Cancels an undecided offer with a full refund (buyer).
    pub fn offer_cancel(ctx: Context<OfferRefund>) -> Result<()> {
        instructions::offer_cancel::handler(ctx)
    }

    /// Closes an offer that ended without a sale, once its price is refunded (anyone); rent to whoever paid it.
    pub fn offer_close(ctx: Context<OfferClose>) -> Result<()> {
        instructions::offer_close::handler(ctx)
    }

    /// Moves sale fees from the pool's fee vault to a token account (authority); `None` takes
    /// every fee not yet withdrawn.
    pub fn fees_withdraw(ctx: Context<FeesWithdraw>, amount: Option<u64>) -> Result<()> {
        instructions::fees_withdraw::handler(ctx, amount)
    }

    /// Claims everything owed (contributor).
    pub fn payout_claim(ctx: Context<PayoutClaim>) -> Result<()> {
        instructions::payout_claim::handler(ctx)
    }
}
