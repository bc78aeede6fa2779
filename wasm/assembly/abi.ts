// abi.ts — every number that crosses the WASM boundary: status codes, value type tags, flag
// bits, selector codes and the byte offsets of the result cells the host reads.
//
// The host's copy is core/engine/abi.ts, with the same names and values; tests/engine_abi_test.ts
// reads this file as text and fails when the two disagree. So this file holds only lines of the
// form `export const NAME: type = value;` with a literal value (no expressions, no imports, no
// functions): what the test can parse is exactly what the engine and the host share. Constants
// the host never sees (layouts, limits, tunables) stay in the module that uses them.
//
// Result cells (static, u32 each; RESULT_* are byte offsets, the host reads word offset / 4):
//
//   ┌─────────┬─────────┬──────────┬──────────┬────────────────┬──────────┬──────────┬───────────┐
//   │ 0 ptr   │ 4 len   │ 8 cursor │12 staging│16 expiredLogLen│20 outPtr │24 outLen │28 colStatus│
//   └─────────┴─────────┴──────────┴──────────┴────────────────┴──────────┴──────────┴───────────┘

// ── Status codes: negative returns of exports ───────────────────────────────────────────

/** The key (or, where a contract says so, the field or member) does not exist. */
export const STATUS_MISSING: i32 = -1;
/** The key holds another type than the command works on. */
export const STATUS_WRONGTYPE: i32 = -2;
/** An allocation failed; the export changed nothing. */
export const STATUS_OOM: i32 = -3;
/** zsetAdd with ZADD_INCR: the resulting score would be NaN; nothing changed. */
export const STATUS_NAN: i32 = -4;
/** listInsert: the pivot element is not in the list (Redis replies -1). */
export const LIST_PIVOT_MISSING: i32 = -4;
/** The RESULT_COL_STATUS cell after a colOpen* call that found (or made) its entry. */
export const COL_OK: i32 = 0;

// ── Keyspace ────────────────────────────────────────────────────────────────────────────

/** Logical databases (SELECT 0..15). */
export const DB_COUNT: u32 = 16;
/**
 * Database records the engine holds: the DB_COUNT logical ones, then DB_COUNT staging ones
 * (STAGING_DB_BASE + db) that no command reaches. A replica with repl-diskless-load swapdb
 * loads its master's snapshot there while clients read the old data, then swaps each pair
 * (core/network/master_link.ts). Expiry, eviction and snapshots never visit them.
 */
export const DB_SLOT_COUNT: u32 = 32;
export const STAGING_DB_BASE: u32 = 16;

/** Value type tags, stored in every entry and returned by typeOf. */
export const TYPE_STRING: u8 = 0;
export const TYPE_LIST: u8 = 1;
export const TYPE_SET: u8 = 2;
export const TYPE_ZSET: u8 = 3;
export const TYPE_HASH: u8 = 4;
/**
 * A stream: the entry's value words hold a host handle, not engine memory (stream.ts); the
 * host keeps the stream itself (core/engine/stream.ts).
 */
export const TYPE_STREAM: u8 = 5;

// ── Result cells (byte offsets) ─────────────────────────────────────────────────────────

export const RESULT_PTR: usize = 0;
export const RESULT_LEN: usize = 4;
export const RESULT_CURSOR: usize = 8;
/** The staging region's address (moves when reserveStaging grows it). */
export const RESULT_STAGING: usize = 12;
/** Bytes waiting in the expired log, so the host checks it without a call. */
export const RESULT_EXPIRED_LOG_LEN: usize = 16;
/** Collection replies: the out buffer's address and filled length. */
export const RESULT_OUT_PTR: usize = 20;
export const RESULT_OUT_LEN: usize = 24;
/** Status of the last colOpen* call (COL_OK or a STATUS_*). */
export const RESULT_COL_STATUS: usize = 28;
export const RESULT_CELLS_SIZE_BYTES: usize = 32;

// ── setString flags ─────────────────────────────────────────────────────────────────────

export const SET_NX: u32 = 1;
export const SET_XX: u32 = 2;
export const SET_KEEPTTL: u32 = 4;
/**
 * Bits 8..9 of setString's flags carry the entry's encoding hint (kept in the entry's flags
 * byte, returned by encodingHint): Redis reports it in OBJECT ENCODING.
 */
export const SET_ENCODING_SHIFT: u32 = 8;
export const ENCODING_HINT_MASK: u32 = 3;
/** Built in place (APPEND, SETRANGE): OBJECT ENCODING says "raw". */
export const ENCODING_HINT_RAW: u8 = 1;
/** INCRBYFLOAT's text: never "int". */
export const ENCODING_HINT_NOT_INT: u8 = 2;

// ── maxmemory ───────────────────────────────────────────────────────────────────────────

/** setAccessMode: what an entry's access stamp records. */
export const ACCESS_MODE_LRU: u32 = 0;
export const ACCESS_MODE_LFU: u32 = 1;
/** setLazyFreeModes bits: which server-side deletions go through the lazy-free queue. */
export const LAZYFREE_MODE_EXPIRE: u32 = 1;
export const LAZYFREE_MODE_SERVER_DEL: u32 = 2;
/** evictionCandidate policy codes (noeviction never asks). */
export const EVICT_NOEVICTION: u32 = 0;
export const EVICT_ALLKEYS_LRU: u32 = 1;
export const EVICT_ALLKEYS_LFU: u32 = 2;
export const EVICT_ALLKEYS_RANDOM: u32 = 3;
export const EVICT_VOLATILE_LRU: u32 = 4;
export const EVICT_VOLATILE_LFU: u32 = 5;
export const EVICT_VOLATILE_RANDOM: u32 = 6;
export const EVICT_VOLATILE_TTL: u32 = 7;

// ── Hashes ──────────────────────────────────────────────────────────────────────────────

/** hashSetFields flag: set only a field that does not exist (HSETNX). */
export const HASH_SET_NX: u32 = 1;
/** hashReadAll selectors. */
export const HASH_READ_FIELDS: u32 = 1;
export const HASH_READ_VALUES: u32 = 2;
export const HASH_READ_PAIRS: u32 = 3;
/** hashEncodingOf results. */
export const HASH_ENCODING_LISTPACK: i32 = 1;
export const HASH_ENCODING_HASHTABLE: i32 = 2;
/** The hash module's cells (byte offsets from hashCellsPtr). */
export const HASH_CELL_VALUE_PTR: usize = 0;
export const HASH_CELL_CURSOR: usize = 4;

// ── Sets ────────────────────────────────────────────────────────────────────────────────

/** Encoding tags (setEncodingOf; a set entry's valueLen). */
export const SET_ENC_INT16: u32 = 1;
export const SET_ENC_INT32: u32 = 2;
export const SET_ENC_INT64: u32 = 3;
export const SET_ENC_PACKED: u32 = 4;
export const SET_ENC_TABLE: u32 = 5;
/** setOp operations. */
export const SET_OP_INTER: u32 = 0;
export const SET_OP_UNION: u32 = 1;
export const SET_OP_DIFF: u32 = 2;
export const SET_OP_INTERCARD: u32 = 3;

// ── Sorted sets ─────────────────────────────────────────────────────────────────────────

/** zsetAdd flags. */
export const ZADD_NX: u32 = 1;
export const ZADD_XX: u32 = 2;
export const ZADD_GT: u32 = 4;
export const ZADD_LT: u32 = 8;
export const ZADD_INCR: u32 = 16;
export const ZADD_CH: u32 = 32;
/** zsetRange operations. */
export const ZSET_OP_EMIT: u32 = 0;
export const ZSET_OP_COUNT: u32 = 1;
export const ZSET_OP_DELETE: u32 = 2;
/** zsetRange bound kinds. */
export const ZSET_KIND_RANK: u32 = 0;
export const ZSET_KIND_SCORE: u32 = 1;
export const ZSET_KIND_LEX: u32 = 2;
/** zsetRange flags. */
export const RANGE_REV: u32 = 1;
export const RANGE_WITHSCORES: u32 = 2;
export const RANGE_MINEX: u32 = 4;
export const RANGE_MAXEX: u32 = 8;
/** Lex bound kinds: the first byte of a staged ZRANGEBYLEX bound. */
export const LEX_INCLUSIVE: u8 = 0;
export const LEX_EXCLUSIVE: u8 = 1;
export const LEX_MIN: u8 = 2;
export const LEX_MAX: u8 = 3;
/** zsetEncodingOf results. */
export const ZSET_ENCODING_LISTPACK: i32 = 0;
export const ZSET_ENCODING_SKIPLIST: i32 = 1;

// ── Snapshots ───────────────────────────────────────────────────────────────────────────

/** Snapshot slots: BGSAVE's walk, and a save that ends before the event loop turns. */
export const SNAPSHOT_SLOT_BACKGROUND: u32 = 0;
export const SNAPSHOT_SLOT_SYNCHRONOUS: u32 = 1;
export const SNAPSHOT_SLOT_COUNT: u32 = 2;
/** snapshotClaim results. */
export const SNAPSHOT_CLAIM_NOTHING: i32 = 0;
export const SNAPSHOT_CLAIM_ENCODED: i32 = 1;
export const SNAPSHOT_CLAIM_HOST: i32 = 2;
/** The snapshot module's cells (byte offsets from snapshotCellsPtr). */
export const SNAPSHOT_CELL_CURSOR: usize = 0;
export const SNAPSHOT_CELL_OUT_PTR: usize = 4;
export const SNAPSHOT_CELL_OUT_LEN: usize = 8;
export const SNAPSHOT_CELL_DEFERRED_PTR: usize = 12;
export const SNAPSHOT_CELL_DEFERRED_COUNT: usize = 16;
export const SNAPSHOT_CELL_KEYS_WRITTEN: usize = 20;
/** The snapshot loader's cells (byte offsets from snapshotLoadCellsPtr). */
export const SNAPSHOT_LOAD_CELL_KEYS_LOADED: usize = 0;
export const SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED: usize = 4;
export const SNAPSHOT_LOAD_CELL_CONSUMED: usize = 8;

// ── Request pipeline (pipeline.ts runPipeline) ──────────────────────────────────────────

/** runPipeline flags: answer a missing key as RESP3's null, and let write commands run. */
export const PIPELINE_RESP3: u32 = 1;
export const PIPELINE_WRITES: u32 = 2;
/** The commands the pipeline runs, by id (their calls are counted per id). */
export const PIPELINE_CMD_GET: u32 = 0;
export const PIPELINE_CMD_SET: u32 = 1;
export const PIPELINE_CMD_LPUSH: u32 = 2;
export const PIPELINE_CMD_RPUSH: u32 = 3;
export const PIPELINE_CMD_LPOP: u32 = 4;
export const PIPELINE_CMD_RPOP: u32 = 5;
export const PIPELINE_CMD_SADD: u32 = 6;
export const PIPELINE_CMD_HSET: u32 = 7;
export const PIPELINE_CMD_INCR: u32 = 8;
export const PIPELINE_CMD_DECR: u32 = 9;
export const PIPELINE_CMD_LRANGE: u32 = 10;
export const PIPELINE_CMD_ZADD: u32 = 11;
export const PIPELINE_CMD_COUNT: u32 = 12;
/** The pipeline's cells (u32 each, byte offsets from pipelineCellsPtr). */
export const PIPELINE_CELL_OUT_PTR: usize = 0;
export const PIPELINE_CELL_OUT_LEN: usize = 4;
export const PIPELINE_CELL_HITS: usize = 8;
export const PIPELINE_CELL_MISSES: usize = 12;
export const PIPELINE_CELL_DIRTY: usize = 16;
export const PIPELINE_CELL_LAST_COMMAND: usize = 20;
/** PIPELINE_CMD_COUNT u32 call counts, one per command id, from this offset. */
export const PIPELINE_CELL_CALLS: usize = 24;
