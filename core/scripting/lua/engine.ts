// LuaEngine: one Lua 5.1 state, as Redis keeps one per server, with Redis 7.0's scripting
// environment. It compiles script bodies into named functions and calls them with KEYS/ARGV,
// answering the script's redis.* calls through a host the shell implements. Nothing thrown by a
// script leaves it: every failure comes back as an error reply.
//
// Calls into Lua go through one entry function kept in the Lua registry: the operation name is
// pushed as a C string, everything else (function name, body, keys, args) is queued on the byte
// channel, and the result is what Lua wrote back (formats in _wire.ts).
//
// Start: `create` returns at once; the WebAssembly module is instantiated and the state and its
// environment loaded on the first call that needs Lua (compile, call, loadLibrary), synchronously
// (a few milliseconds). A server that never runs a script never pays for the VM: its compiled
// code, heap and the compilers' pages are about 15 MiB of resident memory (issue 18,
// bench/memory_breakdown.ts). Until then usedMemoryBytes is 0 and forget/commitLibraries have
// nothing to do.
//
// Memory (INFO used_memory_lua): the prelude is compiled once, dumped and loaded again without
// its debug records (_strip_dump.ts); cjson and cmsgpack are loaded only when a script touches
// them, and again after an idle copy was let go: Lua asks for their source with a "lib" request
// (_prelude_lua.ts).
//
// Per script call the engine allocates no writers: one WireWriter holds the input of a call into
// Lua and another each answer to a request from Lua (both are consumed before the next is
// written: Lua reads a whole message before it sends anything).

import type { LuaReply } from "./reply.ts";
import { PAUSE_LUA, WasmLua } from "./_wasm_lua.ts";

export { PAUSE_LUA };
import { ENTRY_REGISTRY_KEY, INTERNAL_CHUNK, preludeSource } from "./_prelude_lua.ts";
import { CJSON_LUA } from "./_cjson_lua.ts";
import { CMSGPACK_LUA } from "./_cmsgpack_lua.ts";
import { numberText, parseRequest, WireReader, WireWriter, writeReplyForLua } from "./_wire.ts";
import {
  bitOp,
  LuaLibError,
  type LuaScalar,
  Rand48,
  sha1Hex,
  structPack,
  structSize,
  structUnpack,
} from "./_host_libs.ts";
import { rewriteTailCalls } from "./_tail_calls.ts";
import { stripDump } from "./_strip_dump.ts";
import {
  HOOK_INSTRUCTION_COUNT,
  LUA_HEAP_MAX_BYTES,
  LUA_REPLY_DEPTH_MAX,
  REDIS_VERSION,
  REDIS_VERSION_NUM,
} from "./limits.ts";

const LUA_REGISTRYINDEX = -10000;
/** Libraries Lua loads on first use ("lib" requests), by global name: see _prelude_lua.ts. */
const LAZY_LIBRARY_SOURCES: Readonly<Record<string, string>> = {
  cjson: CJSON_LUA,
  cmsgpack: CMSGPACK_LUA,
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Redis's log levels as redis.log passes them (LL_DEBUG..LL_WARNING). */
export type LuaLogLevel = 0 | 1 | 2 | 3;

/**
 * What the shell provides to a running script. Only `call` is required; the others default to
 * "nothing to do" (log dropped, no interrupt, every command allowed).
 */
export interface LuaHost {
  /**
   * Runs one command for redis.call / redis.pcall and returns its reply, errors as
   * `{ error: "ERR …" }`. The reply must be in the protocol last set by `setResp` (2 by default
   * at the start of each call).
   */
  call(argv: Uint8Array[]): LuaReply;
  /** redis.log(level, …): the arguments already joined with spaces. */
  log?(level: LuaLogLevel, message: Uint8Array): void;
  /** redis.setresp(2|3) */
  setResp?(resp: 2 | 3): void;
  /** redis.set_repl(flags): a mix of REPL_AOF (1) and REPL_REPLICA (2). */
  setRepl?(flags: number): void;
  /** redis.acl_check_cmd(…): true/false, or null for an unknown command. */
  aclCheckCmd?(argv: Uint8Array[]): boolean | null;
  /**
   * Called every HOOK_INSTRUCTION_COUNT Lua instructions (busy-script replies, SCRIPT KILL).
   * Returns null to go on, an error text to stop the script with, e.g.
   * "ERR Script killed by user with SCRIPT KILL...", or PAUSE_LUA to pause the script: `call`
   * then returns a LuaPausedCall, and on `resume` this is asked again (a second PAUSE_LUA in a
   * row counts as null, so a resumed script always makes progress). Once it returned an error
   * it is called on every line, so a script cannot pcall its way past the kill (as Redis does).
   */
  checkInterrupt?(): string | null | typeof PAUSE_LUA;
}

/**
 * A function a library registered: its name, its description (null when none was given) and
 * its flags as bits in Redis's order (LUA_FUNCTION_FLAG_NAMES: bit 0 no-writes … bit 4
 * allow-cross-slot-keys).
 */
export interface LuaLibraryFunction {
  name: string;
  description: Uint8Array | null;
  flags: number;
}

/** The flag names `redis.register_function` accepts, bit i of LuaLibraryFunction.flags each. */
export const LUA_FUNCTION_FLAG_NAMES = [
  "no-writes",
  "allow-oom",
  "allow-stale",
  "no-cluster",
  "allow-cross-slot-keys",
] as const;

/**
 * A script call that paused (its host's checkInterrupt answered PAUSE_LUA). Nothing else may
 * enter the engine until it is resumed to its end; `resume` runs it on and returns its result
 * or, if it paused again, another LuaPausedCall.
 */
export class LuaPausedCall {
  readonly #resume: () => LuaReply | LuaPausedCall;
  constructor(resume: () => LuaReply | LuaPausedCall) {
    this.#resume = resume;
  }
  resume(): LuaReply | LuaPausedCall {
    return this.#resume();
  }
}

/** How the called function receives its keys and arguments. */
export type LuaCallMode = "eval" | "fcall";

/** Options of {@linkcode LuaEngine.create}. */
export interface LuaEngineOptions {
  /** The WebAssembly heap is never grown past this; Lua then fails with "not enough memory".
   * @default {LUA_HEAP_MAX_BYTES} */
  heapMaxBytes?: number;
  /** Start the VM now rather than on first use (see the head comment).
   * @default {false} */
  startNow?: boolean;
}

/**
 * One Lua state with Redis 7.0's scripting environment.
 *
 * @example
 * ```ts
 * import { LuaEngine } from "./engine.ts";
 * const engine = await LuaEngine.create();
 * const name = "f_example";
 * engine.compile(name, new TextEncoder().encode("return {1, 'two', redis.call('ping')}"));
 * const reply = engine.call(name, [], [], { call: () => ({ status: "PONG" }) });
 * // reply: [1n, Uint8Array("two"), { status: "PONG" }]
 * engine.close();
 * ```
 */
export class LuaEngine {
  /** The VM once started (#startedVm), else null. */
  #vm: WasmLua | null = null;
  #L = 0;
  #entryKeyPtr = 0;
  readonly #heapMaxBytes: number;
  readonly #opPtrs: Map<string, number> = new Map();
  readonly #rand = new Rand48();
  /** The input of the current call into Lua (read whole by Lua before it makes a request). */
  readonly #input = new WireWriter();
  /** The answer to the current request from Lua. */
  readonly #answerOut = new WireWriter();
  #host: LuaHost | null = null;
  #resp: 2 | 3 = 2;
  #closed = false;
  /** The last usedMemoryBytes read (what is answered while a script runs). */
  #usedMemoryBytes = 0;

  private constructor(heapMaxBytes: number) {
    this.#heapMaxBytes = heapMaxBytes;
  }

  /**
   * Creates an engine; its Lua state is made and the environment loaded on first use (a few
   * milliseconds then), or now with `startNow`.
   */
  static async create(options: LuaEngineOptions = {}): Promise<LuaEngine> {
    const engine = new LuaEngine(options.heapMaxBytes ?? LUA_HEAP_MAX_BYTES);
    if (options.startNow === true) engine.#startedVm();
    return await Promise.resolve(engine);
  }

  /** True once the Lua state exists (first compile, call or loadLibrary, or startNow). */
  get started(): boolean {
    return this.#vm !== null;
  }

  /** The VM, started first if it is not yet: a Lua state with the environment loaded. */
  #startedVm(): WasmLua {
    if (this.#vm !== null) return this.#vm;
    if (this.#closed) throw new Error("lua: engine closed");
    const vm = WasmLua.loadSync(this.#heapMaxBytes);
    const L = vm.api.luaL_newstate();
    if (L === 0) throw new Error("lua: cannot create state");
    vm.api.luaL_openlibs(L);
    this.#vm = vm;
    this.#L = L;
    this.#entryKeyPtr = vm.writeCString(ENTRY_REGISTRY_KEY);
    for (const op of ["compile", "eval", "fcall", "forget", "loadlib", "libfns", "memory"]) {
      this.#opPtrs.set(op, vm.writeCString(op));
    }
    vm.setRequestHandler((request) => this.#answer(request));
    vm.setResumeHandler(() => this.#answerAfterPause());
    const prelude = encoder.encode(
      preludeSource(REDIS_VERSION, REDIS_VERSION_NUM, HOOK_INSTRUCTION_COUNT, LUA_REPLY_DEPTH_MAX),
    );
    // Compiled, dumped and loaded again without its debug records (memory: _strip_dump.ts).
    vm.queueInput(prelude);
    let error = this.#runChunk(encoder.encode(
      `local f, e = loadstring(io.read(${prelude.length}), "${INTERNAL_CHUNK}")
      if not f then error(e, 0) end
      io.write(string.dump(f))
      io.flush()`,
    ));
    const dump = vm.takeOutput().slice();
    if (error === null) error = this.#runChunk(stripDump(dump));
    if (error !== null) {
      this.#vm = null; // the next use tries again on a new instance
      this.#opPtrs.clear();
      throw new Error(`lua: environment failed to load: ${error}`);
    }
    return vm;
  }

  /** The VM of a call already under way (it was started by #invoke). */
  get #runningVm(): WasmLua {
    const vm = this.#vm;
    if (vm === null) throw new Error("lua: not started");
    return vm;
  }

  /**
   * Compiles `body` as the function `name` (Redis names them `f_<sha1 of body>`), its
   * `return redis.call(…)` tail calls parenthesised first so errors keep the script's line
   * (_tail_calls.ts; library bodies in `loadLibrary` too). Returns null,
   * or the error reply Redis gives, e.g.
   * `ERR Error compiling script (new function): user_script:1: '=' expected near 'x'`.
   */
  compile(name: string, body: Uint8Array): { error: string } | null {
    const input = this.#inputWriter();
    input.line(name);
    input.string("", rewriteTailCalls(body));
    const out = this.#invokeOp("compile", input.finish());
    if (out.length > 0 && out[0] === 0x2b /* + */) return null;
    if (out.length > 0 && out[0] === 0x2d /* - */) {
      return { error: oneLine(decoder.decode(out.subarray(1))) };
    }
    return { error: "ERR Error compiling script (new function): " + decoder.decode(out) };
  }

  /** Drops a compiled function (SCRIPT FLUSH of one script, FUNCTION DELETE). */
  forget(name: string): void {
    if (this.#vm === null) return; // nothing was compiled
    const input = this.#inputWriter();
    input.line(name);
    this.#invokeOp("forget", input.finish());
  }

  /**
   * Runs the compiled function `name`. In "eval" mode KEYS and ARGV are set as globals (EVAL);
   * in "fcall" mode they are the function's two arguments (FCALL). Returns the script's result
   * converted as Redis does, or an error reply such as `ERR user_script:1: … script: <sha>, on
   * @user_script:1.` (in "eval" mode a leading `f_` of the name is left out, as Redis reports
   * an EVAL script by its SHA). When the host paused the script, returns a LuaPausedCall.
   */
  call(
    name: string,
    keys: Uint8Array[],
    args: Uint8Array[],
    host: LuaHost,
    mode: LuaCallMode = "eval",
  ): LuaReply | LuaPausedCall {
    if (this.#host !== null) return { error: "ERR resplica: a Lua script is already running" };
    const input = this.#inputWriter();
    input.line(name);
    input.stringList([keys.length, args.length], [keys, args]);
    this.#host = host;
    this.#resp = 2;
    return this.#settleCall(name, () => this.#invoke(mode, input.finish()));
  }

  /** True while a script call is paused (see LuaPausedCall). */
  get paused(): boolean {
    return this.#vm?.paused ?? false;
  }

  /** Runs `enter` (a call into the script, first or resumed) and turns its end into a result. */
  #settleCall(name: string, enter: () => Uint8Array | null): LuaReply | LuaPausedCall {
    let out: Uint8Array | null;
    try {
      out = enter();
    } catch (error) {
      this.#host = null;
      throw error;
    }
    if (out === null) {
      return new LuaPausedCall(() =>
        this.#settleCall(
          name,
          () => this.#runningVm.resume(() => this.#finishEntry(this.#pcallEntry())),
        )
      );
    }
    this.#host = null;
    if (out.length === 0) return { error: "ERR Error running script " + name };
    const reply = new WireReader(out, true).reply();
    if (reply !== null && typeof reply === "object" && "error" in reply) {
      reply.error = oneLine(reply.error);
    }
    return reply;
  }

  /**
   * Runs a function library's body (the code after its `#!lua` line, that line's newline
   * included) with `redis.register_function` available and redis.call not, as FUNCTION LOAD
   * does. The functions it registered are staged: `commitLibraries` makes them callable in
   * "fcall" mode (or drops them). Errors are Redis's replies, e.g. `ERR Error registering
   * functions: …`, `ERR Error compiling function: …`; a body running past `timeoutMs` (0 = no
   * limit) fails with `ERR FUNCTION LOAD timeout`.
   */
  loadLibrary(body: Uint8Array, timeoutMs = 0): { functions: LuaLibraryFunction[] } | {
    error: string;
  } {
    if (this.#host !== null) return { error: "ERR resplica: a Lua script is running" };
    const input = this.#inputWriter();
    input.line(String(timeoutMs));
    input.string("", rewriteTailCalls(body));
    const out = this.#invokeOp("loadlib", input.finish());
    const reply = out.length === 0
      ? { error: "ERR Error registering functions: (null)" }
      : new WireReader(out, true).reply();
    if (reply !== null && typeof reply === "object" && "error" in reply) {
      return { error: oneLine(reply.error) };
    }
    const flat = Array.isArray(reply) ? reply : [];
    const functions: LuaLibraryFunction[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const [name, hasDescription, description, flags] = flat.slice(i, i + 4) as Uint8Array[];
      functions.push({
        name: decoder.decode(name),
        description: decoder.decode(hasDescription) === "1" ? description : null,
        flags: Number(decoder.decode(flags)),
      });
    }
    return { functions };
  }

  /**
   * Ends a batch of `loadLibrary` calls: the functions named in `drop` stop being callable, then
   * the staged ones become callable when `install`, or are discarded.
   */
  commitLibraries(drop: readonly string[], install: boolean): void {
    if (this.#vm === null) return; // nothing staged, nothing callable
    const input = this.#inputWriter();
    input.line(install ? "1" : "0");
    input.line(String(drop.length));
    for (const name of drop) input.string("", encoder.encode(name));
    this.#invokeOp("libfns", input.finish());
  }

  /**
   * Bytes the Lua state has allocated (Redis's used_memory_lua: lua_gc LUA_GCCOUNT). While a
   * script runs (INFO from a script) the Lua state cannot be entered again, so the value from
   * the last call outside a script is returned; before the VM started, 0.
   */
  get usedMemoryBytes(): number {
    if (this.#vm === null || this.#host !== null || this.#closed) return this.#usedMemoryBytes;
    const input = this.#inputWriter();
    input.line("");
    const out = this.#invokeOp("memory", input.finish());
    const bytes = Number(decoder.decode(out));
    if (Number.isFinite(bytes)) this.#usedMemoryBytes = bytes;
    return this.#usedMemoryBytes;
  }

  /** Bytes the WebAssembly heap holding the Lua state occupies (used_memory_lua's upper bound). */
  get heapSizeBytes(): number {
    return this.#vm?.heapSizeBytes ?? 0;
  }

  /** Releases the Lua state (the WebAssembly memory goes with the engine object). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A paused script's stack is still in the module: closing the state would run on it. The
    // memory goes with the engine object either way.
    if (this.#vm !== null && !this.#vm.paused) this.#vm.api.lua_close(this.#L);
  }

  /** Loads and runs `bytes` (Lua source or a binary chunk); returns null or the error. */
  #runChunk(bytes: Uint8Array): string | null {
    const vm = this.#runningVm;
    const api = vm.api;
    const buffer = vm.writeBytes(bytes);
    const name = vm.writeCString(INTERNAL_CHUNK);
    let status = api.luaL_loadbuffer(this.#L, buffer, bytes.length, name);
    if (status === 0) status = api.lua_pcall(this.#L, 0, 0, 0);
    if (status === 0) return null;
    const message = vm.readStackString(this.#L, -1);
    api.lua_settop(this.#L, 0);
    return message === null ? `status ${status}` : decoder.decode(message);
  }

  /** The input writer, emptied. */
  #inputWriter(): WireWriter {
    this.#input.reset();
    return this.#input;
  }

  /**
   * Calls the registry entry with `op`; `input` is what Lua reads; returns what Lua wrote, a view
   * of the channel's buffer valid until the next call (callers parse it at once, copying what
   * they keep: WireReader's `shared` mode), or null when the script paused (only a script call
   * can: the host's checkInterrupt decides).
   */
  #invoke(op: string, input: Uint8Array): Uint8Array | null {
    if (this.#closed) throw new Error("lua: engine closed");
    const vm = this.#startedVm();
    if (vm.paused) throw new Error("lua: a script is paused");
    const api = vm.api;
    api.lua_getfield(this.#L, LUA_REGISTRYINDEX, this.#entryKeyPtr);
    api.lua_pushstring(this.#L, this.#opPtrs.get(op)!);
    vm.queueInput(input);
    return this.#finishEntry(this.#pcallEntry());
  }

  /** #invoke for the operations that are not script calls, which never pause. */
  #invokeOp(op: string, input: Uint8Array): Uint8Array {
    const out = this.#invoke(op, input);
    if (out === null) throw new Error(`lua: '${op}' paused`);
    return out;
  }

  /** The protected call of the entry function set up by #invoke (made again to resume). */
  #pcallEntry(): number {
    return this.#runningVm.api.lua_pcall(this.#L, 1, 0, 0);
  }

  /** What an entry call that returned `status` wrote, or null when it paused instead. */
  #finishEntry(status: number): Uint8Array | null {
    const vm = this.#runningVm;
    if (vm.settlePause()) return null;
    const api = vm.api;
    if (status !== 0) {
      const message = vm.readStackString(this.#L, -1);
      api.lua_settop(this.#L, 0);
      vm.takeOutput();
      const text = message === null ? "execution failure" : decoder.decode(message);
      const failure = new WireWriter();
      failure.string("-", encoder.encode("ERR Error running script, " + text.slice(0, 100)));
      return failure.finish();
    }
    return vm.takeOutput();
  }

  /** Answers the interrupt check a pause interrupted: the host decides again, and Lua goes on. */
  #answerAfterPause(): Uint8Array {
    const out = this.#answerOut;
    out.reset();
    const decision = this.#host?.checkInterrupt?.() ?? null;
    writeInterruptAnswer(out, decision === PAUSE_LUA ? null : decision);
    return out.finish();
  }

  /** Answers one request Lua made while running (see the ops in _prelude_lua.ts). */
  #answer(request: Uint8Array): Uint8Array | typeof PAUSE_LUA {
    const { op, args } = parseRequest(request);
    const host = this.#host;
    const out = this.#answerOut;
    out.reset();
    switch (op) {
      case "call": {
        let reply: LuaReply;
        try {
          reply = host === null ? { error: "ERR no script is running" } : host.call(args);
        } catch (error) {
          reply = { error: "ERR " + (error instanceof Error ? error.message : String(error)) };
        }
        // Again after the host ran: had it entered the engine, that answer used this writer.
        out.reset();
        writeReplyForLua(out, reply, this.#resp);
        break;
      }
      case "intr": {
        const decision = host?.checkInterrupt?.() ?? null;
        if (decision === PAUSE_LUA) return PAUSE_LUA;
        writeInterruptAnswer(out, decision);
        break;
      }
      case "log":
        host?.log?.(Number(decoder.decode(args[0])) as LuaLogLevel, args[1]);
        out.line("_");
        break;
      case "setresp":
        this.#resp = decoder.decode(args[0]) === "3" ? 3 : 2;
        host?.setResp?.(this.#resp);
        out.line("_");
        break;
      case "setrepl":
        host?.setRepl?.(Number(decoder.decode(args[0])));
        out.line("_");
        break;
      case "acl": {
        const allowed = host?.aclCheckCmd ? host.aclCheckCmd(args) : true;
        out.line(allowed === null ? "_" : allowed ? "T" : "F");
        break;
      }
      case "lib": {
        // The source of a library the prelude loads on first use (cjson, cmsgpack).
        const name = decoder.decode(args[0]);
        const source = LAZY_LIBRARY_SOURCES[name];
        if (source === undefined) throw new Error(`lua: unknown library '${name}'`);
        out.string("$", encoder.encode(source));
        break;
      }
      case "sha1":
        out.string("$", encoder.encode(sha1Hex(args[0])));
        break;
      case "rand":
        out.line("n" + this.#rand.next());
        break;
      case "srand":
        this.#rand.seed(Number(decoder.decode(args[0])));
        out.line("_");
        break;
      case "bit": {
        const result = bitOp(decoder.decode(args[0]), args.slice(1).map(luaNumber));
        if (typeof result === "string") out.string("$", encoder.encode(result));
        else out.line("n" + result);
        break;
      }
      case "struct.pack":
      case "struct.unpack":
      case "struct.size":
        this.#answerStruct(op, args.map(decodeScalar), out);
        break;
      default:
        throw new Error(`lua: unknown request '${op}'`);
    }
    return out.finish();
  }

  #answerStruct(op: string, args: LuaScalar[], out: WireWriter): void {
    let results: LuaScalar[];
    try {
      results = op === "struct.pack"
        ? structPack(args)
        : op === "struct.unpack"
        ? structUnpack(args)
        : structSize(args);
    } catch (error) {
      if (!(error instanceof LuaLibError)) throw error;
      out.string("-", encoder.encode(error.message));
      return;
    }
    out.line("*" + results.length);
    for (const value of results) {
      if (value === null) out.line("_");
      else if (typeof value === "number") out.line("n" + numberText(value));
      else if (typeof value === "boolean") out.line(value ? "T" : "F");
      else out.string("$", value);
    }
  }
}

/** The answer to an "intr" request: go on, or stop with `stop` as the error. */
function writeInterruptAnswer(out: WireWriter, stop: string | null): void {
  if (stop === null) out.line("_");
  else out.string("$", encoder.encode("-" + stop));
}

function luaNumber(bytes: Uint8Array): number {
  const text = decoder.decode(bytes);
  if (text === "inf") return Infinity;
  if (text === "-inf") return -Infinity;
  return Number(text);
}

function decodeScalar(bytes: Uint8Array): LuaScalar {
  switch (bytes[0]) {
    case 0x6e /* n */:
      return luaNumber(bytes.subarray(1));
    case 0x73 /* s */:
      return bytes.subarray(1);
    case 0x54 /* T */:
      return true;
    case 0x46 /* F */:
      return false;
    default:
      return null;
  }
}

/** Error replies cannot hold CR or LF; Redis turns them into spaces. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}
