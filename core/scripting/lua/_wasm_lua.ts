// Loads the Lua 5.1.5 WebAssembly build shipped by `lua-wasm-bindings` and owns the byte channel
// between Lua and TypeScript.
//
// Why a channel: that build exports only ~30 C API functions (no lua_pushcclosure, no
// lua_pushlstring, no lua_sethook), so TypeScript cannot register host functions. It does link
// the full io library over Emscripten's WASI calls, so the host intercepts fd_write on stdout
// and fd_read on stdin: Lua writes a request with io.write, flushes, and reads the answer with
// io.read. Both directions are binary-safe because they are raw bytes, never C strings. The
// Lua side keeps private references to io.write/io.read and removes `io` from the scripts'
// globals (see _prelude_lua.ts).
//
//   Lua                      fd 1 (stdout)            TypeScript
//   io.write(req); flush  ─────────────────────────▶ outBytes (accumulated)
//   io.read(...)          ◀─────────────────────────  stdin queue, filled by onRequest(outBytes)
//
// Every redis.call crosses here twice (one fd_write for the request, one fd_read for the answer:
// Lua's stdio buffers both ways, so a short message is one crossing), so the crossings allocate
// nothing: the heap views are kept until a heap growth detaches them, and short iovecs are
// copied byte by byte (cheaper than a subarray and a set for the few bytes most messages have).
//
// Pausing: the module is the shipped one instrumented by Binaryen's Asyncify
// (wasm/build_lua.ts). When the request handler answers PAUSE_LUA, fd_read unwinds the whole
// call stack of the running Lua code into a reserved block of the heap and the entry call
// returns to TypeScript, which may then go back to the event loop (a busy script lets other
// clients get -BUSY and send SCRIPT KILL). `resume` rewinds: the same entry call is made again,
// the stack is rebuilt, and the paused fd_read returns the handler's resume answer. Nothing else
// may enter the module while it is paused (its C stack pointer is still the paused one).
//
// The Emscripten glue is loaded as the package ships it, with three overrides: `locateFile`
// (to learn where the .wasm lies), `instantiateWasm` (to wrap fd_read, fd_write and the heap
// growth import, and to instantiate the instrumented module instead) and the removal of the
// process-wide listeners the glue installs under Node compatibility (it would turn any
// unhandled rejection into an abort).

import process from "node:process";
import glue from "lua-wasm/dist/glue/glue-lua-5.1.5.js";

const STDIN_FD = 0;
const STDOUT_FD = 1;
const GLUE_EVENTS = ["uncaughtException", "unhandledRejection"];
/** Up to this many bytes an iovec is copied with a loop rather than subarray + set. */
const SMALL_COPY_MAX_BYTES = 64;
/**
 * Bytes reserved for Asyncify's saved stack (locals of every frame between the entry call and
 * the paused fd_read). Lua 5.1 nests C frames only through C boundaries (pcall, metamethods,
 * callbacks), at most LUAI_MAXCCALLS (200) deep; this leaves room for all of them.
 */
const ASYNC_STACK_BYTES = 1024 * 1024;
/** Asyncify's data header: { stack start: u32, stack end: u32 }. */
const ASYNC_HEADER_BYTES = 8;
/** The instrumented Lua module (wasm/build_lua.ts). */
const LUA_WASM_URL = new URL("../../../wasm/build/lua-5.1.5-asyncify.wasm", import.meta.url);
/** A WASI iovec: { ptr: u32, len: u32 }, little-endian. */
const IOVEC_SIZE_BYTES = 8;
const IOVEC_LEN_OFFSET = 4;

/** The slice of Node's process event API used to undo the glue's listeners. */
interface ProcessEvents {
  listeners(event: string): unknown[];
  removeListener(event: string, listener: unknown): void;
}
const processEvents = process as unknown as ProcessEvents;

/** The raw C API functions of the build we call (pointers and ints only). */
export interface LuaCApi {
  luaL_newstate(): number;
  luaL_openlibs(L: number): void;
  luaL_loadbuffer(L: number, buf: number, size: number, name: number): number;
  lua_pcall(L: number, nargs: number, nresults: number, errfunc: number): number;
  lua_getfield(L: number, index: number, k: number): void;
  lua_pushstring(L: number, s: number): void;
  lua_settop(L: number, index: number): void;
  lua_gettop(L: number): number;
  lua_tolstring(L: number, index: number, lenPtr: number): number;
  lua_close(L: number): void;
  malloc(size: number): number;
}

/** A request handler's answer that pauses Lua where it is (see the head comment). */
export const PAUSE_LUA: unique symbol = Symbol("pause lua");

/**
 * Called when Lua reads stdin with nothing queued: `request` is everything Lua wrote since.
 * Returns the bytes Lua reads, or PAUSE_LUA to pause; the answer after the pause is asked of the
 * resume handler.
 */
export type RequestHandler = (request: Uint8Array) => Uint8Array | typeof PAUSE_LUA;

/** Asyncify's exports (Binaryen names them so). */
interface AsyncifyApi {
  asyncify_start_unwind(dataPtr: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(dataPtr: number): void;
  asyncify_stop_rewind(): void;
}

/** Where the module is: running normally, unwinding into a pause, paused, or rewinding. */
const enum AsyncState {
  Normal,
  Unwinding,
  Paused,
  Rewinding,
}

/** One WebAssembly instance holding one Lua state's memory, and its byte channel. */
export class WasmLua {
  readonly api: LuaCApi;
  readonly #memory: WebAssembly.Memory;
  #out: Uint8Array = new Uint8Array(4096);
  #outLen = 0;
  #in: Uint8Array = new Uint8Array(0);
  #inPos = 0;
  #onRequest: RequestHandler = () => new Uint8Array(0);
  #onResume: () => Uint8Array = () => new Uint8Array(0);
  #scratchPtr: number;
  readonly #async: AsyncifyApi;
  readonly #asyncDataPtr: number;
  #asyncState = AsyncState.Normal;
  /** Views of the heap; a heap growth detaches them (byteLength 0), see #heapBytes. */
  #heap: Uint8Array;
  #heapView: DataView;

  private constructor(api: LuaCApi, memory: WebAssembly.Memory, asyncApi: AsyncifyApi) {
    this.api = api;
    this.#memory = memory;
    this.#async = asyncApi;
    this.#heap = new Uint8Array(memory.buffer);
    this.#heapView = new DataView(memory.buffer);
    this.#scratchPtr = api.malloc(16);
    this.#asyncDataPtr = api.malloc(ASYNC_HEADER_BYTES + ASYNC_STACK_BYTES);
    if (this.#asyncDataPtr === 0) throw new Error("lua wasm: no memory for the pause stack");
  }

  /**
   * Instantiates the build with the heap limited to `heapMaxBytes`, synchronously: the module is
   * compiled and instantiated in `instantiateWasm` and handed to the glue at once, so the glue's
   * runtime starts before it returns (its `ready` promise only reports that). The LuaEngine starts
   * its state on first use this way, from inside a command.
   */
  static loadSync(heapMaxBytes: number): WasmLua {
    let wasmPath = "";
    let memory: WebAssembly.Memory | undefined;
    let asyncApi: AsyncifyApi | undefined;
    // Set once the instance exists; the wrapped imports only run after that.
    const channel: { current?: WasmLua } = {};
    const listenersBefore = GLUE_EVENTS.map((event) => processEvents.listeners(event));
    // deno-lint-ignore no-explicit-any
    const module: any = (glue as unknown as (o: unknown) => unknown)({
      print: () => {},
      printErr: () => {},
      locateFile(path: string, dir: string): string {
        wasmPath = dir + path;
        return wasmPath;
      },
      instantiateWasm(
        imports: { a: Record<string, (...args: number[]) => number> },
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) {
        const env = imports.a;
        for (const key of Object.keys(env)) {
          const original = env[key];
          if (original.name === "_fd_write") {
            env[key] = (fd, iov, iovCount, numPtr) =>
              fd === STDOUT_FD
                ? channel.current!.#fdWrite(iov, iovCount, numPtr)
                : original(fd, iov, iovCount, numPtr);
          } else if (original.name === "_fd_read") {
            env[key] = (fd, iov, iovCount, numPtr) =>
              fd === STDIN_FD
                ? channel.current!.#fdRead(iov, iovCount, numPtr)
                : original(fd, iov, iovCount, numPtr);
          } else if (original.name === "_emscripten_resize_heap") {
            // Refusing to grow makes malloc fail, which Lua reports as "not enough memory".
            env[key] = (requested) => (requested >>> 0) > heapMaxBytes ? 0 : original(requested);
          }
        }
        const compiled = new WebAssembly.Module(Deno.readFileSync(LUA_WASM_URL));
        const instance = new WebAssembly.Instance(compiled, imports);
        for (const value of Object.values(instance.exports)) {
          if (value instanceof WebAssembly.Memory) memory = value;
        }
        if (typeof instance.exports.asyncify_start_unwind === "function") {
          asyncApi = instance.exports as unknown as AsyncifyApi;
        }
        receive(instance, compiled);
        return instance.exports;
      },
    });
    // Nothing else may settle it (it would reject on an abort): keep it from going unhandled.
    (module.ready as Promise<unknown>).catch(() => {});
    GLUE_EVENTS.forEach((event, index) => {
      for (const listener of processEvents.listeners(event)) {
        if (!listenersBefore[index].includes(listener)) {
          processEvents.removeListener(event, listener);
        }
      }
    });
    if (module.calledRun !== true) throw new Error("lua wasm: the runtime did not start");
    if (memory === undefined) throw new Error("lua wasm: no memory export");
    if (asyncApi === undefined) throw new Error(`lua wasm: ${LUA_WASM_URL} is not instrumented`);
    const api: LuaCApi = {
      luaL_newstate: module._luaL_newstate,
      luaL_openlibs: module._luaL_openlibs,
      luaL_loadbuffer: module._luaL_loadbuffer,
      lua_pcall: module._lua_pcall,
      lua_getfield: module._lua_getfield,
      lua_pushstring: module._lua_pushstring,
      lua_settop: module._lua_settop,
      lua_gettop: module._lua_gettop,
      lua_tolstring: module._lua_tolstring,
      lua_close: module._lua_close,
      malloc: module._malloc,
    };
    channel.current = new WasmLua(api, memory, asyncApi);
    return channel.current;
  }

  /** Current WebAssembly heap size (grows, never shrinks). */
  get heapSizeBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Sets who answers Lua's requests. */
  setRequestHandler(handler: RequestHandler): void {
    this.#onRequest = handler;
  }

  /** Sets who answers the request a pause interrupted, when Lua resumes. */
  setResumeHandler(handler: () => Uint8Array): void {
    this.#onResume = handler;
  }

  /** True while Lua is paused: only `resume` may enter the module. */
  get paused(): boolean {
    return this.#asyncState === AsyncState.Paused;
  }

  /**
   * Ends a call into the module: true when it returned because Lua paused (the call's result
   * is meaningless then; `resume` continues it), false when it really returned.
   */
  settlePause(): boolean {
    if (this.#asyncState !== AsyncState.Unwinding) return false;
    this.#async.asyncify_stop_unwind();
    this.#asyncState = AsyncState.Paused;
    return true;
  }

  /**
   * Continues paused Lua: `enter` must make the same call into the module that paused (its
   * arguments are restored from the saved stack). Returns what `enter` returns; check
   * `settlePause` again after it, Lua may have paused once more.
   */
  resume<T>(enter: () => T): T {
    if (this.#asyncState !== AsyncState.Paused) throw new Error("lua wasm: not paused");
    this.#asyncState = AsyncState.Rewinding;
    this.#async.asyncify_start_rewind(this.#asyncDataPtr);
    return enter();
  }

  /** Queues bytes for Lua's next reads (the arguments of a call into Lua). */
  queueInput(bytes: Uint8Array): void {
    this.#in = bytes;
    this.#inPos = 0;
    this.#outLen = 0;
  }

  /**
   * Takes everything Lua wrote since the last take (a result written before returning). The
   * bytes are a view of the channel's buffer, valid until Lua runs again: read them at once.
   */
  takeOutput(): Uint8Array {
    const bytes = this.#out.subarray(0, this.#outLen);
    this.#outLen = 0;
    return bytes;
  }

  /** Copies `bytes` plus a NUL into a fresh malloc'd block; the caller keeps it (no free). */
  writeCString(text: string): number {
    return this.writeBytes(new TextEncoder().encode(text));
  }

  /** Copies `bytes` plus a NUL into a fresh malloc'd block; the caller keeps it (no free). */
  writeBytes(bytes: Uint8Array): number {
    const ptr = this.api.malloc(bytes.length + 1);
    const heap = this.#heapBytes();
    heap.set(bytes, ptr);
    heap[ptr + bytes.length] = 0;
    return ptr;
  }

  /** Reads the string at stack `index` of `L` as bytes (copied), or null if not a string. */
  readStackString(L: number, index: number): Uint8Array | null {
    const ptr = this.api.lua_tolstring(L, index, this.#scratchPtr);
    if (ptr === 0) return null;
    this.#heapBytes();
    const len = this.#heapView.getUint32(this.#scratchPtr, true);
    return this.#heap.slice(ptr, ptr + len);
  }

  /** The heap's DataView, made again after a growth detached the last one. */
  #heapBytesView(): DataView {
    this.#heapBytes();
    return this.#heapView;
  }

  /** The heap's byte view, made again after a growth detached the last one. */
  #heapBytes(): Uint8Array {
    if (this.#heap.byteLength === 0) {
      this.#heap = new Uint8Array(this.#memory.buffer);
      this.#heapView = new DataView(this.#memory.buffer);
    }
    return this.#heap;
  }

  #fdWrite(iov: number, iovCount: number, numPtr: number): number {
    const heap = this.#heapBytes();
    const view = this.#heapView;
    let written = 0;
    for (let i = 0; i < iovCount; i++) {
      const ptr = view.getUint32(iov + i * IOVEC_SIZE_BYTES, true);
      const len = view.getUint32(iov + i * IOVEC_SIZE_BYTES + IOVEC_LEN_OFFSET, true);
      this.#reserveOut(len);
      const out = this.#out;
      if (len <= SMALL_COPY_MAX_BYTES) {
        for (let j = 0; j < len; j++) out[this.#outLen + j] = heap[ptr + j];
      } else {
        out.set(heap.subarray(ptr, ptr + len), this.#outLen);
      }
      this.#outLen += len;
      written += len;
    }
    view.setUint32(numPtr, written, true);
    return 0;
  }

  #fdRead(iov: number, iovCount: number, numPtr: number): number {
    if (this.#asyncState === AsyncState.Rewinding) {
      // Back in the fd_read that paused: the stack is whole again.
      this.#async.asyncify_stop_rewind();
      this.#asyncState = AsyncState.Normal;
      this.#in = this.#onResume();
      this.#inPos = 0;
    } else if (this.#inPos >= this.#in.length) {
      const request = this.#out.subarray(0, this.#outLen);
      this.#outLen = 0;
      const answer = this.#onRequest(request);
      if (answer === PAUSE_LUA) {
        const view = this.#heapBytesView();
        const dataPtr = this.#asyncDataPtr;
        view.setUint32(dataPtr, dataPtr + ASYNC_HEADER_BYTES, true);
        view.setUint32(dataPtr + 4, dataPtr + ASYNC_HEADER_BYTES + ASYNC_STACK_BYTES, true);
        this.#async.asyncify_start_unwind(dataPtr);
        this.#asyncState = AsyncState.Unwinding;
        return 0;
      }
      this.#in = answer;
      this.#inPos = 0;
    }
    // The handler may have grown the heap (it never runs Lua, but be safe): views after it.
    const heap = this.#heapBytes();
    const view = this.#heapView;
    const input = this.#in;
    let read = 0;
    for (let i = 0; i < iovCount && this.#inPos < input.length; i++) {
      const ptr = view.getUint32(iov + i * IOVEC_SIZE_BYTES, true);
      const len = view.getUint32(iov + i * IOVEC_SIZE_BYTES + IOVEC_LEN_OFFSET, true);
      const count = Math.min(len, input.length - this.#inPos);
      if (count <= SMALL_COPY_MAX_BYTES) {
        for (let j = 0; j < count; j++) heap[ptr + j] = input[this.#inPos + j];
      } else {
        heap.set(input.subarray(this.#inPos, this.#inPos + count), ptr);
      }
      this.#inPos += count;
      read += count;
    }
    view.setUint32(numPtr, read, true);
    return 0;
  }

  #reserveOut(extra: number): void {
    if (this.#outLen + extra <= this.#out.length) return;
    let size = this.#out.length * 2;
    while (size < this.#outLen + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#out.subarray(0, this.#outLen));
    this.#out = grown;
  }
}
