// The data-pool TypeScript client: accounts, instructions, errors and PDA helpers generated
// from the IDL (src/generated, by codama.mjs), and the attestation helpers the IDL cannot state.
export * from "./generated/index.js";
export * from "./attestation.js";
