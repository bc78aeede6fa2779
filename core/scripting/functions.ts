// FunctionRegistry: Redis 7.0's function libraries (functions.c functionsLibCtx) — libraries by
// name, each with its code, its engine ("LUA") and the functions it registered; and every
// function by name across libraries, which FCALL looks up.
//
// Shape, and why:
// - The registry keeps metadata and code; the callbacks live in the Lua state. Running a
//   library's body goes through a `LibraryCompiler` (the LuaEngine satisfies it): the functions a
//   body registers are *staged* there, and the registry commits them (dropping the replaced
//   library's callbacks) only once every check passed, so a failed LOAD, RESTORE or sync leaves
//   both sides as they were. Everything is synchronous: no other command can slip between a
//   stage and its commit.
// - One batch routine serves FUNCTION LOAD (one library), FUNCTION RESTORE (several, with a
//   FLUSH / APPEND / REPLACE policy, Redis's libraryJoin) and a dataset replaced from an RDB
//   (full sync, DEBUG RELOAD, start-up: the file's libraries replace ours).
// - Libraries adopted before a Lua engine exists (an RDB loaded at start-up) are held as code
//   (`pending`) and compiled by `settle` at their first use; their code is already part of every
//   snapshot, AOF rewrite and DUMP, so nothing is lost in between.
// - Names: libraries match case-sensitively, functions case-insensitively (Redis's dict types);
//   libraries keep their load order (Redis's dict order is a hash order; ours is stable).
//
// Nothing here knows about clients, replies or the keyspace: the commands layer
// (core/commands/functions.ts) turns results into replies and propagates.

import type { LuaLibraryFunction } from "./lua/mod.ts";
import {
  ERR_BAD_LIBRARY_NAME,
  isValidFunctionName,
  LUA_ENGINE_NAME,
  parseLibraryMeta,
} from "./functions_meta.ts";

/** FUNCTION LOAD's time limit for the library body, from a normal client (LOAD_TIMEOUT_MS). */
export const FUNCTION_LOAD_TIMEOUT_MS = 500;

/** How FUNCTION RESTORE treats libraries already loaded. */
export type RestorePolicy = "flush" | "append" | "replace";

/** What runs a library body and holds its callbacks: the LuaEngine. */
export interface LibraryCompiler {
  loadLibrary(
    body: Uint8Array,
    timeoutMs?: number,
  ): { functions: LuaLibraryFunction[] } | { error: string };
  commitLibraries(drop: readonly string[], install: boolean): void;
}

/** One registered function. */
export interface FunctionInfo {
  name: string;
  /** null when the library gave none. */
  description: Uint8Array | null;
  /** Bits in LUA_FUNCTION_FLAG_NAMES order. */
  flags: number;
  library: LibraryInfo;
}

/** One library. */
export interface LibraryInfo {
  name: string;
  engine: string;
  /** The whole code as loaded, metadata line included (what RDB, AOF and DUMP carry). */
  code: Uint8Array;
  /** In registration order. */
  functions: FunctionInfo[];
}

/** A library set under construction: libraries by name, functions by lower-case name. */
interface LibrarySet {
  libraries: Map<string, LibraryInfo>;
  functions: Map<string, FunctionInfo>;
}

function emptySet(): LibrarySet {
  return { libraries: new Map(), functions: new Map() };
}

/**
 * The function libraries of one server.
 *
 * @example
 * ```ts
 * import { FunctionRegistry } from "./functions.ts";
 * import { LuaEngine } from "./lua/mod.ts";
 * const lua = await LuaEngine.create();
 * const registry = new FunctionRegistry();
 * const code = new TextEncoder().encode("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
 * registry.load(code, false, lua); // "lib"
 * registry.findFunction("F")?.library.name; // "lib"
 * lua.close();
 * ```
 */
export class FunctionRegistry {
  #live: LibrarySet = emptySet();
  /**
   * Library code adopted without an engine, by library name, compiled by `settle` (see the file
   * comment). Only the metadata line of such code has been checked.
   */
  #pending = new Map<string, Uint8Array>();

  /** Libraries in load order. */
  get libraries(): Iterable<LibraryInfo> {
    return this.#live.libraries.values();
  }

  get libraryCount(): number {
    return this.#live.libraries.size;
  }

  get functionCount(): number {
    return this.#live.functions.size;
  }

  /** True while adopted code waits for `settle`. */
  get hasPending(): boolean {
    return this.#pending.size > 0;
  }

  /** Every library's code, pending ones included: what a snapshot, AOF rewrite or DUMP writes. */
  codes(): Uint8Array[] {
    const live = [...this.#live.libraries.values()].map((library) => library.code);
    return [...live, ...this.#pending.values()];
  }

  findLibrary(name: string): LibraryInfo | undefined {
    return this.#live.libraries.get(name);
  }

  /** FCALL's lookup: case-insensitive, as Redis's functions dict. */
  findFunction(name: string): FunctionInfo | undefined {
    return this.#live.functions.get(name.toLowerCase());
  }

  /**
   * FUNCTION LOAD [REPLACE]: returns the library's name, or the error reply text (with its code,
   * e.g. "ERR Library 'x' already exists").
   */
  load(
    code: Uint8Array,
    replace: boolean,
    compiler: LibraryCompiler,
    timeoutMs = 0,
  ): { name: string } | { error: string } {
    const settled = this.settle(compiler);
    if (settled !== null) return { error: settled };
    const prepared = prepareLibrary(code, replace, compiler, timeoutMs, this.#live);
    if ("error" in prepared) {
      compiler.commitLibraries([], false);
      return { error: "ERR " + prepared.error };
    }
    const old = this.#live.libraries.get(prepared.library.name);
    if (old !== undefined) unlink(this.#live, old);
    link(this.#live, prepared.library);
    compiler.commitLibraries(old === undefined ? [] : old.functions.map((f) => f.name), true);
    return { name: prepared.library.name };
  }

  /** FUNCTION DELETE: false when no such library. */
  delete(name: string, compiler: LibraryCompiler | null): boolean {
    if (this.#pending.delete(name)) return true;
    const library = this.#live.libraries.get(name);
    if (library === undefined) return false;
    unlink(this.#live, library);
    compiler?.commitLibraries(library.functions.map((f) => f.name), false);
    return true;
  }

  /** FUNCTION FLUSH, and a dataset emptied before a load: no libraries left. */
  flush(compiler: LibraryCompiler | null): void {
    const names = [...this.#live.functions.values()].map((f) => f.name);
    this.#live = emptySet();
    this.#pending = new Map();
    if (names.length > 0) compiler?.commitLibraries(names, false);
  }

  /**
   * FUNCTION RESTORE: adds the libraries in `codes` under `policy`, all or none. Returns null,
   * or the error reply text.
   */
  restore(codes: Uint8Array[], policy: RestorePolicy, compiler: LibraryCompiler): string | null {
    const settled = this.settle(compiler);
    if (settled !== null) return settled;
    const incoming = emptySet();
    for (const code of codes) {
      const prepared = prepareLibrary(code, false, compiler, 0, incoming);
      if ("error" in prepared) {
        compiler.commitLibraries([], false);
        return "ERR " + prepared.error;
      }
      link(incoming, prepared.library);
    }
    if (policy === "flush") {
      const drop = [...this.#live.functions.values()].map((f) => f.name);
      this.#live = incoming;
      compiler.commitLibraries(drop, true);
      return null;
    }
    // libraryJoin: a name clash aborts unless REPLACE; replaced libraries free their functions'
    // names before the function clash check.
    const replaced: LibraryInfo[] = [];
    for (const library of incoming.libraries.values()) {
      const old = this.#live.libraries.get(library.name);
      if (old === undefined) continue;
      if (policy !== "replace") {
        compiler.commitLibraries([], false);
        return `ERR Library ${library.name} already exists`;
      }
      replaced.push(old);
    }
    for (const fn of incoming.functions.values()) {
      const clash = this.#live.functions.get(fn.name.toLowerCase());
      if (clash !== undefined && !replaced.includes(clash.library)) {
        compiler.commitLibraries([], false);
        return `ERR Function ${fn.name} already exists`;
      }
    }
    for (const old of replaced) unlink(this.#live, old);
    for (const library of incoming.libraries.values()) link(this.#live, library);
    compiler.commitLibraries(replaced.flatMap((old) => old.functions.map((f) => f.name)), true);
    return null;
  }

  /**
   * The dataset was replaced from an RDB (full sync, DEBUG RELOAD, start-up, an AOF preamble):
   * its libraries replace ours. Without an engine they wait as code (see `settle`). Returns
   * null, or why the libraries cannot load ("Failed loading library, …" in Redis's log).
   */
  replaceAll(codes: Uint8Array[], compiler: LibraryCompiler | null): string | null {
    if (compiler === null) {
      this.flush(null);
      return this.#adoptUncompiled(codes, "append");
    }
    this.#pending = new Map();
    return this.restore(codes, "flush", compiler);
  }

  /** Adds libraries from an RDB on top of ours (an AOF preamble after other libraries). */
  adopt(codes: Uint8Array[], compiler: LibraryCompiler | null): string | null {
    if (codes.length === 0) return null;
    if (compiler === null) return this.#adoptUncompiled(codes, "append");
    const settled = this.settle(compiler);
    return settled ?? this.restore(codes, "append", compiler);
  }

  /** Compiles adopted code now that an engine exists. Null, or the error reply text. */
  settle(compiler: LibraryCompiler): string | null {
    if (this.#pending.size === 0) return null;
    const codes = [...this.#pending.values()];
    this.#pending = new Map();
    return this.restore(codes, "append", compiler);
  }

  /**
   * FUNCTION LOAD / RESTORE while the server has no engine yet (an AOF replayed at start-up,
   * before the Lua state exists): the code is kept by library name, checked only for its
   * metadata line, and compiled by `settle`. Null, or the error reply text.
   */
  loadUncompiled(codes: Uint8Array[], policy: RestorePolicy): string | null {
    if (policy === "flush") this.flush(null);
    return this.#adoptUncompiled(codes, policy);
  }

  #adoptUncompiled(codes: Uint8Array[], policy: RestorePolicy): string | null {
    const named: [string, Uint8Array][] = [];
    for (const code of codes) {
      const meta = parseLibraryMeta(code);
      if ("error" in meta) return "ERR " + meta.error;
      if (policy !== "replace" && this.#pending.has(meta.name)) {
        return `ERR Library '${meta.name}' already exists`;
      }
      named.push([meta.name, code.slice()]);
    }
    for (const [name, code] of named) this.#pending.set(name, code);
    return null;
  }
}

/**
 * functionsCreateWithLibraryCtx up to linking: metadata, name, engine, the REPLACE rule, the
 * body run (its functions staged in the compiler), "No functions registered", and function
 * names already taken in `against` by another library. The error text has no "ERR " code.
 */
function prepareLibrary(
  code: Uint8Array,
  replace: boolean,
  compiler: LibraryCompiler,
  timeoutMs: number,
  against: LibrarySet,
): { library: LibraryInfo } | { error: string } {
  const meta = parseLibraryMeta(code);
  if ("error" in meta) return meta;
  if (!isValidFunctionName(meta.name)) return { error: ERR_BAD_LIBRARY_NAME };
  if (meta.engine.toUpperCase() !== LUA_ENGINE_NAME) {
    return { error: `Engine '${meta.engine}' not found` };
  }
  const old = against.libraries.get(meta.name);
  if (old !== undefined && !replace) return { error: `Library '${meta.name}' already exists` };
  const loaded = compiler.loadLibrary(meta.body, timeoutMs);
  if ("error" in loaded) return { error: loaded.error.replace(/^ERR /, "") };
  if (loaded.functions.length === 0) return { error: "No functions registered" };
  const library: LibraryInfo = {
    name: meta.name,
    engine: LUA_ENGINE_NAME,
    code: code.slice(),
    functions: [],
  };
  for (const fn of loaded.functions) {
    const clash = against.functions.get(fn.name.toLowerCase());
    if (clash !== undefined && clash.library !== old) {
      return { error: `Function ${fn.name} already exists` };
    }
    library.functions.push({ ...fn, library });
  }
  return { library };
}

function link(set: LibrarySet, library: LibraryInfo): void {
  set.libraries.set(library.name, library);
  for (const fn of library.functions) {
    const key = fn.name.toLowerCase();
    if (!set.functions.has(key)) set.functions.set(key, fn);
  }
}

function unlink(set: LibrarySet, library: LibraryInfo): void {
  set.libraries.delete(library.name);
  for (const fn of library.functions) {
    const key = fn.name.toLowerCase();
    if (set.functions.get(key)?.library === library) set.functions.delete(key);
  }
}
