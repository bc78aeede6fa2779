// The engine's ABI on the host side: every number that crosses the WASM boundary — status
// codes, value type tags, flag bits, selector codes, and the byte offsets of the result cells —
// with the same names and values as wasm/assembly/abi.ts, its engine-side twin.
//
// The two files are kept equal by tests/engine_abi_test.ts, which reads the engine's file as
// text and compares every constant with this module's exports, so a change on one side fails
// until the other follows. Only those constants live here; what they mean to callers (typed
// errors, enums such as ValueType, option names) is built on them in engine.ts and the
// per-type modules beside it.
//
// Cell offsets are bytes from the start of their cells, as the engine writes them; the host
// reads u32 cells, at word index offset / 4.
//
// @example
// ```ts
// import { STATUS_MISSING, TYPE_HASH } from "./abi.ts";
// console.assert(STATUS_MISSING === -1 && TYPE_HASH === 4);
// ```

// ── Status codes: negative returns of exports ───────────────────────────────────────────

/** The key (or, where a contract says so, the field or member) does not exist. */
export const STATUS_MISSING = -1;
/** The key holds another type than the command works on. */
export const STATUS_WRONGTYPE = -2;
/** An allocation failed; the export changed nothing. */
export const STATUS_OOM = -3;
/** zsetAdd with ZADD_INCR: the resulting score would be NaN; nothing changed. */
export const STATUS_NAN = -4;
/** listInsert: the pivot element is not in the list (Redis replies -1). */
export const LIST_PIVOT_MISSING = -4;
/** The RESULT_COL_STATUS cell after a colOpen* call that found (or made) its entry. */
export const COL_OK = 0;

// ── Keyspace ────────────────────────────────────────────────────────────────────────────

/** Logical databases (SELECT 0..15). */
export const DB_COUNT = 16;
/** Database records the engine holds: DB_COUNT logical, then DB_COUNT staging (wasm abi.ts). */
export const DB_SLOT_COUNT = 32;
/** Staging database of logical database db: STAGING_DB_BASE + db. */
export const STAGING_DB_BASE = 16;

/** Value type tags, stored in every entry and returned by typeOf. */
export const TYPE_STRING = 0;
export const TYPE_LIST = 1;
export const TYPE_SET = 2;
export const TYPE_ZSET = 3;
export const TYPE_HASH = 4;
/**
 * A stream: the entry's value words hold a host handle, not engine memory (stream.ts); the
 * host keeps the stream itself (core/engine/stream.ts).
 */
export const TYPE_STREAM = 5;

// ── Result cells (byte offsets) ─────────────────────────────────────────────────────────

export const RESULT_PTR = 0;
export const RESULT_LEN = 4;
export const RESULT_CURSOR = 8;
/** The staging region's address (moves when reserveStaging grows it). */
export const RESULT_STAGING = 12;
/** Bytes waiting in the expired log, so the host checks it without a call. */
export const RESULT_EXPIRED_LOG_LEN = 16;
/** Collection replies: the out buffer's address and filled length. */
export const RESULT_OUT_PTR = 20;
export const RESULT_OUT_LEN = 24;
/** Status of the last colOpen* call (COL_OK or a STATUS_*). */
export const RESULT_COL_STATUS = 28;
export const RESULT_CELLS_SIZE_BYTES = 32;

// ── setString flags ─────────────────────────────────────────────────────────────────────

export const SET_NX = 1;
export const SET_XX = 2;
export const SET_KEEPTTL = 4;
/**
 * Bits 8..9 of setString's flags carry the entry's encoding hint (kept in the entry's flags
 * byte, returned by encodingHint): Redis reports it in OBJECT ENCODING.
 */
export const SET_ENCODING_SHIFT = 8;
export const ENCODING_HINT_MASK = 3;
/** Built in place (APPEND, SETRANGE): OBJECT ENCODING says "raw". */
export const ENCODING_HINT_RAW = 1;
/** INCRBYFLOAT's text: never "int". */
export const ENCODING_HINT_NOT_INT = 2;

// ── maxmemory ───────────────────────────────────────────────────────────────────────────

/** setAccessMode: what an entry's access stamp records. */
export const ACCESS_MODE_LRU = 0;
export const ACCESS_MODE_LFU = 1;
/** setLazyFreeModes bits: which server-side deletions go through the lazy-free queue. */
export const LAZYFREE_MODE_EXPIRE = 1;
export const LAZYFREE_MODE_SERVER_DEL = 2;
/** evictionCandidate policy codes (noeviction never asks). */
export const EVICT_NOEVICTION = 0;
export const EVICT_ALLKEYS_LRU = 1;
export const EVICT_ALLKEYS_LFU = 2;
export const EVICT_ALLKEYS_RANDOM = 3;
export const EVICT_VOLATILE_LRU = 4;
export const EVICT_VOLATILE_LFU = 5;
export const EVICT_VOLATILE_RANDOM = 6;
export const EVICT_VOLATILE_TTL = 7;

// ── Hashes ──────────────────────────────────────────────────────────────────────────────

/** hashSetFields flag: set only a field that does not exist (HSETNX). */
export const HASH_SET_NX = 1;
/** hashReadAll selectors. */
export const HASH_READ_FIELDS = 1;
export const HASH_READ_VALUES = 2;
export const HASH_READ_PAIRS = 3;
/** hashEncodingOf results. */
export const HASH_ENCODING_LISTPACK = 1;
export const HASH_ENCODING_HASHTABLE = 2;
/** The hash module's cells (byte offsets from hashCellsPtr). */
export const HASH_CELL_VALUE_PTR = 0;
export const HASH_CELL_CURSOR = 4;

// ── Sets ────────────────────────────────────────────────────────────────────────────────

/** Encoding tags (setEncodingOf; a set entry's valueLen). */
export const SET_ENC_INT16 = 1;
export const SET_ENC_INT32 = 2;
export const SET_ENC_INT64 = 3;
export const SET_ENC_PACKED = 4;
export const SET_ENC_TABLE = 5;
/** setOp operations. */
export const SET_OP_INTER = 0;
export const SET_OP_UNION = 1;
export const SET_OP_DIFF = 2;
export const SET_OP_INTERCARD = 3;

// ── Sorted sets ─────────────────────────────────────────────────────────────────────────

/** zsetAdd flags. */
export const ZADD_NX = 1;
export const ZADD_XX = 2;
export const ZADD_GT = 4;
export const ZADD_LT = 8;
export const ZADD_INCR = 16;
export const ZADD_CH = 32;
/** zsetRange operations. */
export const ZSET_OP_EMIT = 0;
export const ZSET_OP_COUNT = 1;
export const ZSET_OP_DELETE = 2;
/** zsetRange bound kinds. */
export const ZSET_KIND_RANK = 0;
export const ZSET_KIND_SCORE = 1;
export const ZSET_KIND_LEX = 2;
/** zsetRange flags. */
export const RANGE_REV = 1;
export const RANGE_WITHSCORES = 2;
export const RANGE_MINEX = 4;
export const RANGE_MAXEX = 8;
/** Lex bound kinds: the first byte of a staged ZRANGEBYLEX bound. */
export const LEX_INCLUSIVE = 0;
export const LEX_EXCLUSIVE = 1;
export const LEX_MIN = 2;
export const LEX_MAX = 3;
/** zsetEncodingOf results. */
export const ZSET_ENCODING_LISTPACK = 0;
export const ZSET_ENCODING_SKIPLIST = 1;

// ── Snapshots ───────────────────────────────────────────────────────────────────────────

/** Snapshot slots: BGSAVE's walk, and a save that ends before the event loop turns. */
export const SNAPSHOT_SLOT_BACKGROUND = 0;
export const SNAPSHOT_SLOT_SYNCHRONOUS = 1;
export const SNAPSHOT_SLOT_COUNT = 2;
/** snapshotClaim results. */
export const SNAPSHOT_CLAIM_NOTHING = 0;
export const SNAPSHOT_CLAIM_ENCODED = 1;
export const SNAPSHOT_CLAIM_HOST = 2;
/** The snapshot module's cells (byte offsets from snapshotCellsPtr). */
export const SNAPSHOT_CELL_CURSOR = 0;
export const SNAPSHOT_CELL_OUT_PTR = 4;
export const SNAPSHOT_CELL_OUT_LEN = 8;
export const SNAPSHOT_CELL_DEFERRED_PTR = 12;
export const SNAPSHOT_CELL_DEFERRED_COUNT = 16;
export const SNAPSHOT_CELL_KEYS_WRITTEN = 20;
/** The snapshot loader's cells (byte offsets from snapshotLoadCellsPtr). */
export const SNAPSHOT_LOAD_CELL_KEYS_LOADED = 0;
export const SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED = 4;
export const SNAPSHOT_LOAD_CELL_CONSUMED = 8;

// ── Request pipeline (pipeline.ts runPipeline) ──────────────────────────────────────────

/** runPipeline flags: answer a missing key as RESP3's null, and let write commands run. */
export const PIPELINE_RESP3 = 1;
export const PIPELINE_WRITES = 2;
/** The commands the pipeline runs, by id (their calls are counted per id). */
export const PIPELINE_CMD_GET = 0;
export const PIPELINE_CMD_SET = 1;
export const PIPELINE_CMD_LPUSH = 2;
export const PIPELINE_CMD_RPUSH = 3;
export const PIPELINE_CMD_LPOP = 4;
export const PIPELINE_CMD_RPOP = 5;
export const PIPELINE_CMD_SADD = 6;
export const PIPELINE_CMD_HSET = 7;
export const PIPELINE_CMD_INCR = 8;
export const PIPELINE_CMD_DECR = 9;
export const PIPELINE_CMD_LRANGE = 10;
export const PIPELINE_CMD_ZADD = 11;
export const PIPELINE_CMD_COUNT = 12;
/** The pipeline's cells (u32 each, byte offsets from pipelineCellsPtr). */
export const PIPELINE_CELL_OUT_PTR = 0;
export const PIPELINE_CELL_OUT_LEN = 4;
export const PIPELINE_CELL_HITS = 8;
export const PIPELINE_CELL_MISSES = 12;
export const PIPELINE_CELL_DIRTY = 16;
export const PIPELINE_CELL_LAST_COMMAND = 20;
/** PIPELINE_CMD_COUNT u32 call counts, one per command id, from this offset. */
export const PIPELINE_CELL_CALLS = 24;
