// What the IDL cannot describe: the attestation an attestor signs, and the Ed25519 precompile
// instruction that must come right before `contribution_submit` in the same transaction.
// Layouts as in programs/data_pool/src/attestation.rs and docs/PROTOCOL.md.
import {
  address,
  getAddressEncoder,
  getI64Encoder,
  getU64Encoder,
  getUtf8Encoder,
  signBytes,
  type Address,
  type Instruction,
  type ReadonlyUint8Array,
} from "@solana/kit";

/** The Ed25519 signature-verify precompile. */
export const ED25519_PROGRAM_ADDRESS = address("Ed25519SigVerify111111111111111111111111111");

/** Starts every attestation message. */
export const ATTESTATION_DOMAIN = "DATAPOOL-ATTEST-V2";

/** What an attestor vouches for. */
export type Attestation = {
  programId: Address;
  pool: Address;
  contributor: Address;
  /** The contributor's identity commitment (the attestor's keyed hash of the person). */
  identity: ReadonlyUint8Array;
  dataHash: ReadonlyUint8Array;
  score: bigint;
  expiresAt: bigint;
};

/**
 * The bytes an attestor signs: domain, program, pool, contributor, identity, data hash, score,
 * expiry.
 */
export function attestationMessage(a: Attestation): Uint8Array {
  if (a.dataHash.length !== 32) throw new Error("a data hash is 32 bytes");
  if (a.identity.length !== 32) throw new Error("an identity commitment is 32 bytes");
  const key = getAddressEncoder();
  const parts = [
    getUtf8Encoder().encode(ATTESTATION_DOMAIN),
    key.encode(a.programId),
    key.encode(a.pool),
    key.encode(a.contributor),
    a.identity,
    a.dataHash,
    getU64Encoder().encode(a.score),
    getI64Encoder().encode(a.expiresAt),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Signs `a` with the attestor's key pair. */
export async function signAttestation(attestor: CryptoKeyPair, a: Attestation): Promise<Uint8Array> {
  return new Uint8Array(await signBytes(attestor.privateKey, attestationMessage(a)));
}

/**
 * The Ed25519 precompile instruction checking `signature` by `attestor` over the attestation's
 * message, with its data in the instruction itself (offsets point into it, instruction index
 * 0xFFFF), as the program expects.
 */
export function ed25519VerifyInstruction(
  attestor: Address,
  signature: ReadonlyUint8Array,
  a: Attestation,
): Instruction {
  const message = attestationMessage(a);
  const keyAt = 2 + 14;
  const sigAt = keyAt + 32;
  const msgAt = sigAt + 64;
  const data = new Uint8Array(msgAt + message.length);
  const view = new DataView(data.buffer);
  data.set([1, 0], 0);
  [sigAt, 0xffff, keyAt, 0xffff, msgAt, message.length, 0xffff].forEach((v, i) =>
    view.setUint16(2 + 2 * i, v, true),
  );
  data.set(getAddressEncoder().encode(attestor), keyAt);
  data.set(signature, sigAt);
  data.set(message, msgAt);
  return { programAddress: ED25519_PROGRAM_ADDRESS, accounts: [], data };
}
