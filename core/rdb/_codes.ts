// Wire facts of the RDB file format (Redis 7.0, `src/rdb.h`), as named constants.
//
// Everything the reader and writer need to agree on lives here: the magic and version range,
// opcodes, value types, the length encoding, the limits Redis 7.0 uses when it chooses a compact
// encoding (the writer must choose exactly as Redis would), and the default limits the reader
// checks every length against. Nothing here does I/O.
//
// File layout:
//
//   "REDIS" <4 ASCII digits: version>
//   { 0xFA <aux name> <aux value> }                       aux fields (redis-ver, ctime, …)
//   { 0xF5 <function library code> }                      7.0 function libraries
//   { 0xFE <db> 0xFB <db size> <expires size>             per database
//     { [0xFC <int64 LE ms> | 0xFD <int32 LE s>]          optional expiry
//       [0xF8 <idle length> | 0xF9 <lfu byte>]            optional eviction hints (skipped)
//       <type byte> <key string> <value> } }
//   0xFF <CRC64 LE of every byte before it, or 8 zero bytes>   (versions ≥ 5)

/** "REDIS" */
export const RDB_MAGIC = new Uint8Array([0x52, 0x45, 0x44, 0x49, 0x53]);
/** Bytes of "REDIS" + 4 version digits. */
export const RDB_HEADER_SIZE_BYTES = 9;
/** Oldest version the reader accepts. */
export const RDB_VERSION_MIN = 1;
/** Newest version Redis 7.0 reads and the version the writer emits. */
export const RDB_VERSION_MAX = 10;
/** The CRC64 trailer exists from this version on. */
export const RDB_VERSION_CHECKSUM_MIN = 5;
/** Bytes of the checksum trailer after the EOF opcode. */
export const RDB_CHECKSUM_SIZE_BYTES = 8;

// --- opcodes (a byte where a value type is expected) -------------------------------------
export const RDB_OPCODE_FUNCTION2 = 0xf5;
/** Pre-GA 7.0 function format; Redis 7.0 refuses it too. */
export const RDB_OPCODE_FUNCTION_PRE_GA = 0xf6;
export const RDB_OPCODE_MODULE_AUX = 0xf7;
export const RDB_OPCODE_IDLE = 0xf8;
export const RDB_OPCODE_FREQ = 0xf9;
export const RDB_OPCODE_AUX = 0xfa;
export const RDB_OPCODE_RESIZEDB = 0xfb;
export const RDB_OPCODE_EXPIRETIME_MS = 0xfc;
export const RDB_OPCODE_EXPIRETIME = 0xfd;
export const RDB_OPCODE_SELECTDB = 0xfe;
export const RDB_OPCODE_EOF = 0xff;

// --- value types ---------------------------------------------------------------------------
export const RDB_TYPE_STRING = 0;
export const RDB_TYPE_LIST = 1;
export const RDB_TYPE_SET = 2;
export const RDB_TYPE_ZSET = 3;
export const RDB_TYPE_HASH = 4;
export const RDB_TYPE_ZSET_2 = 5;
export const RDB_TYPE_MODULE = 6;
export const RDB_TYPE_MODULE_2 = 7;
export const RDB_TYPE_HASH_ZIPMAP = 9;
export const RDB_TYPE_LIST_ZIPLIST = 10;
export const RDB_TYPE_SET_INTSET = 11;
export const RDB_TYPE_ZSET_ZIPLIST = 12;
export const RDB_TYPE_HASH_ZIPLIST = 13;
export const RDB_TYPE_LIST_QUICKLIST = 14;
export const RDB_TYPE_STREAM_LISTPACKS = 15;
export const RDB_TYPE_HASH_LISTPACK = 16;
export const RDB_TYPE_ZSET_LISTPACK = 17;
export const RDB_TYPE_LIST_QUICKLIST_2 = 18;
export const RDB_TYPE_STREAM_LISTPACKS_2 = 19;
/** Redis 7.2 (RDB 11); accepted when seen, never written. */
export const RDB_TYPE_SET_LISTPACK = 20;
export const RDB_TYPE_STREAM_LISTPACKS_3 = 21;

/** Quicklist2 node containers. */
export const QUICKLIST_NODE_CONTAINER_PLAIN = 1;
export const QUICKLIST_NODE_CONTAINER_PACKED = 2;

// --- length encoding (first byte's top two bits) ------------------------------------------
//   00xxxxxx                      6-bit length
//   01xxxxxx xxxxxxxx             14-bit length, big endian
//   10000000 <4 bytes BE>         32-bit length
//   10000001 <8 bytes BE>         64-bit length
//   11xxxxxx                      special encoding in the low 6 bits (strings only)
export const RDB_6BITLEN = 0;
export const RDB_14BITLEN = 1;
export const RDB_ENCVAL = 3;
export const RDB_32BITLEN = 0x80;
export const RDB_64BITLEN = 0x81;
export const RDB_6BITLEN_MAX = 63;
export const RDB_14BITLEN_MAX = 16383;
export const RDB_32BITLEN_MAX = 0xffffffff;
/** Special string encodings (low 6 bits after 11). */
export const RDB_ENC_INT8 = 0;
export const RDB_ENC_INT16 = 1;
export const RDB_ENC_INT32 = 2;
export const RDB_ENC_LZF = 3;

/** Binary-double zset scores and the old text scores' special length bytes. */
export const RDB_DOUBLE_TEXT_NAN = 253;
export const RDB_DOUBLE_TEXT_POS_INF = 254;
export const RDB_DOUBLE_TEXT_NEG_INF = 255;

// --- how Redis 7.0 chooses encodings on save (defaults of redis.conf) ----------------------
/** `rdbSaveRawString` tries integer encoding only for strings this short. */
export const RDB_INT_ENCODING_LEN_MAX_BYTES = 11;
/** `rdbSaveRawString` tries LZF only for strings longer than this. */
export const RDB_LZF_LEN_MIN_EXCLUSIVE_BYTES = 20;
/** LZF must save at least this many bytes (`rdbSaveLzfStringObject`: out buffer len - 4). */
export const RDB_LZF_SAVING_MIN_BYTES = 4;
/** set-max-intset-entries */
export const SET_MAX_INTSET_ENTRIES = 512;
/** zset-max-listpack-entries / zset-max-listpack-value */
export const ZSET_MAX_LISTPACK_ENTRIES = 128;
export const ZSET_MAX_LISTPACK_VALUE_BYTES = 64;
/** hash-max-listpack-entries / hash-max-listpack-value */
export const HASH_MAX_LISTPACK_ENTRIES = 512;
export const HASH_MAX_LISTPACK_VALUE_BYTES = 64;
/** list-max-listpack-size -2: a quicklist node listpack stays ≤ 8 KB. */
export const QUICKLIST_NODE_SIZE_MAX_BYTES = 8192;
/** quicklist.c SIZE_ESTIMATE_OVERHEAD, added to an element's length when checking room. */
export const QUICKLIST_SIZE_ESTIMATE_OVERHEAD_BYTES = 8;
/** quicklist.c packed_threshold: elements this long get a PLAIN node of their own. */
export const QUICKLIST_PACKED_THRESHOLD_BYTES = 1 << 30;

// --- streams (t_stream.c, stream.h, rdb.c) -----------------------------------------------
/** Bytes of a stream ID as node keys and PELs store it: ms, then seq, each uint64 big endian. */
export const STREAM_ID_SIZE_BYTES = 16;
/** Entry flags in a stream node: none, deleted (XDEL / trimming), fields as the master's. */
export const STREAM_ITEM_FLAG_NONE = 0;
export const STREAM_ITEM_FLAG_DELETED = 1 << 0;
export const STREAM_ITEM_FLAG_SAMEFIELDS = 1 << 1;
/** stream-node-max-bytes default: XADD opens a new node once lpBytes + the new entry's field
 * and value bytes would reach it. */
export const STREAM_NODE_MAX_BYTES_DEFAULT = 4096;
/** stream-node-max-entries default: XADD opens a new node once the tail holds this many
 * entries (live and deleted). 0 = no entry limit. */
export const STREAM_NODE_MAX_ENTRIES_DEFAULT = 100;
/** STREAM_LISTPACK_MAX_SIZE: the byte limit in force when stream-node-max-bytes is 0 or larger. */
export const STREAM_LISTPACK_MAX_SIZE_BYTES = 1 << 30;
/** SCG_INVALID_ENTRIES_READ: a group's entries-read when it is unknown. */
export const STREAM_ENTRIES_READ_INVALID = -1n;

// --- reader limits -----------------------------------------------------------------------
/** Longest string the reader accepts by default (proto-max-bulk-len, 512 MB). */
export const RDB_STRING_LEN_MAX_BYTES_DEFAULT = 512 * 1024 * 1024;
/** Most elements (or pairs) in one collection the reader accepts by default. */
export const RDB_ELEMENT_COUNT_MAX_DEFAULT = 2 ** 32 - 1;
/** Databases the reader accepts by default (Redis `databases` default): ids 0..15. */
export const RDB_DB_COUNT_MAX_DEFAULT = 16;
/** LZF never expands one compressed byte to more than this (a 3-byte backref yields 264). */
export const LZF_EXPANSION_RATIO_MAX = 88;
/** The longest text score (old type 3 zsets) is one length byte long. */
export const RDB_DOUBLE_TEXT_LEN_MAX_BYTES = 252;

/** A value type for error messages: its name when it has one worth showing, else its number. */
export function describeType(type: number): string {
  switch (type) {
    case RDB_TYPE_MODULE:
      return "module (6)";
    case RDB_TYPE_MODULE_2:
      return "module2 (7)";
    case RDB_TYPE_STREAM_LISTPACKS:
      return "stream listpacks (15)";
    case RDB_TYPE_STREAM_LISTPACKS_2:
      return "stream listpacks 2 (19)";
    case RDB_TYPE_STREAM_LISTPACKS_3:
      return "stream listpacks 3 (21)";
    default:
      return `${type}`;
  }
}
