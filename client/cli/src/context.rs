//! Everything a command needs: the chain, who signs, who pays, how to send, and the review
//! block shown (and confirmed on a terminal) before a command moves money or casts a vote.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use data_pool_client::chain::Chain;
use data_pool_client::send::{self, SendOptions, Sent};
use solana_keypair::Keypair;
use solana_signer::Signer;

use crate::args::{GlobalArgs, OfflineArgs, OutputFormat};
use crate::error::CliError;
use crate::offline::SignedOffline;
use crate::signer::{self, Wallet};

/// A confirmation block shown before a command moves money or casts a vote.
pub struct Review {
    /// What is about to happen.
    pub title: String,
    /// `(label, value)` lines.
    pub rows: Vec<(String, String)>,
}

/// Everything a command needs: the chain, who signs, who pays, how to send.
pub struct Ctx<'a, C: Chain> {
    /// The chain.
    pub chain: &'a C,
    /// The data-pool program id.
    pub program_id: Pubkey,
    signer: Result<Wallet, (String, Option<String>)>,
    fee_payer: Option<Wallet>,
    /// `--blockhash`, `--sign-only`, `--signer`, `--dump-transaction-message`.
    pub offline: OfflineArgs,
    /// The transaction `--sign-only` signed instead of sending.
    signed_offline: RefCell<Option<SignedOffline>>,
    /// How transactions are sent.
    pub send_opts: SendOptions,
    /// Skip confirmations.
    pub yes: bool,
    /// Show spinners and progress bars on stderr.
    pub progress: bool,
    /// Explorer link suffix (`?cluster=devnet`), `None` for chains no explorer shows.
    pub explorer: Option<String>,
    /// PubSub URL, `None` for the embedded chain.
    pub ws_url: Option<String>,
    /// Commitment of subscriptions.
    pub commitment: solana_commitment_config::CommitmentConfig,
    /// Stream JSON lines (`--output json*`) rather than text.
    pub json_lines: bool,
}

impl<'a, C: Chain> Ctx<'a, C> {
    /// A context signing with keypairs; `signer` may be an error that is only reported if a
    /// command needs to sign.
    pub fn new(
        chain: &'a C,
        program_id: Pubkey,
        signer: Result<Keypair, CliError>,
        fee_payer: Option<Keypair>,
    ) -> Self {
        Self::with_wallets(
            chain,
            program_id,
            signer.map(|k| Wallet::Keypair(Box::new(k))),
            fee_payer.map(|k| Wallet::Keypair(Box::new(k))),
        )
    }

    /// A context with signers of any kind (hardware wallets, offline signatures).
    pub fn with_wallets(
        chain: &'a C,
        program_id: Pubkey,
        signer: Result<Wallet, CliError>,
        fee_payer: Option<Wallet>,
    ) -> Self {
        // A context built directly (tests, the demo) does not prompt.
        Ctx {
            chain,
            program_id,
            signer: signer.map_err(|e| (e.message, e.hint)),
            fee_payer,
            offline: OfflineArgs::default(),
            signed_offline: RefCell::new(None),
            send_opts: SendOptions::default(),
            yes: true,
            progress: false,
            explorer: None,
            ws_url: None,
            commitment: solana_commitment_config::CommitmentConfig::confirmed(),
            json_lines: false,
        }
    }

    fn wallet(&self) -> Result<&Wallet, CliError> {
        self.signer.as_ref().map_err(|(m, h)| CliError {
            hint: h.clone(),
            ..CliError::input(m.clone())
        })
    }

    /// The wallet acting.
    pub fn signer(&self) -> Result<&dyn Signer, CliError> {
        Ok(self.wallet()?.signer())
    }

    /// The wallet acting, as a keypair: for what needs its secret key (decrypting a delivery,
    /// signing attestations), which a hardware wallet or a public key cannot give.
    pub fn keypair(&self, why: &str) -> Result<&Keypair, CliError> {
        self.wallet()?
            .keypair()
            .ok_or_else(|| secret_needed(why, "-k"))
    }

    /// The payer as a keypair (`--fee-payer`, else the signer), for what needs its secret key.
    pub fn payer_keypair(&self, why: &str) -> Result<&Keypair, CliError> {
        match &self.fee_payer {
            Some(w) => w.keypair().ok_or_else(|| secret_needed(why, "--fee-payer")),
            None => self.keypair(why),
        }
    }

    /// Who pays fees and rent: `--fee-payer`, else the signer.
    pub fn payer(&self) -> Result<&dyn Signer, CliError> {
        match &self.fee_payer {
            Some(w) => Ok(w.signer()),
            None => self.signer(),
        }
    }

    /// The transaction `--sign-only` signed, if a command signed one.
    pub fn take_signed_offline(&self) -> Option<SignedOffline> {
        self.signed_offline.borrow_mut().take()
    }

    /// Shows `review` on stderr and asks unless `-y`.
    pub fn confirm(&self, review: &Review) -> Result<(), CliError> {
        let mut err = std::io::stderr().lock();
        let safe = crate::terminal::terminal_safe;
        let _ = writeln!(err, "\n{}", safe(&review.title));
        let width = review.rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, v) in &review.rows {
            let _ = writeln!(err, "  {k:<width$}  {}", safe(v));
        }
        if self.yes {
            return Ok(());
        }
        if !std::io::stdin().is_terminal() {
            return Err(
                CliError::input("confirmation needed and stdin is not a terminal")
                    .with_hint("pass -y to proceed without a prompt"),
            );
        }
        let _ = write!(err, "Proceed? [y/N] ");
        let _ = err.flush();
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| CliError::input(format!("cannot read the answer: {e}")))?;
        if matches!(answer.trim(), "y" | "Y" | "yes") {
            Ok(())
        } else {
            Err(CliError::input("cancelled; nothing was sent"))
        }
    }

    /// Sends `ixs` signed by the payer, the signer (when `with_signer`) and `extra`. With
    /// `--sign-only`, signs what it can, keeps the result for the command's output and stops
    /// the command (nothing is sent); with `--blockhash`, sends at that blockhash with any
    /// signatures made offline.
    pub async fn send(
        &self,
        what: &str,
        ixs: &[Instruction],
        with_signer: bool,
        extra: &[&Keypair],
    ) -> Result<Sent, CliError> {
        let payer = self.payer()?;
        let mut signers: Vec<&dyn Signer> = vec![payer];
        if with_signer {
            signers.push(self.signer()?);
        }
        signers.extend(extra.iter().map(|k| *k as &dyn Signer));
        if let Some(blockhash) = self.offline.blockhash {
            let tx = send::sign_at_blockhash(
                ixs,
                &payer.pubkey(),
                &signers,
                blockhash,
                self.send_opts.compute_unit_price,
            )
            .map_err(|e| {
                CliError::from(e).with_hint(
                    "the offline signer and the sender must run the same command with the same \
                     arguments, --fee-payer and --blockhash",
                )
            })?;
            if self.offline.sign_only {
                let signed = SignedOffline::of(what, &tx, self.offline.dump_transaction_message);
                *self.signed_offline.borrow_mut() = Some(signed);
                return Err(CliError::failed(format!(
                    "{what}: signed offline, not sent"
                )));
            }
            return Ok(
                send::send_signed(self.chain, &self.program_id, &tx, ixs, &self.send_opts).await?,
            );
        }
        let spinner = self.progress.then(|| {
            let s = indicatif::ProgressBar::new_spinner();
            s.set_message(format!("{what}: sending to {}", self.chain.label()));
            s.enable_steady_tick(std::time::Duration::from_millis(100));
            s
        });
        let r = send::send(
            self.chain,
            &self.program_id,
            ixs,
            &payer.pubkey(),
            &signers,
            &self.send_opts,
        )
        .await;
        if let Some(s) = spinner {
            s.finish_and_clear();
        }
        Ok(r?)
    }
}

/// The error for a command that needs a secret key but was given a hardware wallet or a public key.
fn secret_needed(why: &str, flag: &str) -> CliError {
    CliError::input(format!(
        "{why} needs the secret key, which a hardware wallet or a public key does not give"
    ))
    .with_hint(format!(
        "pass a keypair file, ASK (your seed phrase) or stdin as {flag}"
    ))
}

/// A context for `chain` from the global flags; the signer is read from `keypair_path` (an error
/// there only matters to commands that sign).
pub fn build_ctx<'a, C: Chain>(
    chain: &'a C,
    g: &GlobalArgs,
    keypair_path: &std::path::Path,
) -> Result<Ctx<'a, C>, CliError> {
    let program_id = program_id(g)?;
    let signer = signer::read_wallet(keypair_path, &g.offline);
    let fee_payer = g
        .fee_payer
        .as_deref()
        .map(|p| signer::read_wallet(p, &g.offline))
        .transpose()?;
    let mut ctx = Ctx::with_wallets(chain, program_id, signer, fee_payer);
    ctx.offline = g.offline.clone();
    ctx.send_opts.compute_unit_price = g.compute_unit_price;
    ctx.yes = g.yes;
    ctx.progress = std::io::stderr().is_terminal();
    ctx.json_lines = g.output != OutputFormat::Text;
    Ok(ctx)
}

/// `--program-id`, or the built-in id.
pub fn program_id(g: &GlobalArgs) -> Result<Pubkey, CliError> {
    match &g.program_id {
        Some(p) => crate::resolve::pubkey(p, "program"),
        None => Ok(data_pool_client::PROGRAM_ID),
    }
}

/// The explorer link suffix for a cluster URL (`?cluster=devnet`, a custom URL otherwise).
pub fn explorer_suffix(url: &str) -> Option<String> {
    if url.contains("devnet") {
        Some("?cluster=devnet".into())
    } else if url.contains("testnet") {
        Some("?cluster=testnet".into())
    } else if url.contains("mainnet") {
        Some(String::new())
    } else {
        let enc: String = url
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        Some(format!("?cluster=custom&customUrl={enc}"))
    }
}
