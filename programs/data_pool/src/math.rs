//! Pure, checked arithmetic of the protocol: fees, the reward accumulator and the decision rule.
//! Nothing here touches accounts, so it is unit-tested natively.

use crate::constants::{ACC_FRACTION_BITS, BPS_DENOMINATOR};

/// `amount × bps / 10,000`, floored.
pub fn bps_of(amount: u64, bps: u16) -> Option<u64> {
    let v = u128::from(amount)
        .checked_mul(u128::from(bps))?
        .checked_div(u128::from(BPS_DENOMINATOR))?;
    u64::try_from(v).ok()
}

/// Accumulator increment for crediting `net` base units over `total_weight`: `net × 2^64 / W`.
/// `None` when the pool has no weight.
pub fn acc_increment(net: u64, total_weight: u64) -> Option<u128> {
    if total_weight == 0 {
        return None;
    }
    // net < 2^64, so net << 64 < 2^128: exact.
    (u128::from(net) << ACC_FRACTION_BITS).checked_div(u128::from(total_weight))
}

/// `weight × delta` as a Q64.64 amount; `None` if it leaves 128 bits (it cannot for amounts that
/// fit in a token account).
fn weighted(weight: u64, delta: u128) -> Option<u128> {
    u128::from(weight).checked_mul(delta)
}

/// New `owed_q64` after settling `weight` from `checkpoint` to `acc`.
pub fn settle(owed_q64: u128, weight: u64, checkpoint: u128, acc: u128) -> Option<u128> {
    let delta = acc.checked_sub(checkpoint)?;
    owed_q64.checked_add(weighted(weight, delta)?)
}

/// Whole base units a contributor can claim: `floor((owed_q64 + weight × (acc − checkpoint)) / 2^64)`.
pub fn entitlement(owed_q64: u128, weight: u64, checkpoint: u128, acc: u128) -> Option<u64> {
    whole_units(settle(owed_q64, weight, checkpoint, acc)?)
}

/// The whole base units in a Q64.64 amount (`None` beyond `u64`).
pub fn whole_units(q64: u128) -> Option<u64> {
    u64::try_from(q64 >> ACC_FRACTION_BITS).ok()
}

/// Converts whole base units to Q64.64.
pub fn to_q64(amount: u64) -> u128 {
    u128::from(amount) << ACC_FRACTION_BITS
}

/// What an offer's votes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Approving weight.
    pub yes: u128,
    /// Rejecting weight.
    pub no: u128,
    /// Pool weight when the offer was made.
    pub snapshot_total: u64,
    /// Quorum, bps of the snapshot weight.
    pub quorum_bps: u16,
    /// Approval threshold, bps of the voted weight.
    pub approval_bps: u16,
}

/// The decision on an offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The pool sells.
    Accepted,
    /// The pool does not sell.
    Rejected,
}

impl Tally {
    fn voted(&self) -> Option<u128> {
        self.yes.checked_add(self.no)
    }

    /// `voted × 10,000 ≥ quorum × snapshot`.
    pub fn quorum_met(&self) -> Option<bool> {
        let lhs = self.voted()?.checked_mul(u128::from(BPS_DENOMINATOR))?;
        let rhs = u128::from(self.quorum_bps).checked_mul(u128::from(self.snapshot_total))?;
        Some(lhs >= rhs)
    }

    /// `yes × 10,000 ≥ approval × base`.
    fn approves_over(&self, yes: u128, base: u128) -> Option<bool> {
        let lhs = yes.checked_mul(u128::from(BPS_DENOMINATOR))?;
        let rhs = u128::from(self.approval_bps).checked_mul(base)?;
        Some(lhs >= rhs)
    }
}

/// The decision rule of `docs/PROTOCOL.md`. `ended` is whether the voting period is over.
/// Returns `Some(None)` while undecided, and `None` only if a product leaves 128 bits
/// (unreachable with u64 weights). An offer nobody approved (yes weight 0) is never accepted,
/// whatever the quorum. Before the deadline the decision assumes at most
/// `T = max(snapshot, voted)` can vote; voters may add weight after the snapshot, so that bound is
/// only sound because `offer_vote` refuses votes once this returns a decision (the tally is then
/// frozen, and the decision at the deadline is the same).
pub fn decide_checked(t: &Tally, ended: bool) -> Option<Option<Outcome>> {
    let voted = t.voted()?;
    let quorum = t.quorum_met()?;
    if ended {
        let pass = quorum && t.yes > 0 && t.approves_over(t.yes, voted)?;
        return Some(Some(if pass {
            Outcome::Accepted
        } else {
            Outcome::Rejected
        }));
    }
    // T = max(snapshot total, voted): the most weight that can have voted by the deadline.
    let total = voted.max(u128::from(t.snapshot_total));
    if quorum && t.yes > 0 && t.approves_over(t.yes, total)? {
        return Some(Some(Outcome::Accepted));
    }
    // Best case for approval: all remaining weight votes yes (that also meets the quorum).
    let remaining = total.checked_sub(voted)?;
    let best_yes = t.yes.checked_add(remaining)?;
    if best_yes == 0 || !t.approves_over(best_yes, total)? {
        return Some(Some(Outcome::Rejected));
    }
    Some(None)
}

/// The decision, with arithmetic that cannot overflow for u64 weights treated as undecided.
pub fn decide(t: &Tally, ended: bool) -> Option<Outcome> {
    decide_checked(t, ended).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(yes: u128, no: u128, total: u64, q: u16, a: u16) -> Tally {
        Tally {
            yes,
            no,
            snapshot_total: total,
            quorum_bps: q,
            approval_bps: a,
        }
    }

    #[test]
    fn fee_floors() {
        assert_eq!(bps_of(55_000, 500), Some(2_750));
        assert_eq!(bps_of(9_999, 1), Some(0));
        assert_eq!(bps_of(u64::MAX, 10_000), Some(u64::MAX));
    }

    #[test]
    fn quorum_and_approval_boundaries_at_deadline() {
        // 50 % quorum of 1000 = 500; 60 % approval.
        assert_eq!(
            decide(&tally(300, 200, 1000, 5000, 6000), true),
            Some(Outcome::Accepted)
        );
        assert_eq!(
            decide(&tally(300, 199, 1000, 5000, 6000), true),
            Some(Outcome::Rejected)
        );
        assert_eq!(
            decide(&tally(299, 201, 1000, 5000, 6000), true),
            Some(Outcome::Rejected)
        );
        assert_eq!(
            decide(&tally(301, 199, 1000, 5000, 6000), true),
            Some(Outcome::Accepted)
        );
    }

    #[test]
    fn early_decisions() {
        // 600 of 1000 yes with 60 % approval: decided early.
        assert_eq!(
            decide(&tally(600, 0, 1000, 5000, 6000), false),
            Some(Outcome::Accepted)
        );
        assert_eq!(decide(&tally(599, 0, 1000, 5000, 6000), false), None);
        // 401 no: even 599 more yes cannot reach 60 %.
        assert_eq!(
            decide(&tally(0, 401, 1000, 5000, 6000), false),
            Some(Outcome::Rejected)
        );
        assert_eq!(decide(&tally(0, 400, 1000, 5000, 6000), false), None);
        // Weight grew past the snapshot: T = voted.
        assert_eq!(
            decide(&tally(1200, 300, 1000, 5000, 6000), false),
            Some(Outcome::Accepted)
        );
    }

    #[test]
    fn nobody_approving_is_never_accepted() {
        // Quorum 0 and nobody voted: rejected at the deadline, undecided before it.
        assert_eq!(
            decide(&tally(0, 0, 1000, 0, 6000), true),
            Some(Outcome::Rejected)
        );
        assert_eq!(decide(&tally(0, 0, 1000, 0, 6000), false), None);
        assert_eq!(
            decide(&tally(1, 0, 1000, 0, 6000), true),
            Some(Outcome::Accepted)
        );
    }

    /// Once decided before the deadline, no tally of later votes is needed: the same tally
    /// decides the same at every later moment, the deadline included.
    #[test]
    fn an_early_decision_holds_at_the_deadline() {
        for yes in (0..=1200u128).step_by(50) {
            for no in (0..=1200u128).step_by(50) {
                for (q, a) in [
                    (0, 1),
                    (5000, 6000),
                    (3000, 5000),
                    (10_000, 10_000),
                    (0, 10_000),
                ] {
                    let t = tally(yes, no, 1000, q, a);
                    if let Some(early) = decide(&t, false) {
                        assert_eq!(decide(&t, true), Some(early), "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn accumulator_never_overpays() {
        let w = [1u64, 3, 7];
        let total: u64 = w.iter().sum();
        let inc = acc_increment(100, total).unwrap();
        let paid: u64 = w.iter().map(|&x| entitlement(0, x, 0, inc).unwrap()).sum();
        assert!(paid <= 100 && 100 - paid < 3 + 1);
    }

    #[test]
    fn huge_weight_after_tiny_pool_sale() {
        // A first sale into a pool of weight 1, then a contributor of weight 10^15.
        let acc = acc_increment(u64::MAX / 2, 1).unwrap();
        let owed = settle(0, 1, 0, acc).unwrap();
        assert_eq!(owed >> 64, u128::from(u64::MAX / 2));
        let acc2 = acc + acc_increment(1_000_000, 1_000_000_000_000_001).unwrap();
        assert_eq!(
            entitlement(0, 1_000_000_000_000_000, acc, acc2),
            Some(999_999)
        );
    }
}
