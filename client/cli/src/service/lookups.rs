//! The service's chain reads, as requests over a channel: the HTTP handlers ask, and
//! [`answer_lookups`] answers on whatever chain the caller holds (it need not be `Send`), beside
//! the server. When the answering side stops, every lookup fails with a clear message (503).

use anchor_lang::prelude::Pubkey;
use data_pool::state::Offer;
use data_pool_client::chain::Chain;
use data_pool_client::query::{self, QueryError};
use tokio::sync::{mpsc, oneshot};

type Reply<T> = oneshot::Sender<Result<T, String>>;

enum Lookup {
    Offer(Pubkey, Reply<Option<Offer>>),
    AttestorActive(Pubkey, Reply<bool>),
    Custodians(Reply<Vec<Pubkey>>),
}

/// The handlers' side: asks the chain.
#[derive(Clone)]
pub struct Lookups(mpsc::Sender<Lookup>);

/// The answering side, for [`answer_lookups`].
pub struct LookupRequests(mpsc::Receiver<Lookup>);

/// A connected pair.
pub fn lookups() -> (Lookups, LookupRequests) {
    let (tx, rx) = mpsc::channel(64);
    (Lookups(tx), LookupRequests(rx))
}

const GONE: &str = "the service cannot read the chain right now";

impl Lookups {
    async fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Lookup) -> Result<T, String> {
        let (tx, rx) = oneshot::channel();
        self.0.send(make(tx)).await.map_err(|_| GONE.to_string())?;
        rx.await.map_err(|_| GONE.to_string())?
    }

    /// The offer at `address`, `None` if there is none.
    pub async fn offer(&self, address: Pubkey) -> Result<Option<Offer>, String> {
        self.ask(|r| Lookup::Offer(address, r)).await
    }

    /// Whether `key` is an active attestor of the pool.
    pub async fn attestor_active(&self, key: Pubkey) -> Result<bool, String> {
        self.ask(|r| Lookup::AttestorActive(key, r)).await
    }

    /// The pool's active custodian keys.
    pub async fn custodians(&self) -> Result<Vec<Pubkey>, String> {
        self.ask(Lookup::Custodians).await
    }
}

/// Answers lookups about `pool` on `chain` until every [`Lookups`] is dropped.
pub async fn answer_lookups<C: Chain>(
    chain: &C,
    program_id: Pubkey,
    pool: Pubkey,
    requests: &mut LookupRequests,
) {
    let p = &program_id;
    while let Some(l) = requests.0.recv().await {
        match l {
            Lookup::Offer(k, r) => {
                let v = match query::offer(chain, p, &k).await {
                    Ok(o) if o.pool == pool => Ok(Some(o)),
                    Ok(_) | Err(QueryError::NotFound { .. } | QueryError::WrongAccount { .. }) => {
                        Ok(None)
                    }
                    Err(e) => Err(e.to_string()),
                };
                let _ = r.send(v);
            }
            Lookup::AttestorActive(k, r) => {
                let v = query::attestors(chain, p, &pool)
                    .await
                    .map(|l| l.iter().any(|(_, a)| a.key == k && a.active))
                    .map_err(|e| e.to_string());
                let _ = r.send(v);
            }
            Lookup::Custodians(r) => {
                let v = query::custodians(chain, p, &pool)
                    .await
                    .map(|l| {
                        l.iter()
                            .filter(|(_, c)| c.active)
                            .map(|(_, c)| c.key)
                            .collect()
                    })
                    .map_err(|e| e.to_string());
                let _ = r.send(v);
            }
        }
    }
}
