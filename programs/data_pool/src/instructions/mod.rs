//! One module per instruction: its `Accounts` struct and `handler`.

pub mod attestor_add;
pub mod attestor_remove;
pub mod authority_accept;
pub mod authority_propose;
pub mod contribution_invalidate;
pub mod contribution_revoke;
pub mod contribution_submit;
pub mod offer_cancel;
pub mod offer_create;
pub mod offer_finalize;
pub mod offer_refund;
pub mod offer_vote;
pub mod payout_claim;
pub mod pool_create;
pub mod pool_pause;
pub mod pool_unpause;
pub mod pool_update;
pub mod vote_close;

pub use attestor_add::*;
pub use attestor_remove::*;
pub use authority_accept::*;
pub use authority_propose::*;
pub use contribution_invalidate::*;
pub use contribution_revoke::*;
pub use contribution_submit::*;
pub use offer_create::*;
pub use offer_finalize::*;
pub use offer_refund::*;
pub use offer_vote::*;
pub use payout_claim::*;
pub use pool_create::*;
pub use pool_pause::*;
pub use pool_update::*;
pub use vote_close::*;
