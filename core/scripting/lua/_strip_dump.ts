// Drops the line numbers and local-variable records from a Lua 5.1 binary chunk (string.dump's
// output), as luac -s does; upvalue names are kept (Lua names a function in "bad argument … to
// 'name'" from them).
//
// Why: the prelude is compiled once and stays resident for the engine's life, and its debug
// records are a large share of INFO used_memory_lua (4 bytes of line number per instruction, 12
// bytes per local). Nothing reads them: the error handler skips the prelude's frames by source,
// and the source name stays. An error raised inside the prelude no longer names a prelude line
// (no position, or "resplica:0:"), which scripts were never meant to see anyway.
//
// Layout (ldump.c, Lua 5.1; ints and size_t of the sizes the header states, little-endian):
//
//   header   "\x1bLua" 0x51 format endian int size_t Instruction lua_Number integral  (12 bytes)
//   function source:string  linedefined:int  lastlinedefined:int
//            nups numparams is_vararg maxstacksize  (one byte each)
//            code:     int n, n Instructions
//            constants:int n, n × (type byte, then nothing | byte | lua_Number | string)
//            protos:   int n, n functions (recursively)
//            lineinfo: int n, n ints                           ← written as n = 0
//            locvars:  int n, n × (string, int, int)           ← written as n = 0
//            upvalues: int n, n strings
//   string   size_t size (0 for none, else length + 1), then size bytes (a NUL last)

const HEADER_SIZE_BYTES = 12;
const HEADER_SIGNATURE = [0x1b, 0x4c, 0x75, 0x61, 0x51]; // "\x1bLua", version 5.1
const HEADER_ENDIAN_OFFSET = 6;
const HEADER_INT_SIZE_OFFSET = 7;
const HEADER_SIZE_T_SIZE_OFFSET = 8;
const HEADER_INSTRUCTION_SIZE_OFFSET = 9;
const HEADER_NUMBER_SIZE_OFFSET = 10;
/** The only sizes this reader handles: the WebAssembly build's (wasm32, double numbers). */
const INT_SIZE_BYTES = 4;
const NUMBER_SIZE_BYTES = 8;

const LUA_TNIL = 0;
const LUA_TBOOLEAN = 1;
const LUA_TNUMBER = 3;
const LUA_TSTRING = 4;

/** Most nested function levels followed (the parser itself stops at LUAI_MAXCCALLS = 200). */
const NESTING_MAX = 200;

/**
 * Returns `dump` (a Lua 5.1 binary chunk) without line info and local-variable records.
 * Throws a RangeError for a chunk that is not a 5.1 dump of the expected sizes, or is cut short.
 *
 * @example
 * ```ts
 * import { stripDump } from "./_strip_dump.ts";
 * // dump: the bytes string.dump(f) returned
 * // const smaller = stripDump(dump);
 * ```
 */
export function stripDump(dump: Uint8Array): Uint8Array {
  if (dump.length < HEADER_SIZE_BYTES) throw new RangeError("lua dump: header cut short");
  HEADER_SIGNATURE.forEach((byte, i) => {
    if (dump[i] !== byte) throw new RangeError("lua dump: not a Lua 5.1 chunk");
  });
  if (
    dump[HEADER_ENDIAN_OFFSET] !== 1 ||
    dump[HEADER_INT_SIZE_OFFSET] !== INT_SIZE_BYTES ||
    dump[HEADER_SIZE_T_SIZE_OFFSET] !== INT_SIZE_BYTES ||
    dump[HEADER_INSTRUCTION_SIZE_OFFSET] !== INT_SIZE_BYTES ||
    dump[HEADER_NUMBER_SIZE_OFFSET] !== NUMBER_SIZE_BYTES
  ) {
    throw new RangeError("lua dump: sizes other than wasm32's");
  }
  const view = new DataView(dump.buffer, dump.byteOffset, dump.byteLength);
  const out = new Uint8Array(dump.length);
  out.set(dump.subarray(0, HEADER_SIZE_BYTES));
  let readPos = HEADER_SIZE_BYTES;
  let writePos = HEADER_SIZE_BYTES;

  const need = (count: number): void => {
    if (readPos + count > dump.length) throw new RangeError("lua dump: cut short");
  };
  const readInt = (): number => {
    need(INT_SIZE_BYTES);
    const value = view.getInt32(readPos, true);
    readPos += INT_SIZE_BYTES;
    if (value < 0) throw new RangeError("lua dump: negative count");
    return value;
  };
  const copy = (count: number): void => {
    need(count);
    out.set(dump.subarray(readPos, readPos + count), writePos);
    readPos += count;
    writePos += count;
  };
  const copyString = (): void => {
    const size = readInt();
    readPos -= INT_SIZE_BYTES;
    copy(INT_SIZE_BYTES + size);
  };
  const skipString = (): void => {
    const size = readInt();
    need(size);
    readPos += size;
  };
  const writeZero = (): void => {
    out.fill(0, writePos, writePos + INT_SIZE_BYTES);
    writePos += INT_SIZE_BYTES;
  };

  const copyFunction = (depth: number): void => {
    if (depth > NESTING_MAX) throw new RangeError("lua dump: functions nested too deep");
    copyString(); // source
    copy(2 * INT_SIZE_BYTES + 4); // linedefined, lastlinedefined, four one-byte fields
    const codeCount = readInt();
    readPos -= INT_SIZE_BYTES;
    copy(INT_SIZE_BYTES + codeCount * INT_SIZE_BYTES);
    const constantCount = readInt();
    readPos -= INT_SIZE_BYTES;
    copy(INT_SIZE_BYTES);
    for (let i = 0; i < constantCount; i++) {
      need(1);
      const type = dump[readPos];
      copy(1);
      if (type === LUA_TBOOLEAN) copy(1);
      else if (type === LUA_TNUMBER) copy(NUMBER_SIZE_BYTES);
      else if (type === LUA_TSTRING) copyString();
      else if (type !== LUA_TNIL) throw new RangeError("lua dump: bad constant type");
    }
    const protoCount = readInt();
    readPos -= INT_SIZE_BYTES;
    copy(INT_SIZE_BYTES);
    for (let i = 0; i < protoCount; i++) copyFunction(depth + 1);
    const lineCount = readInt();
    need(lineCount * INT_SIZE_BYTES);
    readPos += lineCount * INT_SIZE_BYTES;
    writeZero();
    const localCount = readInt();
    for (let i = 0; i < localCount; i++) {
      skipString();
      need(2 * INT_SIZE_BYTES);
      readPos += 2 * INT_SIZE_BYTES;
    }
    writeZero();
    const upvalueCount = readInt();
    readPos -= INT_SIZE_BYTES;
    copy(INT_SIZE_BYTES);
    for (let i = 0; i < upvalueCount; i++) copyString();
  };

  copyFunction(0);
  if (readPos !== dump.length) throw new RangeError("lua dump: bytes after the chunk");
  return out.slice(0, writePos);
}
