// The parts of Redis's Lua libraries computed in TypeScript and reached from Lua over the channel:
// `bit` (LuaBitOp 1.0.2), `struct` (struct 0.2), Redis's rand48 behind math.random, and SHA-1 for
// redis.sha1hex. They are here because Lua 5.1 has no bit operations and no byte-level number
// encodings, so a host call (one channel round trip) is both simpler and faster than pure Lua.

import { createHash } from "node:crypto";

// ---------------------------------------------------------------- bit

const bitView = new DataView(new ArrayBuffer(8));

/** LuaBitOp's argument normalisation: the low 32 bits of `n + 2^52 + 2^51` (round to nearest). */
export function bitArg(n: number): number {
  bitView.setFloat64(0, n + 6755399441055744.0, true);
  return bitView.getUint32(0, true);
}

/** Runs one `bit.<name>` function on numeric arguments; returns a number or the tohex string. */
export function bitOp(name: string, args: number[]): number | string {
  const b = args.length > 0 ? bitArg(args[0]) : 0;
  const n = args.length > 1 ? bitArg(args[1]) & 31 : 0;
  switch (name) {
    case "tobit":
      return b | 0;
    case "bnot":
      return ~b;
    case "band":
      return args.reduce((acc, v) => acc & bitArg(v), 0xffffffff) | 0;
    case "bor":
      return args.reduce((acc, v) => acc | bitArg(v), 0) | 0;
    case "bxor":
      return args.reduce((acc, v) => acc ^ bitArg(v), 0) | 0;
    case "lshift":
      return b << n;
    case "rshift":
      return (b >>> n) | 0;
    case "arshift":
      return (b | 0) >> n;
    case "rol":
      return (b << n) | (b >>> (32 - n));
    case "ror":
      return (b >>> n) | (b << (32 - n));
    case "bswap":
      return ((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0;
    case "tohex": {
      let digits = bitArg(args[1]) | 0;
      let hex = "0123456789abcdef";
      if (digits < 0) {
        digits = -digits;
        hex = "0123456789ABCDEF";
      }
      if (digits > 8) digits = 8;
      let out = "";
      let v = b;
      for (let i = 0; i < digits; i++) {
        out = hex[v & 15] + out;
        v >>>= 4;
      }
      return out;
    }
  }
  throw new Error(`bit.${name}: unknown function`);
}

// ---------------------------------------------------------------- struct

/** A value crossing to or from a struct call: nil, a number, a string or a boolean. */
export type LuaScalar = null | number | Uint8Array | boolean;

/** Raised for errors Lua should see verbatim (luaL_error texts). */
export class LuaLibError extends Error {}

const STRUCT_MAX_INT_SIZE = 32;
const STRUCT_NATIVE_ALIGN = 8;

interface StructHeader {
  littleEndian: boolean;
  align: number;
}

interface StructItem {
  option: string;
  size: number;
}

/** Reads the next option of a struct format, updating the header for '<', '>', '=', '!'. */
function* structItems(format: string, header: StructHeader): Generator<StructItem> {
  let i = 0;
  const number = (fallback: number): number => {
    if (i >= format.length || format[i] < "0" || format[i] > "9") return fallback;
    let value = 0;
    while (i < format.length && format[i] >= "0" && format[i] <= "9") {
      value = value * 10 + (format.charCodeAt(i) - 48);
      i++;
    }
    return value;
  };
  while (i < format.length) {
    const option = format[i++];
    switch (option) {
      case "b":
      case "B":
      case "x":
        yield { option, size: 1 };
        break;
      case "h":
      case "H":
        yield { option, size: 2 };
        break;
      case "l":
      case "L":
      case "T":
      case "d":
        yield { option, size: 8 };
        break;
      case "f":
        yield { option, size: 4 };
        break;
      case "i":
      case "I": {
        const size = number(4);
        if (size > STRUCT_MAX_INT_SIZE) {
          throw new LuaLibError(
            `integral size ${size} is larger than limit of ${STRUCT_MAX_INT_SIZE}`,
          );
        }
        yield { option, size };
        break;
      }
      case "c":
        yield { option, size: number(1) };
        break;
      case "s":
        yield { option, size: 0 };
        break;
      case " ":
        break;
      case "<":
        header.littleEndian = true;
        break;
      case ">":
        header.littleEndian = false;
        break;
      case "=":
        header.littleEndian = true;
        break;
      case "!": {
        const align = number(STRUCT_NATIVE_ALIGN);
        if ((align & (align - 1)) !== 0) throw new LuaLibError("alignment must be power of 2");
        header.align = align;
        break;
      }
      default:
        throw new LuaLibError(`invalid format option '${option}'`);
    }
  }
}

function structPadding(length: number, header: StructHeader, item: StructItem): number {
  if (item.size === 0 || item.option === "c") return 0;
  const size = Math.min(item.size, header.align);
  if ((size & (size - 1)) !== 0) throw new LuaLibError("alignment must be power of 2");
  return (size - (length & (size - 1))) & (size - 1);
}

function integerBytes(value: number, size: number, littleEndian: boolean): Uint8Array {
  const truncated = Number.isFinite(value) ? BigInt(Math.trunc(value)) : 0n;
  let bits = BigInt.asUintN(64, truncated);
  const negative = truncated < 0n;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const byte = i < 8 ? Number(bits & 0xffn) : (negative ? 0xff : 0);
    bits >>= 8n;
    bytes[littleEndian ? i : size - 1 - i] = byte;
  }
  return bytes;
}

function argError(index: number, fname: string, message: string): LuaLibError {
  return new LuaLibError(`bad argument #${index} to '${fname}' (${message})`);
}

function typeName(value: LuaScalar | undefined): string {
  if (value === undefined) return "no value";
  if (value === null) return "nil";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  return "string";
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

function checkNumber(args: LuaScalar[], index: number, fname: string): number {
  const value = args[index];
  if (typeof value === "number") return value;
  if (value instanceof Uint8Array) {
    const parsed = Number(textDecoder.decode(value).trim());
    if (!Number.isNaN(parsed)) return parsed;
  }
  throw argError(index + 1, fname, `number expected, got ${typeName(value)}`);
}

function checkString(args: LuaScalar[], index: number, fname: string): Uint8Array {
  const value = args[index];
  if (value instanceof Uint8Array) return value;
  if (typeof value === "number") return textEncoder.encode(String(value));
  throw argError(index + 1, fname, `string expected, got ${typeName(value)}`);
}

/** struct.pack(fmt, ...) */
export function structPack(args: LuaScalar[]): LuaScalar[] {
  const format = textDecoder.decode(checkString(args, 0, "pack"));
  const header: StructHeader = { littleEndian: true, align: 1 };
  const parts: Uint8Array[] = [];
  let length = 0;
  let argIndex = 1;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    length += bytes.length;
  };
  for (const item of structItems(format, header)) {
    const padding = structPadding(length, header, item);
    if (padding > 0) push(new Uint8Array(padding));
    switch (item.option) {
      case "x":
        push(new Uint8Array(1));
        break;
      case "f":
      case "d": {
        const value = checkNumber(args, argIndex++, "pack");
        const view = new DataView(new ArrayBuffer(item.size));
        if (item.size === 4) view.setFloat32(0, value, header.littleEndian);
        else view.setFloat64(0, value, header.littleEndian);
        push(new Uint8Array(view.buffer));
        break;
      }
      case "c": {
        const value = checkString(args, argIndex++, "pack");
        const size = item.size === 0 ? value.length : item.size;
        if (value.length < size) throw argError(argIndex, "pack", "string too short");
        push(value.slice(0, size));
        break;
      }
      case "s": {
        const value = checkString(args, argIndex++, "pack");
        const withNul = new Uint8Array(value.length + 1);
        withNul.set(value);
        push(withNul);
        break;
      }
      default:
        push(
          integerBytes(checkNumber(args, argIndex++, "pack"), item.size, header.littleEndian),
        );
    }
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return [out];
}

/** struct.unpack(fmt, data [, init]): the values, then the next position (1-based). */
export function structUnpack(args: LuaScalar[]): LuaScalar[] {
  const format = textDecoder.decode(checkString(args, 0, "unpack"));
  const data = checkString(args, 1, "unpack");
  let pos = args.length > 2 && args[2] !== null ? checkNumber(args, 2, "unpack") - 1 : 0;
  if (pos < 0) throw argError(3, "unpack", "offset must be 1 or greater");
  const header: StructHeader = { littleEndian: true, align: 1 };
  const results: LuaScalar[] = [];
  const need = (size: number) => {
    if (pos + size > data.length) throw argError(2, "unpack", "data string too short");
  };
  for (const item of structItems(format, header)) {
    pos += structPadding(pos, header, item);
    switch (item.option) {
      case "x":
        need(1);
        pos += 1;
        break;
      case "f":
      case "d": {
        need(item.size);
        const view = new DataView(data.buffer, data.byteOffset + pos, item.size);
        results.push(
          item.size === 4
            ? view.getFloat32(0, header.littleEndian)
            : view.getFloat64(0, header.littleEndian),
        );
        pos += item.size;
        break;
      }
      case "c": {
        let size = item.size;
        if (size === 0) {
          const previous = results.pop();
          if (typeof previous !== "number") {
            throw new LuaLibError("format 'c0' needs a previous size");
          }
          size = Math.trunc(previous);
        }
        need(size);
        results.push(data.slice(pos, pos + size));
        pos += size;
        break;
      }
      case "s": {
        const end = data.indexOf(0, pos);
        if (end < 0) throw new LuaLibError("unfinished string in data");
        results.push(data.slice(pos, end));
        pos = end + 1;
        break;
      }
      default: {
        need(item.size);
        let value = 0n;
        for (let i = 0; i < item.size; i++) {
          const byte = data[header.littleEndian ? pos + item.size - 1 - i : pos + i];
          value = (value << 8n) | BigInt(byte);
        }
        const signed = item.option === item.option.toLowerCase();
        const bits = Math.min(item.size * 8, 64);
        value = BigInt.asUintN(bits, value);
        if (signed) value = BigInt.asIntN(bits, value);
        results.push(Number(value));
        pos += item.size;
      }
    }
  }
  results.push(pos + 1);
  return results;
}

/** struct.size(fmt) */
export function structSize(args: LuaScalar[]): LuaScalar[] {
  const format = textDecoder.decode(checkString(args, 0, "size"));
  const header: StructHeader = { littleEndian: true, align: 1 };
  let length = 0;
  for (const item of structItems(format, header)) {
    if (item.option === "s" || (item.option === "c" && item.size === 0)) {
      throw argError(1, "size", "options 'c0' - 's' are not allowed in a fixed-size format");
    }
    length += structPadding(length, header, item) + item.size;
  }
  return [length];
}

// ---------------------------------------------------------------- rand48 and sha1

const RAND48_MASK = (1n << 48n) - 1n;
const RAND48_A = 0x5DEECE66Dn;
const RAND48_C = 0xBn;
const RAND48_SEED_LOW = 0x330En;
/** REDIS_LRAND48_MAX: INT32_MAX. */
export const LRAND48_MAX = 2147483647;

/** Redis's rand48 (rand.c): the same sequence on every platform. */
export class Rand48 {
  #state = 0x1234ABCD330En;

  /** redisSrand48 */
  seed(seedValue: number): void {
    const seed32 = BigInt.asUintN(32, BigInt(Math.trunc(seedValue)));
    this.#state = (seed32 << 16n) | RAND48_SEED_LOW;
  }

  /** redisLrand48 % REDIS_LRAND48_MAX, the integer math.random divides by LRAND48_MAX. */
  next(): number {
    this.#state = (RAND48_A * this.#state + RAND48_C) & RAND48_MASK;
    return Number(this.#state >> 17n) % LRAND48_MAX;
  }
}

/** redis.sha1hex */
export function sha1Hex(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}
