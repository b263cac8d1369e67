//! Every failure the program reports, with its message.

use anchor_lang::prelude::*;

/// Errors of the data-pool program (codes start at 6000).
#[error_code]
pub enum DataPoolError {
    // Pool configuration
    #[msg("Pool name must be 1 to 32 bytes")]
    InvalidPoolName,
    #[msg("Fee must be at most 10,000 bps")]
    InvalidFeeBps,
    #[msg("Quorum must be at most 10,000 bps")]
    InvalidQuorumBps,
    #[msg("Approval threshold must be 1 to 10,000 bps")]
    InvalidApprovalBps,
    #[msg("Voting period must be between 60 seconds and one year")]
    InvalidVotingPeriod,
    #[msg("Minimum offer price must be at least 1 base unit")]
    InvalidMinOfferPrice,
    #[msg("Maximum score per contribution must be at least 1")]
    InvalidMaxScore,
    #[msg("A pool with this authority and name already exists")]
    PoolAlreadyExists,
    #[msg("The account is not this pool's fee vault")]
    InvalidFeeVault,
    #[msg("The signer is not the pool authority")]
    Unauthorized,
    #[msg("The pool is paused: no new contributions or offers")]
    PoolPaused,
    #[msg("The pool is not paused")]
    PoolNotPaused,
    #[msg("The pool is already paused")]
    PoolAlreadyPaused,
    #[msg("No authority transfer is pending for this signer")]
    NotPendingAuthority,
    #[msg("The update changes nothing")]
    NothingToUpdate,
    // Payout mint
    #[msg("The mint's token program is not SPL Token or Token-2022")]
    InvalidTokenProgram,
    #[msg("Mint has a permanent delegate that could move pool funds")]
    MintHasPermanentDelegate,
    #[msg("Mint has a transfer hook that could block or tax pool transfers")]
    MintHasTransferHook,
    #[msg("Mint charges a transfer fee")]
    MintHasTransferFee,
    #[msg("Mint is non-transferable")]
    MintNonTransferable,
    #[msg("Mint uses confidential transfers or confidential mint/burn")]
    MintHasConfidentialTransfers,
    #[msg("Mint has a default account state (accounts may start frozen)")]
    MintHasDefaultAccountState,
    #[msg("Mint is pausable")]
    MintPausable,
    #[msg("Mint has an extension the pool does not accept")]
    UnsupportedMintExtension,
    #[msg("Token account is not of the pool's payout mint")]
    WrongMint,
    #[msg("Token account is not owned by the expected wallet")]
    WrongTokenAccountOwner,
    // Attestors
    #[msg("Attestor is already registered and active")]
    AttestorAlreadyActive,
    #[msg("Attestor is not active on this pool")]
    AttestorInactive,
    // Attestations
    #[msg("The Instructions sysvar account is not the real one")]
    InvalidInstructionsSysvar,
    #[msg("No Ed25519 verify instruction precedes this instruction")]
    MissingEd25519Instruction,
    #[msg("The preceding instruction is not a well-formed Ed25519 verify instruction")]
    MalformedEd25519Instruction,
    #[msg("The Ed25519 instruction must carry exactly one signature")]
    WrongSignatureCount,
    #[msg("The Ed25519 instruction must not take accounts")]
    Ed25519AccountsAttached,
    #[msg("Signature, key and message must live in the Ed25519 instruction itself")]
    Ed25519DataElsewhere,
    #[msg("The attestation was signed by another key than the attestor's")]
    WrongAttestor,
    #[msg("The signed message does not match this attestation")]
    SignatureMismatch,
    #[msg("The attestation has expired")]
    AttestationExpired,
    #[msg("Score must be greater than zero")]
    ZeroScore,
    #[msg("Score exceeds the pool's maximum per contribution")]
    ScoreTooHigh,
    #[msg("This person already holds a contribution in the pool from another wallet: one contribution per person (resubmit from that wallet to replace it)")]
    IdentityTaken,
    #[msg("Pool weight would exceed its bound (u64)")]
    WeightOverflow,
    // Contributions
    #[msg("The contribution was invalidated: its record stays and its deposit is forfeited")]
    ContributionInactive,
    #[msg("Only the pool authority or the contribution's attestor may invalidate it")]
    NotInvalidator,
    #[msg("The contribution belongs to another contributor or pool")]
    ContributionMismatch,
    // Offers
    #[msg("Offer price is below the pool's minimum")]
    PriceTooLow,
    #[msg("Terms URI must be at most 200 bytes")]
    TermsUriTooLong,
    #[msg("The pool has no weight: nobody could vote on an offer")]
    EmptyPool,
    #[msg("This sale would exceed the reward accumulator's range for the pool's weight")]
    AccumulatorCapacityExceeded,
    #[msg("The offer is not open")]
    OfferNotOpen,
    #[msg("Voting on this offer has closed")]
    VotingClosed,
    #[msg("The contributor is not eligible to vote on this offer")]
    NotEligibleToVote,
    #[msg("The contributor has already voted on this offer")]
    AlreadyVoted,
    #[msg("The offer's outcome is not decided yet")]
    OutcomeNotDecided,
    #[msg("The offer's outcome is already decided: finalize it instead")]
    OfferAlreadyDecided,
    #[msg("The offer is not terminal yet")]
    OfferNotTerminal,
    #[msg("There is nothing to refund for this offer")]
    NothingToRefund,
    #[msg("The signer is not the offer's buyer")]
    NotBuyer,
    #[msg("The account is not this offer's refund account")]
    WrongRefundAccount,
    // Votes and claims
    #[msg("The vote record does not belong to this offer")]
    VoteMismatch,
    #[msg("Nothing to claim")]
    NothingToClaim,
    // Generic
    #[msg("Arithmetic overflow")]
    MathOverflow,
    #[msg("The account does not belong to this pool")]
    PoolMismatch,
    // Appended (codes above stay stable)
    #[msg("No contribution can be invalidated while an offer of the pool is open: pause the pool and settle its open offers first")]
    OffersOpen,
    #[msg("Mint has a close authority: it could be closed and recreated with other extensions")]
    MintHasCloseAuthority,
    #[msg("The payout mint's decimals changed since the pool was created")]
    MintChanged,
    #[msg("The account's layout version is not one this program reads")]
    UnsupportedAccountVersion,
    #[msg("There are no fees to withdraw, or fewer than requested")]
    NothingToWithdraw,
    #[msg("A protocol invariant does not hold: the pool's books are inconsistent")]
    InvariantViolated,
    #[msg("Delivery period must be between one minute and ninety days")]
    InvalidDeliveryPeriod,
    #[msg("The custodian is already active")]
    CustodianAlreadyActive,
    #[msg("The custodian is not active on this pool")]
    CustodianInactive,
    #[msg("The pool has no active custodian: nobody could deliver a sale")]
    NoCustodian,
    #[msg("The offer is not approved and awaiting delivery")]
    NotAwaitingDelivery,
    #[msg("The delivery deadline has passed: settle the offer as undelivered")]
    DeliveryDeadlinePassed,
    #[msg("The delivery deadline has not passed yet")]
    DeliveryPending,
    #[msg("The delivery was built from another contribution set than the pool's now: rebuild it and deliver again")]
    DeliverySetMismatch,
    // Closing records
    #[msg(
        "The account is not the one that paid this record's rent: the deposit goes back only there"
    )]
    NotRentPayer,
    #[msg("Only a rejected, cancelled or undelivered offer whose price is back with the buyer can close; an accepted offer is the buyer's license and stays")]
    OfferNotClosable,
    #[msg("The pool has had more contributors than an offer's vote bitmap can hold (76,616)")]
    TooManyVoters,
    #[msg("This person's contribution was invalidated as fraudulent: they cannot enter the pool again")]
    DataInvalidated,
    #[msg("The contributor is still owed a payout: claim it first (payout_claim, in the same transaction)")]
    PayoutOutstanding,
    #[msg("Claim window must be between thirty days and ten years")]
    InvalidClaimWindow,
    #[msg("The pool is wound down: it takes no new contributions or offers")]
    PoolWoundDown,
    #[msg("The pool's claim window is open: contributors can still claim and leave (or the pool was not wound down)")]
    ClaimWindowOpen,
    #[msg("The pool still has records to close first (contributors, unsold offers, attestors or custodians)")]
    RecordsRemain,
    #[msg("The offer index is not the pool's next one: another offer was made first; read the pool's offer count and try again")]
    StaleOfferIndex,
}

/// Checked `+` / `−` that fail with [`DataPoolError::MathOverflow`] instead of wrapping.
pub trait CheckedMath: Sized {
    /// `self + rhs`, or `MathOverflow`.
    fn add_or_overflow(self, rhs: Self) -> Result<Self>;
    /// `self − rhs`, or `MathOverflow`.
    fn sub_or_overflow(self, rhs: Self) -> Result<Self>;
}

macro_rules! impl_checked_math {
    ($($t:ty),*) => {$(
        impl CheckedMath for $t {
            fn add_or_overflow(self, rhs: Self) -> Result<Self> {
                self.checked_add(rhs).ok_or_else(|| DataPoolError::MathOverflow.into())
            }
            fn sub_or_overflow(self, rhs: Self) -> Result<Self> {
                self.checked_sub(rhs).ok_or_else(|| DataPoolError::MathOverflow.into())
            }
        }
    )*};
}
impl_checked_math!(u32, u64, u128, i64);
