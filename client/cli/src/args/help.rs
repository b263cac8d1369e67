//! The text `--help` ends with.

/// Examples, exit codes and environment variables, after every `--help`'s options.
pub const HELP_FOOTER: &str = "\
Examples (localnet: ./scripts/localnet.sh; devnet: -u d):
  datapool -u l keypair new                      # a key at the -k path or ~/.config/solana/id.json
  datapool -u l airdrop 5                        # SOL for fees and rent
  datapool -u l -y test-mint create              # a test payout mint (not on mainnet)
  datapool -u l -y pool create unwrapped --mint <MINT>
  datapool -u l attestor add <POOL> <ATTESTOR>
  datapool -u l contribute <POOL> --file my_spotify_data.zip --attestor-url <URL>
  datapool -u l offer create <POOL> --price 55000 --terms terms.txt
  datapool -u l vote <OFFER> --approve
  datapool -u l claim <POOL>
  datapool -u l audit <POOL>
  datapool demo                                  # the whole story on an embedded chain
  datapool -u d -k usb://ledger vote <OFFER> --approve      # a Ledger signs
  datapool -u d -k <VAULT> --sign-only --blockhash <HASH> --dump-transaction-message \
    pool update <POOL> --fee-bps 300             # a multisig's proposal (see the README)

Exit codes:
  0  success (an audit that finds nothing)
  1  the chain refused: a rule of the program, checked against the chain's state before sending
     (already voted, not the buyer, too early, nothing to claim) or by the chain itself; a
     transaction that failed; an audit that found a problem
  2  bad input: a malformed argument, file, key or attestation, or an address that is not what
     the command needs; nothing was sent
  3  the node, the store or the data service could not be reached

Environment:
  DATAPOOL_PROGRAM_SO   the program the embedded chain runs [default: the one built in]
  AWS_ENDPOINT_URL      S3-compatible endpoint for s3:// stores (with the AWS_* credentials)
  XDG_DATA_HOME         where an attestor's identity index lives by default
  HOME                  ~ in paths; the Solana CLI config (~/.config/solana/cli/config.yml)
";
