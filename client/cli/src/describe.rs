//! Chain state in words, shared by the commands that print it.

use data_pool::math::Outcome;
use data_pool::state::{Offer, OfferState};
use data_pool_client::query::offer_state_name as state_name;
use data_pool_client::units::format_duration;

/// What the votes decided (`"accept"` / `"reject"`), final once set; `None` while undecided.
pub fn decision(o: &Offer, now: i64) -> Option<&'static str> {
    let accepted = match o.state {
        OfferState::Open => matches!(o.outcome(now)?, Outcome::Accepted),
        OfferState::Accepted | OfferState::AwaitingDelivery | OfferState::Undelivered => true,
        OfferState::Rejected => false,
        OfferState::Cancelled => return None,
    };
    Some(if accepted { "accept" } else { "reject" })
}

/// Where an offer is in its life, in words.
pub fn phase(o: &Offer, now: i64) -> String {
    if o.state == OfferState::AwaitingDelivery {
        return if now < o.delivery_deadline {
            format!(
                "approved, awaiting delivery for {} more (a custodian runs `datapool custodian deliver`)",
                format_duration(o.delivery_deadline - now)
            )
        } else {
            "approved but undelivered past its deadline: `datapool offer finalize` refunds the buyer"
                .into()
        };
    }
    if o.state != OfferState::Open {
        return if o.refund_pending {
            format!(
                "{}; refund pending (buyer runs `offer refund`)",
                state_name(&o.state)
            )
        } else {
            state_name(&o.state).into()
        };
    }
    match decision(o, now) {
        Some(out) => format!("decided ({out}), awaiting `datapool offer finalize`"),
        None if now < o.voting_ends_at => {
            format!(
                "voting, ends in {}",
                format_duration(o.voting_ends_at - now)
            )
        }
        None => "voting ended, awaiting finalize".into(),
    }
}
