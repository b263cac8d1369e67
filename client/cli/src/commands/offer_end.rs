//! `offer cancel`, `offer refund` and `offer close`: an offer that ends without a sale gives the
//! buyer the price back and, once settled, its record closes and the rent goes back to whoever
//! paid it.

use anchor_lang::prelude::Pubkey;
use data_pool::state::Offer;
use data_pool_client::chain::Chain;
use data_pool_client::instructions::{self as ix, PoolTokens};
use data_pool_client::query::{self, offer_state_name as state_name};
use data_pool_client::token;
use data_pool_client::units::{format_amount, format_sol};
use serde::Serialize;

use crate::context::{Ctx, Review};
use crate::error::CliError;
use crate::lookup;
use crate::output::{Printed, Transaction};

/// An escrow returned to the buyer.
#[derive(Debug, Serialize)]
pub struct Returned {
    /// The offer.
    pub offer: String,
    /// Base units returned.
    pub refunded: u64,
    /// The token account paid.
    pub to: String,
}

/// `offer cancel` / `offer refund`.
pub async fn give_back<C: Chain>(
    ctx: &Ctx<'_, C>,
    k: &Pubkey,
    to: Option<&Pubkey>,
    cancel: bool,
) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, k).await?;
    let p = query::pool(ctx.chain, &ctx.program_id, &o.pool).await?;
    let me = ctx.signer()?.pubkey();
    if o.buyer != me {
        return Err(
            CliError::failed(format!("offer {k} was made by {}, not {me}", o.buyer))
                .with_hint("sign with the buyer's keypair (-k)"),
        );
    }
    let dest = match to {
        Some(t) => *t,
        None if cancel => o.refund_account,
        None => token::associated_address(&me, &p.mint, &p.token_program),
    };
    lookup::token_account(ctx, &dest, &p, None, "destination").await?;
    let amount = format_amount(o.price.into(), p.mint_decimals);
    ctx.confirm(&Review {
        title: format!("{} offer {k}", if cancel { "Cancel" } else { "Refund" }),
        rows: vec![
            ("amount".into(), amount.clone()),
            ("to".into(), dest.to_string()),
        ],
    })?;
    let tokens = PoolTokens::of(&p);
    let refund = ix::Refund {
        buyer: me,
        payer: o.payer,
        destination: dest,
    };
    let i = if cancel {
        ix::offer_cancel(&ctx.program_id, &o.pool, k, &tokens, &refund)
    } else {
        ix::offer_refund(&ctx.program_id, &o.pool, k, &tokens, &refund)
    };
    let verb = if cancel { "Cancelled" } else { "Refunded" };
    let sent = ctx.send(verb, &[i], true, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        Returned {
            offer: k.to_string(),
            refunded: o.price,
            to: dest.to_string(),
        },
        format!("{verb} offer {k}: {amount} back to {dest}"),
        vec![],
    )))
}

/// An offer record closed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OfferClosed {
    /// The offer (its record is gone).
    pub offer: String,
    /// How it ended.
    pub state: &'static str,
    /// Who got the offer's rent back.
    pub payer: String,
    /// Rent returned, lamports.
    pub lamports: u64,
}

/// Why `o` cannot close yet, and what to do about it; `None` when it can.
fn not_closable(k: &Pubkey, o: &Offer) -> Option<CliError> {
    if !o.is_refundable() {
        let why = if o.is_terminal() {
            "an accepted offer is the buyer's license and stays on chain"
        } else {
            "it has not ended: settle it first with `datapool offer finalize` (or the buyer cancels)"
        };
        return Some(
            CliError::failed(format!(
                "offer {k} is {}: only a rejected, cancelled or undelivered offer closes",
                state_name(&o.state)
            ))
            .with_hint(why),
        );
    }
    if o.refund_pending {
        return Some(
            CliError::failed(format!("offer {k} still holds the buyer's price in escrow"))
                .with_hint("the buyer takes it back first: `datapool offer refund`"),
        );
    }
    None
}

/// `offer close`: closes the offer (rent to whoever paid it). Anyone may run it.
pub async fn close<C: Chain>(ctx: &Ctx<'_, C>, k: &Pubkey) -> Result<Printed, CliError> {
    let o = lookup::offer(ctx, k).await?;
    if let Some(e) = not_closable(k, &o) {
        return Err(e);
    }
    let lamports = ctx.chain.get_account(k).await?.map_or(0, |a| a.lamports);
    ctx.confirm(&Review {
        title: format!("Close offer {k}"),
        rows: vec![
            ("state".into(), state_name(&o.state).into()),
            (
                "rent back".into(),
                format!("{} to {}", format_sol(lamports), o.payer),
            ),
        ],
    })?;
    let i = ix::offer_close(&ctx.program_id, &o.pool, k, &o.payer);
    let sent = ctx.send("Close offer", &[i], false, &[]).await?;
    Ok(Printed::of(&Transaction::new(
        ctx,
        &sent,
        OfferClosed {
            offer: k.to_string(),
            state: state_name(&o.state),
            payer: o.payer.to_string(),
            lamports,
        },
        format!(
            "Closed offer {k}: {} back to {}",
            format_sol(lamports),
            o.payer
        ),
        vec![],
    )))
}
