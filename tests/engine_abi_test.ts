// The engine's ABI is written twice, once per side of the WASM boundary: wasm/assembly/abi.ts
// (AssemblyScript, compiled into engine.wasm) and core/engine/abi.ts (what the host reads the
// engine's answers with). These tests read the engine's file as text and hold the host's module
// to it: same names, same values, nothing on one side only. Editing either file alone fails
// here until the other follows.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import * as hostAbi from "../core/engine/abi.ts";

const ENGINE_ABI_URL = new URL("../wasm/assembly/abi.ts", import.meta.url);

/**
 * Names allowed on one side only, each with the reason. Empty today: every number the engine
 * shares is mirrored. An entry here is a decision, not a way to silence a mismatch.
 */
const ONE_SIDED: Readonly<Record<string, string>> = {};

/** One `export const NAME: type = value;` line, as the engine's abi.ts must write them all. */
const CONSTANT_LINE = /^export const ([A-Z][A-Z0-9_]*): ([a-z0-9]+) = (-?(?:0x[0-9a-fA-F]+|\d+));$/;

/** AssemblyScript's integer types an ABI constant may have. */
const INTEGER_TYPES = new Set([
  "i8",
  "u8",
  "i16",
  "u16",
  "i32",
  "u32",
  "i64",
  "u64",
  "usize",
  "isize",
]);

/**
 * The engine's constants, name → value, from the text of its abi.ts. Throws on any export that
 * is not a plain literal constant (the test could not check it), or on a name given twice.
 */
function parseEngineAbi(text: string): Map<string, number> {
  const constants = new Map<string, number>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line.startsWith("export")) continue;
    const match = CONSTANT_LINE.exec(line);
    if (match === null) {
      throw new Error(
        `wasm/assembly/abi.ts:${i + 1}: not an \`export const NAME: type = value;\` line: ${line}`,
      );
    }
    const [, name, type, literal] = match;
    if (!INTEGER_TYPES.has(type)) {
      throw new Error(
        `wasm/assembly/abi.ts:${i + 1}: ${name} has type ${type}, not an integer type`,
      );
    }
    if (constants.has(name)) {
      throw new Error(`wasm/assembly/abi.ts:${i + 1}: ${name} defined twice`);
    }
    // Number() reads "0x10" but not "-0x10": take the sign apart.
    const value = literal.startsWith("-") ? -Number(literal.slice(1)) : Number(literal);
    if (!Number.isSafeInteger(value)) {
      throw new Error(`wasm/assembly/abi.ts:${i + 1}: ${name} = ${literal} is not a safe integer`);
    }
    constants.set(name, value);
  }
  return constants;
}

/** Differences between the two sides, as lines a reader can act on; empty when they agree. */
function abiMismatches(
  engine: ReadonlyMap<string, number>,
  host: Readonly<Record<string, unknown>>,
  oneSided: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  for (const [name, value] of engine) {
    if (name in oneSided) continue;
    if (!(name in host)) problems.push(`${name} = ${value} is in wasm/assembly/abi.ts only`);
    else if (host[name] !== value) {
      problems.push(
        `${name}: wasm/assembly/abi.ts has ${value}, core/engine/abi.ts has ${host[name]}`,
      );
    }
  }
  for (const [name, value] of Object.entries(host)) {
    if (name in oneSided || engine.has(name)) continue;
    problems.push(`${name} = ${String(value)} is in core/engine/abi.ts only`);
  }
  for (const name of Object.keys(oneSided)) {
    if (engine.has(name) && name in host) {
      problems.push(`${name} is listed one-sided but is on both sides`);
    }
  }
  return problems;
}

/** The engine's constants, read when a test asks (so a parse failure fails that test). */
function readEngineAbi(): Map<string, number> {
  return parseEngineAbi(Deno.readTextFileSync(ENGINE_ABI_URL));
}

const host: Record<string, unknown> = { ...hostAbi };

Deno.test("engine ABI: wasm/assembly/abi.ts and core/engine/abi.ts hold the same constants", () => {
  const engineAbi = readEngineAbi();
  ok(engineAbi.size > 50, `only ${engineAbi.size} constants parsed from wasm/assembly/abi.ts`);
  deepStrictEqual(abiMismatches(engineAbi, host, ONE_SIDED), []);
});

Deno.test("engine ABI: every host export is a number, and no two status codes collide", () => {
  for (const [name, value] of Object.entries(host)) {
    strictEqual(typeof value, "number", `${name} is not a number`);
  }
  // Codes one export returns side by side must differ (LIST_PIVOT_MISSING and STATUS_NAN share
  // -4 on purpose: listInsert and zsetAdd each return only their own).
  const statuses = [
    hostAbi.STATUS_MISSING,
    hostAbi.STATUS_WRONGTYPE,
    hostAbi.STATUS_OOM,
    hostAbi.STATUS_NAN,
  ];
  strictEqual(new Set(statuses).size, statuses.length);
  ok(statuses.every((status) => status < 0), "status codes are negative");
  const typeTags = [
    hostAbi.TYPE_STRING,
    hostAbi.TYPE_LIST,
    hostAbi.TYPE_SET,
    hostAbi.TYPE_ZSET,
    hostAbi.TYPE_HASH,
  ];
  strictEqual(new Set(typeTags).size, typeTags.length);
});

Deno.test("engine ABI: the check catches a changed value, a missing name and an extra name", () => {
  const engineAbi = readEngineAbi();
  const changed = new Map(engineAbi);
  changed.set("STATUS_OOM", -30);
  deepStrictEqual(abiMismatches(changed, host, ONE_SIDED), [
    "STATUS_OOM: wasm/assembly/abi.ts has -30, core/engine/abi.ts has -3",
  ]);
  const engineOnly = new Map(engineAbi);
  engineOnly.set("NEW_FLAG", 64);
  deepStrictEqual(abiMismatches(engineOnly, host, ONE_SIDED), [
    "NEW_FLAG = 64 is in wasm/assembly/abi.ts only",
  ]);
  const hostOnly = { ...host, EXTRA_CELL: 36 };
  deepStrictEqual(abiMismatches(engineAbi, hostOnly, ONE_SIDED), [
    "EXTRA_CELL = 36 is in core/engine/abi.ts only",
  ]);
  // A name may be one-sided only when listed, and then only while it is.
  deepStrictEqual(abiMismatches(engineAbi, hostOnly, { EXTRA_CELL: "host-only, for a test" }), []);
  deepStrictEqual(abiMismatches(engineAbi, host, { STATUS_OOM: "wrongly listed" }), [
    "STATUS_OOM is listed one-sided but is on both sides",
  ]);
});

Deno.test("engine ABI: the parser refuses what it could not compare", () => {
  throws(() => parseEngineAbi("export const A: u32 = 1 << 2;"), /not an `export const/);
  throws(() => parseEngineAbi("export function f(): void {}"), /not an `export const/);
  throws(() => parseEngineAbi("export const A: f64 = 1;"), /not an integer type/);
  throws(() => parseEngineAbi("export const A: u32 = 1;\nexport const A: u32 = 2;"), /twice/);
  deepStrictEqual(
    parseEngineAbi("// export const NOT: u32 = 1;\nexport const B: i32 = -0x10;"),
    new Map([["B", -16]]),
  );
});
