// A whole sale cycle on the built program, in LiteSVM, through the generated TypeScript client
// alone: no address is derived by hand. A pool with an attestor, three attested contributions,
// an offer paid into escrow, relayed votes that cost the voters nothing, finalize (which
// releases the offer's vote bitmap), claims with exact balances, the fee withdrawal, a late vote
// refused with the error the generated table names, and a withdrawn offer closed with every
// lamport of rent back to whoever paid it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { LiteSVM, FailedTransactionMetadata } from "litesvm";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getUtf8Encoder,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  AccountRole,
  type Instruction,
  type KeyPairSigner,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  TOKEN_PROGRAM_ADDRESS,
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToInstruction,
  getTokenDecoder,
} from "@solana-program/token";
import {
  DATA_POOL_ERROR__OFFER_ALREADY_DECIDED,
  DATA_POOL_PROGRAM_ADDRESS,
  decodeOffer,
  decodePool,
  ed25519VerifyInstruction,
  findAttestorPda,
  findContributorPda,
  findCustodianPda,
  findOfferPda,
  findPoolPda,
  getAttestorAddInstructionAsync,
  getCustodianAddInstructionAsync,
  getOfferDeliverInstructionAsync,
  getContributionSubmitInstructionAsync,
  getDataPoolErrorMessage,
  getFeesWithdrawInstructionAsync,
  getOfferCancelInstructionAsync,
  getOfferCloseInstruction,
  getOfferCreateInstructionAsync,
  getOfferFinalizeInstructionAsync,
  getOfferVoteInstruction,
  getContributorLeaveInstructionAsync,
  getContributorReapInstructionAsync,
  getPoolCloseInstructionAsync,
  getPoolWindDownInstruction,
  getPayoutClaimInstructionAsync,
  getPoolCreateInstructionAsync,
  hasVoted,
  OfferState,
  signAttestation,
  voteBitmap,
  votesIn,
} from "../src/index.js";

const SO = fileURLToPath(new URL("../../../target/deploy/data_pool.so", import.meta.url));
const USDC = 1_000_000n;
const SOL = 1_000_000_000n;

class Chain {
  svm = new LiteSVM();
  constructor() {
    this.svm.addProgramFromFile(DATA_POOL_PROGRAM_ADDRESS, process.env.DATA_POOL_SO ?? SO);
  }

  /** Sends `ixs` paid by `payer`; returns the failure instead of throwing. */
  async send(payer: KeyPairSigner, ixs: Instruction[]) {
    const blockhash = this.svm.latestBlockhash();
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash({ blockhash, lastValidBlockHeight: 1_000_000n }, m),
      (m) => appendTransactionMessageInstructions(ixs, m),
    );
    const tx = await signTransactionMessageWithSigners(message);
    const r = this.svm.sendTransaction(tx);
    this.svm.expireBlockhash();
    return r;
  }

  /** Sends and requires success. */
  async ok(payer: KeyPairSigner, ixs: Instruction[]) {
    const r = await this.send(payer, ixs);
    if (r instanceof FailedTransactionMetadata) {
      assert.fail(`transaction failed: ${r.toString()}\n${r.meta().logs().join("\n")}`);
    }
    return r;
  }

  account(address: Address) {
    const a = this.svm.getAccount(address);
    assert.ok(a.exists, `no account at ${address}`);
    return a;
  }

  tokens(address: Address): bigint {
    return getTokenDecoder().decode(this.account(address).data).amount;
  }

  pool(address: Address) {
    return decodePool(this.account(address)).data;
  }

  offer(address: Address) {
    return decodeOffer(this.account(address)).data;
  }

  now(): bigint {
    return this.svm.getClock().unixTimestamp;
  }
}

test("a whole sale cycle through the generated client", async () => {
  const chain = new Chain();
  const signer = async (sol: bigint) => {
    const k = await generateKeyPairSigner();
    if (sol > 0n) chain.svm.airdrop(k.address, lamports(sol * SOL));
    return k;
  };
  const curator = await signer(100n);
  const buyer = await signer(0n);
  const attestor = await signer(0n);
  const custodian = await signer(0n);
  const people = [await signer(0n), await signer(0n), await signer(0n), await signer(0n)];
  const scores = [100n, 200n, 300n, 400n];

  // A USDC-like mint, the curator's account for fees and the buyer's funds.
  const mint = await generateKeyPairSigner();
  const ata = async (owner: Address) =>
    (await findAssociatedTokenPda({ owner, mint: mint.address, tokenProgram: TOKEN_PROGRAM_ADDRESS }))[0];
  const [curatorAta, buyerAta] = [await ata(curator.address), await ata(buyer.address)];
  const ataIx = async (owner: Address) =>
    getCreateAssociatedTokenIdempotentInstruction({ payer: curator, ata: await ata(owner), owner, mint: mint.address });
  await chain.ok(curator, [
    getCreateAccountInstruction({
      payer: curator,
      newAccount: mint,
      lamports: chain.svm.minimumBalanceForRentExemption(BigInt(getMintSize())),
      space: getMintSize(),
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMint2Instruction({ mint: mint.address, decimals: 6, mintAuthority: curator.address }),
    await ataIx(curator.address),
    await ataIx(buyer.address),
    getMintToInstruction({ mint: mint.address, token: buyerAta, mintAuthority: curator, amount: 1_500n * USDC }),
  ]);

  // The pool and its attestor.
  const [pool] = await findPoolPda({ authority: curator.address, name: "ts-sale" });
  await chain.ok(curator, [
    await getPoolCreateInstructionAsync({
      payer: curator,
      authority: curator,
      pool,
      mint: mint.address,
      name: "ts-sale",
      params: {
        feeBps: 500,
        quorumBps: 3_000,
        approvalBps: 5_000,
        votingPeriod: 3_600,
        minOfferPrice: USDC,
        maxScore: 1_000,
        deliveryPeriod: 86_400n,
      },
      claimWindow: 365n * 86_400n,
    }),
    await getAttestorAddInstructionAsync({ payer: curator, authority: curator, pool, key: attestor.address }),
    await getCustodianAddInstructionAsync({ payer: curator, authority: curator, pool, key: custodian.address }),
  ]);
  const [attestorRecord] = await findAttestorPda({ pool, key: attestor.address });

  // Four attested contributions, the curator paying the fees and rent. Each is one contributor
  // record, at the address of its person's identity commitment (which the attestor derives).
  const dataHashes = people.map((_, i) => new Uint8Array(32).fill(i + 1));
  const identities = people.map((_, i) => new Uint8Array(32).fill(0x80 + i));
  const records = await Promise.all(
    identities.map(async (identity) => (await findContributorPda({ pool, identity }))[0]),
  );
  for (const [i, wallet] of people.entries()) {
    const dataHash = dataHashes[i];
    const identity = identities[i];
    const attestation = {
      programId: DATA_POOL_PROGRAM_ADDRESS,
      pool,
      contributor: wallet.address,
      identity,
      dataHash,
      score: scores[i],
      expiresAt: chain.now() + 3_600n,
    };
    const signature = await signAttestation(attestor.keyPair, attestation);
    await chain.ok(curator, [
      ed25519VerifyInstruction(attestor.address, signature, attestation),
      await getContributionSubmitInstructionAsync({
        payer: curator,
        wallet,
        pool,
        attestor: attestorRecord,
        identity,
        dataHash,
        score: attestation.score,
        expiresAt: attestation.expiresAt,
      }),
    ]);
  }
  assert.equal(chain.pool(pool).totalWeight, 1_000n);
  assert.equal(chain.pool(pool).params.feeBps, 500);
  assert.equal(chain.pool(pool).contributorCount, 4n);

  // The buyer's offer: 1,000 USDC into escrow.
  // The offer's address comes from its index (the pool's offer count), which the instruction
  // names: the client derives the offer and its escrow from the IDL's seeds.
  const index = chain.pool(pool).offerCount;
  const [offer] = await findOfferPda({ pool, index });
  const terms = getUtf8Encoder().encode("listening histories, for model training");
  const termsHash = new Uint8Array(await crypto.subtle.digest("SHA-256", terms));
  await chain.ok(curator, [
    await getOfferCreateInstructionAsync({
      payer: curator,
      buyer,
      pool,
      index,
      mint: mint.address,
      buyerToken: buyerAta,
      refundAccount: buyerAta,
      price: 1_000n * USDC,
      termsHash,
      termsUri: "https://example.org/terms",
    }),
  ]);
  assert.equal(chain.tokens(buyerAta), 500n * USDC);

  // Votes: no (weight 200), yes (400), yes (300): approving weight 700 of 1,000 decides the
  // sale before the deadline (quorum 30 %, approval 50 %).
  const vote = async (i: number, approve: boolean) =>
    chain.send(curator, [
      getOfferVoteInstruction({ voter: people[i], pool, offer, contributor: records[i], approve }),
    ]);
  for (const [i, approve] of [
    [1, false],
    [3, true],
    [2, true],
  ] as const) {
    const who = people[i];
    const before = chain.svm.getBalance(who.address) ?? 0n;
    const r = await vote(i, approve);
    assert.ok(!(r instanceof FailedTransactionMetadata), `vote: ${r.toString()}`);
    assert.equal(chain.svm.getBalance(who.address) ?? 0n, before, "a relayed vote costs the voter nothing");
  }
  // The votes are bits of the offer's bitmap, by arrival index (people joined in order).
  const bits = voteBitmap(chain.svm.getAccount(offer).data);
  assert.equal(bits.length, 1, "four contributors: one byte");
  assert.equal(votesIn(bits), 3);
  assert.deepEqual([0n, 1n, 2n, 3n].map((i) => hasVoted(bits, i)), [false, true, true, true]);
  const o = chain.offer(offer);
  assert.equal(o.yesWeight, 700n);
  assert.equal(o.noWeight, 200n);
  assert.equal(o.voterCount, 3n);

  // A vote once the votes have decided is refused, and the generated error table names it.
  const refused = await vote(0, false);
  assert.ok(refused instanceof FailedTransactionMetadata, "a late vote must fail");
  assert.match(refused.meta().logs().join("\n"), /OfferAlreadyDecided/);
  assert.match(refused.toString(), new RegExp(`Custom\\(${DATA_POOL_ERROR__OFFER_ALREADY_DECIDED}\\)`));
  assert.ok(getDataPoolErrorMessage(DATA_POOL_ERROR__OFFER_ALREADY_DECIDED).length > 0);

  // Finalize (anyone may call), with the accounts the offer names.
  await chain.ok(curator, [
    await getOfferFinalizeInstructionAsync({
      pool,
      offer,
      mint: mint.address,
      refundAccount: o.refundAccount,
      payer: o.payer,
    }),
  ]);
  // The vote approved it: the price waits in escrow for the custodian's delivery, and the
  // offer no longer carries its vote bitmap (its rent went back to the offer's payer).
  assert.equal(chain.svm.getAccount(offer).data.length, 663);
  const approved = chain.offer(offer);
  assert.equal(approved.state, OfferState.AwaitingDelivery);
  assert.equal(approved.deliveryDeadline, approved.decidedAt + 86_400n);
  assert.equal(chain.tokens(buyerAta), 500n * USDC);

  // The custodian delivers the pool's set as it is now; the sale settles in the same step.
  const now = chain.pool(pool);
  const manifestHash = new Uint8Array(await crypto.subtle.digest("SHA-256", getUtf8Encoder().encode("manifest")));
  await chain.ok(curator, [
    await getOfferDeliverInstructionAsync({
      custodianKey: custodian,
      pool,
      offer,
      mint: mint.address,
      payer: o.payer,
      receipt: {
        manifestHash,
        size: 1_234n,
        contributionCount: now.activeContributionCount,
        totalWeight: now.totalWeight,
        setHash: now.setHash,
      },
    }),
  ]);
  const settled = chain.offer(offer);
  assert.equal(settled.state, OfferState.Accepted);
  assert.equal(settled.custodian, custodian.address);
  assert.equal(settled.receipt.contributionCount, 4n);
  assert.equal(settled.feePaid, 50n * USDC);
  assert.equal(settled.netDistributed, 950n * USDC);

  // Claims: 950 USDC by weight 100 / 200 / 300 / 400 is exactly 95 / 190 / 285 / 380.
  for (const [i, wallet] of people.entries()) {
    const destination = await ata(wallet.address);
    await chain.ok(curator, [
      await ataIx(wallet.address),
      await getPayoutClaimInstructionAsync({
        wallet,
        pool,
        contributor: records[i],
        mint: mint.address,
        destination,
      }),
    ]);
    assert.equal(chain.tokens(destination), (950n * USDC * scores[i]) / 1_000n);
  }
  const p = chain.pool(pool);
  assert.equal(p.totalClaimed, 950n * USDC);
  assert.equal(chain.tokens(p.vault), 0n, "no dust: the shares divide exactly");

  // The curator takes the fee.
  await chain.ok(curator, [
    await getFeesWithdrawInstructionAsync({
      authority: curator,
      pool,
      mint: mint.address,
      destination: curatorAta,
      amount: null,
    }),
  ]);
  assert.equal(chain.tokens(curatorAta), 50n * USDC);
  assert.equal(chain.tokens(p.feeVault), 0n);
  assert.equal(chain.tokens(buyerAta), 500n * USDC);

  // A second offer, withdrawn by the buyer before any vote: the price comes back, then the
  // record closes and the rent of the offer and its escrow goes back to whoever paid it (the
  // curator, relaying), so the curator is out only the signature fees (5,000 lamports each).
  const secondIndex = chain.pool(pool).offerCount;
  const [second] = await findOfferPda({ pool, index: secondIndex });
  const relayerBefore = chain.svm.getBalance(curator.address) ?? 0n;
  await chain.ok(curator, [
    await getOfferCreateInstructionAsync({
      payer: curator,
      buyer,
      pool,
      offer: second,
      mint: mint.address,
      buyerToken: buyerAta,
      refundAccount: buyerAta,
      index: secondIndex,
      price: 100n * USDC,
      termsHash,
      termsUri: "",
    }),
  ]);
  assert.equal(chain.tokens(buyerAta), 400n * USDC);
  await chain.ok(curator, [
    await getOfferCancelInstructionAsync({
      buyer,
      pool,
      offer: second,
      payer: curator.address,
      mint: mint.address,
      destination: buyerAta,
    }),
  ]);
  assert.equal(chain.tokens(buyerAta), 500n * USDC);
  await chain.ok(curator, [getOfferCloseInstruction({ pool, offer: second, payer: curator.address })]);
  assert.equal(chain.svm.getAccount(second).exists, false, "the offer record is closed");
  assert.equal(chain.pool(pool).closedOfferCount, 1n);
  assert.equal(relayerBefore - (chain.svm.getBalance(curator.address) ?? 0n), 25_000n, "only fees");

  // A contributor leaves: its record closes and its rent goes back to the curator who paid it
  // (less the two signatures' fee); the pool counts the closed record.
  const rent = chain.svm.getBalance(records[0]) ?? 0n;
  assert.equal(rent, 2_192_400n, "187 bytes of rent");
  const curatorBefore = chain.svm.getBalance(curator.address) ?? 0n;
  await chain.ok(curator, [
    await getContributorLeaveInstructionAsync({
      wallet: people[0],
      pool,
      payer: curator.address,
      identity: identities[0],
    }),
  ]);
  assert.equal(chain.svm.getAccount(records[0]).exists, false, "the record is closed");
  assert.equal((chain.svm.getBalance(curator.address) ?? 0n) - curatorBefore, rent - 10_000n);
  assert.equal(chain.pool(pool).closedContributorCount, 1n);
  assert.equal(chain.pool(pool).totalWeight, 900n);

  // The pool winds down; after its claim window (a year) the records left behind are reaped,
  // each deposit back to the curator who paid it, and the pool closes with its attestor and
  // custodian records, passed after the named accounts, each followed by its rent payer.
  await chain.ok(curator, [getPoolWindDownInstruction({ authority: curator, pool })]);
  const clock = chain.svm.getClock();
  clock.unixTimestamp += 365n * 86_400n + 1n;
  chain.svm.setClock(clock);
  for (const i of [1, 2, 3]) {
    await chain.ok(curator, [
      await getContributorReapInstructionAsync({
        closer: curator,
        pool,
        rentTo: curator.address,
        identity: identities[i],
      }),
    ]);
  }
  const [custodianRecord] = await findCustodianPda({ pool, key: custodian.address });
  const close = await getPoolCloseInstructionAsync({
    authority: curator,
    pool,
    payer: curator.address,
    mint: mint.address,
    destination: curatorAta,
  });
  const registry = [attestorRecord, custodianRecord].flatMap((record) => [
    { address: record, role: AccountRole.WRITABLE },
    { address: curator.address, role: AccountRole.WRITABLE },
  ]);
  const before = chain.svm.getBalance(curator.address) ?? 0n;
  await chain.ok(curator, [{ ...close, accounts: [...close.accounts, ...registry] }]);
  assert.equal(chain.svm.getAccount(pool).exists, false, "the pool is closed");
  assert.equal(chain.svm.getAccount(attestorRecord).exists, false);
  assert.ok((chain.svm.getBalance(curator.address) ?? 0n) > before, "its rent came back");
  assert.equal(chain.svm.getAccount(offer).exists, true, "the accepted offer stays: a license");
});
