// The keyspace engine: a WebAssembly hash table of binary keys and values across 16
// databases with TTLs, incremental rehashing and page-based memory (wasm/assembly/), and
// the TypeScript class that drives it over a numeric boundary (engine.ts). Every number the
// two sides share (status codes, type tags, flags, cell offsets) is in abi.ts, the twin of
// wasm/assembly/abi.ts.
//
// @example
// ```ts
// import { Engine } from "./mod.ts";
// const engine = Engine.create();
// console.assert(engine.dbSize(0) === 0);
// ```

export {
  DB_COUNT,
  ENCODING_HINT_NOT_INT,
  ENCODING_HINT_RAW,
  Engine,
  EngineInvariantError,
  OutOfMemoryError,
  SET_ENCODING_NOT_INT,
  SET_ENCODING_RAW,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  ValueType,
  WrongTypeError,
} from "./engine.ts";
export type {
  EncodingLimits,
  EngineInternals,
  EngineOptions,
  ExpiredKey,
  ScanPage,
} from "./engine.ts";
