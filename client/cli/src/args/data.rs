//! Arguments of the data commands: `custodian …` and `dataset …`, and the offer terms they share
//! with `offer create`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// `custodian …`
#[derive(Debug, Subcommand)]
pub enum CustodianCmd {
    /// Register a custodian key (curator)
    Add {
        /// The pool
        pool: String,
        /// The custodian's signing key
        key: String,
    },
    /// Deactivate a custodian key (curator)
    Remove {
        /// The pool
        pool: String,
        /// The custodian's signing key
        key: String,
    },
    /// List a pool's custodians
    List {
        /// The pool
        pool: String,
    },
    /// Deliver an approved offer (signed with -k/--keypair, a registered custodian): builds the
    /// slice the offer's terms name from the stored records of exactly the pool's active
    /// contributions, encrypts it to the buyer, stores it, and records the delivery on chain,
    /// which pays the sale out
    Deliver {
        /// The offer
        offer: String,
        /// Where records and deliveries are stored: a directory or s3://bucket/prefix
        #[arg(long, value_name = "URL")]
        store: String,
        #[command(flatten)]
        terms: TermsArgs,
    },
    /// Delete stored records that belong to no active contribution (left, invalidated, or
    /// never submitted): no later delivery can contain them, and the store keeps nothing a
    /// contributor took back
    Sweep {
        /// The pool
        pool: String,
        /// Where records are stored: a directory or s3://bucket/prefix
        #[arg(long, value_name = "URL")]
        store: String,
        /// Keep records uploaded this recently (their contribution may be on its way)
        #[arg(long, default_value = "1h")]
        grace: String,
    },
}

/// The terms of an offer: the slice and the legal text (the buyer and the custodian pass the
/// same ones; their hash is the offer's on-chain terms hash).
#[derive(Clone, Debug, Args)]
pub struct TermsArgs {
    /// The slice bought: `rows` (every play under per-offer pseudonyms) or `aggregate:k=N`
    /// (counts by track, artist and day; groups of fewer than N contributors left out)
    /// [default: `rows` for an offer; for a delivery, the terms the offer carries]
    #[arg(long)]
    pub slice: Option<String>,
    /// File with the legal text of the sale (its sha256 goes into the terms)
    #[arg(long, value_name = "FILE")]
    pub terms: Option<PathBuf>,
}

/// `dataset …`
#[derive(Debug, Subcommand)]
pub enum DatasetCmd {
    /// Fetch an offer's delivery (buyer, signed with -k/--keypair), decrypt it and verify it
    /// against the on-chain receipt; nothing is written unless everything matches
    Fetch {
        /// The offer
        offer: String,
        /// The pool's data service, which checks that you are the buyer
        #[arg(
            long,
            value_name = "URL",
            required_unless_present = "store",
            conflicts_with = "store"
        )]
        from: Option<String>,
        /// Read the store directly instead: a directory or s3://bucket/prefix
        #[arg(long, value_name = "URL")]
        store: Option<String>,
        /// Directory to write the verified files to
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}
