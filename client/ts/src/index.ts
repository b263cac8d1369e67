// The data-pool TypeScript client: accounts, instructions, errors and PDA helpers generated
// from the IDL (src/generated, by codama.mjs), and what the IDL cannot state: the attestation
// helpers and the offer's vote bitmap.
export * from "./generated/index.js";
export * from "./attestation.js";
export * from "./votes.js";
