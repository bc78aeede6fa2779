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
// The Emscripten glue is loaded as the package ships it, with three overrides: `locateFile`
// (to learn where the .wasm lies), `instantiateWasm` (to wrap fd_read, fd_write and the heap
// growth import before instantiating) and the removal of the process-wide listeners the glue
// installs under Node compatibility (it would turn any unhandled rejection into an abort).

import process from "node:process";
import glue from "lua-wasm/dist/glue/glue-lua-5.1.5.js";

const STDIN_FD = 0;
const STDOUT_FD = 1;
const GLUE_EVENTS = ["uncaughtException", "unhandledRejection"];
/** Up to this many bytes an iovec is copied with a loop rather than subarray + set. */
const SMALL_COPY_MAX_BYTES = 64;
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

/** Called when Lua reads stdin with nothing queued: `request` is everything Lua wrote since. */
export type RequestHandler = (request: Uint8Array) => Uint8Array;

/** One WebAssembly instance holding one Lua state's memory, and its byte channel. */
export class WasmLua {
  readonly api: LuaCApi;
  readonly #memory: WebAssembly.Memory;
  #out: Uint8Array = new Uint8Array(4096);
  #outLen = 0;
  #in: Uint8Array = new Uint8Array(0);
  #inPos = 0;
  #onRequest: RequestHandler = () => new Uint8Array(0);
  #scratchPtr: number;
  /** Views of the heap; a heap growth detaches them (byteLength 0), see #heapBytes. */
  #heap: Uint8Array;
  #heapView: DataView;

  private constructor(api: LuaCApi, memory: WebAssembly.Memory) {
    this.api = api;
    this.#memory = memory;
    this.#heap = new Uint8Array(memory.buffer);
    this.#heapView = new DataView(memory.buffer);
    this.#scratchPtr = api.malloc(16);
  }

  /** Instantiates the build with the heap limited to `heapMaxBytes`. */
  static async load(heapMaxBytes: number): Promise<WasmLua> {
    let wasmPath = "";
    let memory: WebAssembly.Memory | undefined;
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
        const compiled = new WebAssembly.Module(Deno.readFileSync(wasmPath));
        const instance = new WebAssembly.Instance(compiled, imports);
        for (const value of Object.values(instance.exports)) {
          if (value instanceof WebAssembly.Memory) memory = value;
        }
        receive(instance, compiled);
        return instance.exports;
      },
    });
    await module.ready;
    GLUE_EVENTS.forEach((event, index) => {
      for (const listener of processEvents.listeners(event)) {
        if (!listenersBefore[index].includes(listener)) {
          processEvents.removeListener(event, listener);
        }
      }
    });
    if (memory === undefined) throw new Error("lua wasm: no memory export");
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
    channel.current = new WasmLua(api, memory);
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
    if (this.#inPos >= this.#in.length) {
      const request = this.#out.subarray(0, this.#outLen);
      this.#outLen = 0;
      this.#in = this.#onRequest(request);
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
