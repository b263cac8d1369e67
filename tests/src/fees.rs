//! The curator's fee destinations, good and hostile.

use anchor_lang::prelude::Pubkey;
use anchor_spl::token_2022::spl_token_2022;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use solana_keypair::Keypair;

use crate::*;

/// The curator's token accounts for fee withdrawals: one good, and one closed, one frozen (by the
/// mint's freeze authority) and one requiring incoming memos, which must never receive anything
/// and must block nothing but their own withdrawal.
pub struct FeeDestinations {
    /// Can receive.
    pub good: Pubkey,
    /// Closed by the curator.
    pub closed: Pubkey,
    /// Frozen by the mint's freeze authority.
    pub frozen: Pubkey,
    /// Requires incoming transfer memos.
    pub memo: Pubkey,
}

impl FeeDestinations {
    /// Creates them for `auth` in `w` (a Token-2022 pool: the memo account needs the extension).
    pub fn new(w: &mut World, auth: &Keypair) -> Self {
        let (tp, mint) = (w.side.tokens.token_program, w.side.tokens.mint);
        let good = w.claim_account(&auth.pubkey());
        let closed = w.env.create_token_account(&tp, &mint, &auth.pubkey());
        w.token_accounts.insert(closed);
        w.close_token_account(auth, &closed);
        let frozen = w.env.create_token_account(&tp, &mint, &auth.pubkey());
        w.token_accounts.insert(frozen);
        let ma = w.mint_authority.insecure_clone();
        let freeze =
            spl_token_2022::instruction::freeze_account(&tp, &frozen, &mint, &ma.pubkey(), &[])
                .unwrap();
        w.env.send_paid(&[freeze], &[&ma]).expect("freeze");
        let memo = w.env.create_token_account_with(
            &tp,
            &mint,
            &auth.pubkey(),
            &[ExtensionType::MemoTransfer],
        );
        w.token_accounts.insert(memo);
        let require =
            spl_token_2022::extension::memo_transfer::instruction::enable_required_transfer_memos(
                &tp,
                &memo,
                &auth.pubkey(),
                &[],
            )
            .unwrap();
        w.env.send_paid(&[require], &[auth]).expect("require memos");
        FeeDestinations {
            good,
            closed,
            frozen,
            memo,
        }
    }

    /// All four, the good one first.
    pub fn all(&self) -> [Pubkey; 4] {
        [self.good, self.closed, self.frozen, self.memo]
    }
}
