// Generates the TypeScript client in src/generated from the committed IDL (idl/data_pool.json)
// with Codama. `node codama.mjs --check` regenerates into a scratch folder and fails if the
// committed client differs: the TypeScript client is never stale against the IDL.
import { readFileSync, mkdtempSync, readdirSync, statSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { tmpdir } from "node:os";
import {
  addPdasVisitor,
  bytesTypeNode,
  constantPdaSeedNodeFromString,
  fixedSizeTypeNode,
  createFromRoot,
  numberTypeNode,
  publicKeyTypeNode,
  accountValueNode,
  argumentValueNode,
  pdaLinkNode,
  pdaSeedValueNode,
  pdaValueNode,
  publicKeyValueNode,
  setInstructionAccountDefaultValuesVisitor,
  stringTypeNode,
  variablePdaSeedNode,
} from "codama";
import { rootNodeFromAnchor } from "@codama/nodes-from-anchor";
import { renderVisitor } from "@codama/renderers-js";

const here = new URL(".", import.meta.url).pathname;
const idl = JSON.parse(readFileSync(join(here, "../../idl/data_pool.json"), "utf8"));
const root = rootNodeFromAnchor(idl);
// Events are decoded from logs by the Rust SDK and Anchor's event parser; this renderer version
// has no event support, so the generated client leaves them out.
const codama = createFromRoot({ ...root, program: { ...root.program, events: [] } });

// The addresses whose seeds the IDL cannot state (they come from a function of an argument or
// from a field of another account): pools and offers. (Contributor records, `["contributor",
// pool, identity]`, are stated by `contributor_leave`, so Codama derives `findContributorPda`.) Seeds as in
// programs/data_pool/src/constants.rs and docs/PROTOCOL.md.
codama.update(
  addPdasVisitor({
    dataPool: [
      {
        name: "pool",
        docs: ["A pool: its curator and its name (1 to 32 bytes)."],
        seeds: [
          constantPdaSeedNodeFromString("utf8", "pool"),
          variablePdaSeedNode("authority", publicKeyTypeNode(), "The curator who created it."),
          variablePdaSeedNode("name", stringTypeNode("utf8"), "The pool's name."),
        ],
      },
      {
        name: "offer",
        docs: ["An offer: its pool and its index (the pool's offer count when it was made)."],
        seeds: [
          constantPdaSeedNodeFromString("utf8", "offer"),
          variablePdaSeedNode("pool", publicKeyTypeNode()),
          variablePdaSeedNode("index", numberTypeNode("u64")),
        ],
      },
    ],
  }),
);
// Defaults for accounts that follow from other accounts or arguments of the same instruction,
// so callers pass only what they choose: the Instructions sysvar, the pool's vaults, a new offer
// (from the index it names) and the contributor record of a submitted identity. (A vote or a claim names its record: a wallet may
// hold several, one per person; `findContributorPda({ pool, identity })` derives it.)
const pda = (name, seeds) =>
  pdaValueNode(
    pdaLinkNode(name),
    Object.entries(seeds).map(([seed, value]) => pdaSeedValueNode(seed, value)),
  );
const pool = accountValueNode("pool");
codama.update(
  setInstructionAccountDefaultValuesVisitor([
    {
      account: "instructionsSysvar",
      defaultValue: publicKeyValueNode("Sysvar1nstructions1111111111111111111111111"),
    },
    { account: "vault", defaultValue: pda("vault", { pool }) },
    { account: "feeVault", defaultValue: pda("feeVault", { pool }) },
    {
      account: "offer",
      instruction: "offerCreate",
      defaultValue: pda("offer", { pool, index: argumentValueNode("index") }),
    },
    {
      account: "contributor",
      instruction: "contributionSubmit",
      defaultValue: pda("contributor", { pool, identity: argumentValueNode("identity") }),
    },
  ]),
);

const check = process.argv.includes("--check");
const out = check ? mkdtempSync(join(tmpdir(), "datapool-ts-")) : join(here, "src/generated");
// Dependencies are pinned in package.json by hand; the renderer does not edit it.
await codama.accept(
  renderVisitor(here, { generatedFolder: relative(here, out), syncPackageJson: false, formatCode: true }),
);

if (check) {
  const committed = join(here, "src/generated");
  const files = (dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort();
  const a = files(committed);
  const b = files(out);
  const stale = [];
  for (const f of new Set([...a, ...b])) {
    const x = a.includes(f) ? readFileSync(join(committed, f), "utf8") : null;
    const y = b.includes(f) ? readFileSync(join(out, f), "utf8") : null;
    if (x !== y) stale.push(f);
  }
  rmSync(out, { recursive: true, force: true });
  if (stale.length) {
    console.error(`the TypeScript client is stale against idl/data_pool.json: ${stale.join(", ")}`);
    console.error("regenerate it: (cd client/ts && npm run generate), then commit src/generated");
    process.exit(1);
  }
  console.log(`TypeScript client current with the IDL (${a.length} files)`);
} else {
  console.log(`generated ${relative(process.cwd(), out)}`);
}
