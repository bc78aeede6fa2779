// The layering of the code, checked from its own imports. README.md's "Architecture" section
// holds the layer tables (one for the TypeScript shell, one for the AssemblyScript engine); this
// test reads those tables, places every source file in one row, and fails on an import that
// points up (a module may import its own unit and the layers below, never above) and on any
// import cycle among core/ files or among wasm/assembly/ files, even inside one folder.
// The tables are written once, in the README; the test is how they stay true.
import assert from "node:assert/strict";

const ROOT_URL = new URL("../", import.meta.url);
const README_PATH = new URL("README.md", ROOT_URL);
/** Where each table's files live: every .ts file below these must be placed by a row. */
const SOURCE_ROOTS = ["core/", "wasm/assembly/"];
/** Top-level files the TypeScript table also places. */
const TOP_LEVEL_SOURCES = ["mod.ts"];

interface LayerRow {
  layer: number;
  /** A folder (ending in "/") or a file, relative to the repository root. */
  unit: string;
}

/** A placed file: its row's layer and unit. */
interface Placement {
  layer: number;
  unit: string;
}

/**
 * The rows of every "| layer | … |" table under "## Architecture": the first cell is the layer
 * number (higher = nearer the entry points), the second names its units in backticks.
 */
export function parseLayerTables(readme: string): LayerRow[] {
  const start = readme.indexOf("\n## Architecture");
  assert.ok(start >= 0, "README.md has no '## Architecture' section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const rows: LayerRow[] = [];
  let inTable = false;
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    if (!line.startsWith("|")) {
      inTable = false;
      continue;
    }
    if (cells[1]?.toLowerCase() === "layer") {
      inTable = true;
      continue;
    }
    if (!inTable || /^-+$/.test(cells[1])) continue;
    const layer = Number(cells[1]);
    assert.ok(Number.isInteger(layer), `layer table row without a layer number: ${line}`);
    const units = [...cells[2].matchAll(/`([^`]+)`/g)].map((match) => match[1]);
    assert.ok(units.length > 0, `layer table row names no unit: ${line}`);
    for (const unit of units) rows.push({ layer, unit });
  }
  return rows;
}

/** The row with the longest unit that holds `path` (a folder holds what is below it). */
export function place(path: string, rows: readonly LayerRow[]): Placement | null {
  let best: LayerRow | null = null;
  for (const row of rows) {
    const holds = row.unit.endsWith("/") ? path.startsWith(row.unit) : path === row.unit;
    if (holds && (best === null || row.unit.length > best.unit.length)) best = row;
  }
  return best === null ? null : { layer: best.layer, unit: best.unit };
}

/** Relative module specifiers of one source file: static and dynamic imports, re-exports. */
export function relativeImports(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^;"']*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of withoutComments.matchAll(pattern)) specifiers.push(match[1]);
  }
  return specifiers;
}

function listSources(dir: string, into: string[]): void {
  for (const entry of Deno.readDirSync(new URL(dir, ROOT_URL))) {
    const path = dir + entry.name;
    if (entry.isDirectory) listSources(path + "/", into);
    else if (entry.isFile && entry.name.endsWith(".ts")) into.push(path);
  }
}

/** The file a specifier names; AssemblyScript imports leave out the ".ts". */
function resolve(fromPath: string, specifier: string, known: ReadonlySet<string>): string {
  const url = new URL(specifier, new URL(fromPath, ROOT_URL));
  const path = url.pathname.slice(ROOT_URL.pathname.length);
  return known.has(path) || !known.has(path + ".ts") ? path : path + ".ts";
}

/** Every source file and the source files it imports (imports outside the sources are dropped). */
function readImportGraph(): Map<string, string[]> {
  const files: string[] = [...TOP_LEVEL_SOURCES];
  for (const root of SOURCE_ROOTS) listSources(root, files);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = Deno.readTextFileSync(new URL(file, ROOT_URL));
    const targets = relativeImports(source).map((specifier) => resolve(file, specifier, known));
    graph.set(file, targets.filter((target) => known.has(target)));
  }
  return graph;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
export function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfImport = graph.get(node)?.includes(node) ?? false;
    if (component.length > 1 || selfImport) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

/** Imports that point up the table or sideways into another unit of the same layer. */
export function layerViolations(
  graph: ReadonlyMap<string, readonly string[]>,
  rows: readonly LayerRow[],
): string[] {
  const violations: string[] = [];
  for (const [file, targets] of graph) {
    const from = place(file, rows);
    if (from === null) continue;
    for (const target of targets) {
      const to = place(target, rows);
      if (to === null) continue; // reported by the placement test
      if (from.unit === to.unit || to.layer < from.layer) continue;
      violations.push(
        `${file} (layer ${from.layer}, ${from.unit}) imports ${target} (layer ${to.layer}, ${to.unit})`,
      );
    }
  }
  return violations;
}

Deno.test("every source file is placed in README.md's layer tables", () => {
  const rows = parseLayerTables(Deno.readTextFileSync(README_PATH));
  const unplaced = [...readImportGraph().keys()].filter((file) => place(file, rows) === null);
  assert.deepEqual(unplaced, [], "add these files to a row of README.md's Architecture tables");
});

Deno.test("no import points up the layer table", () => {
  const rows = parseLayerTables(Deno.readTextFileSync(README_PATH));
  assert.deepEqual(layerViolations(readImportGraph(), rows), []);
});

Deno.test("no import cycle among core/ files nor among wasm/assembly/ files", () => {
  assert.deepEqual(importCycles(readImportGraph()), []);
});

Deno.test("the checks can fail: a cycle, an upward import and an unplaced file are reported", () => {
  const rows = parseLayerTables(
    "# x\n\n## Architecture\n\n| layer | units | what |\n|---|---|---|\n" +
      "| 2 | `core/top/` | top |\n| 1 | `core/base.ts`, `core/other.ts` | base |\n\n## Next\n",
  );
  assert.deepEqual(rows.map((row) => row.unit), ["core/top/", "core/base.ts", "core/other.ts"]);
  const graph = new Map([
    ["core/top/a.ts", ["core/top/b.ts", "core/base.ts"]],
    ["core/top/b.ts", ["core/top/a.ts"]],
    ["core/base.ts", ["core/top/a.ts", "core/other.ts"]],
    ["core/other.ts", []],
  ]);
  assert.deepEqual(importCycles(graph), [["core/base.ts", "core/top/a.ts", "core/top/b.ts"]]);
  assert.deepEqual(layerViolations(graph, rows), [
    "core/base.ts (layer 1, core/base.ts) imports core/top/a.ts (layer 2, core/top/)",
    "core/base.ts (layer 1, core/base.ts) imports core/other.ts (layer 1, core/other.ts)",
  ]);
  assert.equal(place("core/elsewhere.ts", rows), null);
  assert.deepEqual(
    relativeImports(
      'import type {\n  A,\n} from "./a.ts";\nexport * from "../b.ts";\n// import "./no.ts";\n' +
        'const m = await import("./c.ts");\nimport "./d.ts";\nimport x from "npm:y";',
    ),
    ["./a.ts", "../b.ts", "./d.ts", "./c.ts"],
  );
});
