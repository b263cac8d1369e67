//! `contribution_submit`: a contributor enters attested data into the pool and gains its score
//! as weight.
//!
//! The record's address is fixed by the contributor's identity commitment, so a person holds one
//! active contribution per pool. The same wallet submitting again for the same identity replaces
//! its contribution: the record is settled at the pool's accumulator first (what it earned stays
//! owed), then its weight becomes the new score; it keeps its arrival index, so it cannot vote
//! twice on an offer. Another wallet presenting that identity gets `IdentityTaken`, and an
//! invalidated identity gets `DataInvalidated`.

use anchor_lang::prelude::*;

use crate::attestation::{verify_preceding_ed25519, Attestation};
use crate::commitment::{next_set_hash, SetChange};
use crate::constants::{LAYOUT_VERSION, SEED_CONTRIBUTOR};
use crate::error::{CheckedMath, DataPoolError};
use crate::events::ContributionSubmitted;
use crate::state::view::{self, View};
use crate::state::{Attestor, ContributionStatus, Contributor, Pool};

/// The attested facts, exactly as signed.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ContributionSubmitArgs {
    /// The contributor's identity commitment (the record's address seed).
    pub identity: [u8; 32],
    /// Canonical hash of the data.
    pub data_hash: [u8; 32],
    /// The attestor's score.
    pub score: u64,
    /// Unix time after which the attestation is void.
    pub expires_at: i64,
}

/// Accounts of `contribution_submit`. The pool is read and written in place
/// ([`crate::state::view`]).
#[derive(Accounts)]
#[instruction(args: ContributionSubmitArgs)]
pub struct ContributionSubmit<'info> {
    /// Pays rent and fees (may be a relayer).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The contributor's wallet.
    pub wallet: Signer<'info>,
    /// The pool.
    /// CHECK: owner, discriminator and length checked by `View::load::<Pool>` in the handler.
    #[account(mut)]
    pub pool: UncheckedAccount<'info>,
    /// The attestor that signed the attestation.
    #[account(mut, has_one = pool @ DataPoolError::PoolMismatch)]
    pub attestor: Box<Account<'info, Attestor>>,
    /// The contributor record; its address is fixed by the identity commitment, so a person
    /// holds weight once at a time: an existing record is replaced when `wallet` holds it, and
    /// refused otherwise (`IdentityTaken`, or `DataInvalidated` if it was struck out).
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + Contributor::INIT_SPACE,
        seeds = [SEED_CONTRIBUTOR, pool.key().as_ref(), args.identity.as_ref()],
        bump,
    )]
    pub contributor: Box<Account<'info, Contributor>>,
    /// The Instructions sysvar (address checked in the handler).
    /// CHECK: its key is compared with the sysvar id before it is read.
    pub instructions_sysvar: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Verifies the attestation, then records the contribution (or replaces the identity's earlier
/// one) and moves the pool's weight by the difference.
pub fn handler(ctx: Context<ContributionSubmit>, args: ContributionSubmitArgs) -> Result<()> {
    crate::cu_mark!();
    use view::pool as at;
    let a = &mut *ctx.accounts;
    let mut pool = View::load::<Pool>(&a.pool, at::HEAD_END, "pool")?;
    Pool::require_unpaused(pool.u8(at::PAUSED) != 0)?;
    let wallet = a.wallet.key();
    let replacing = a.contributor.version != 0;
    if replacing {
        require!(a.contributor.is_active(), DataPoolError::DataInvalidated);
        require_keys_eq!(a.contributor.wallet, wallet, DataPoolError::IdentityTaken);
    }
    require!(a.attestor.active, DataPoolError::AttestorInactive);

    let pool_key = a.pool.key();
    let attestation = Attestation {
        program_id: ctx.program_id,
        pool: &pool_key,
        contributor: &wallet,
        identity: &args.identity,
        data_hash: &args.data_hash,
        score: args.score,
        expires_at: args.expires_at,
    };
    verify_preceding_ed25519(
        &a.instructions_sysvar,
        &a.attestor.key,
        &attestation.message(),
    )?;
    let now = Clock::get()?.unix_timestamp;
    require!(now <= args.expires_at, DataPoolError::AttestationExpired);
    require!(args.score > 0, DataPoolError::ZeroScore);
    require!(
        args.score <= pool.u64(at::MAX_SCORE),
        DataPoolError::ScoreTooHigh
    );

    let acc = pool.u128(at::ACC_REWARD_PER_WEIGHT);
    let previous_score = if replacing { a.contributor.weight } else { 0 };
    let pool_weight = pool
        .u64(at::TOTAL_WEIGHT)
        .sub_or_overflow(previous_score)?
        .checked_add(args.score)
        .ok_or(DataPoolError::WeightOverflow)?;
    pool.set_u64(at::TOTAL_WEIGHT, pool_weight);
    let (index, change) = if replacing {
        let c = &mut a.contributor;
        c.settle(acc)?;
        c.weight = args.score;
        c.attestor = a.attestor.key;
        let change = SetChange::Replace {
            identity: &args.identity,
            data_hash: &args.data_hash,
            score: args.score,
            previous_score,
        };
        (c.index, change)
    } else {
        let index = pool.u64(at::CONTRIBUTOR_COUNT);
        let created = index.add_or_overflow(1)?;
        pool.set_u64(at::CONTRIBUTOR_COUNT, created);
        let active = pool.u64(at::ACTIVE_CONTRIBUTION_COUNT).add_or_overflow(1)?;
        // The part of `Pool::invariant` this instruction could break.
        Pool::require_active_within(active, created, pool.u64(at::CLOSED_CONTRIBUTOR_COUNT))?;
        pool.set_u64(at::ACTIVE_CONTRIBUTION_COUNT, active);
        a.contributor.set_inner(Contributor {
            version: LAYOUT_VERSION,
            bump: ctx.bumps.contributor,
            status: ContributionStatus::Active,
            pool: pool_key,
            wallet,
            payer: a.payer.key(),
            attestor: a.attestor.key,
            index,
            weight: args.score,
            acc_checkpoint: acc,
            owed_q64: 0,
        });
        let change = SetChange::Add {
            identity: &args.identity,
            data_hash: &args.data_hash,
            score: args.score,
        };
        (index, change)
    };
    let set_hash = next_set_hash(&pool.hash(at::SET_HASH), &change);
    pool.set_hash(at::SET_HASH, &set_hash);
    drop(pool);
    a.attestor.attested_count = a.attestor.attested_count.add_or_overflow(1)?;

    emit!(ContributionSubmitted {
        pool: pool_key,
        contributor: wallet,
        contribution: a.contributor.key(),
        identity: args.identity,
        data_hash: args.data_hash,
        score: args.score,
        previous_score,
        attestor: a.attestor.key,
        contributor_index: index,
        payer: a.contributor.payer,
        pool_weight,
        set_hash,
    });
    crate::cu_mark!();
    Ok(())
}
