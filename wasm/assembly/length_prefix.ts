// length_prefix.ts — the length prefix the packed encodings put before each element
// (hash_listpack.ts fields and values, zset_listpack.ts members): one byte for the short
// strings that dominate small collections, four for anything longer, so an element may be as
// long as the configured *-max-listpack-value lets it be (Redis's listpack has no cap of its own
// below its 1 GiB safety size, listpack.c LISTPACK_MAX_SAFETY_SIZE).
//
//   short form, length < 128          long form, 128 ≤ length < 2^31 (big endian)
//   ┌─────────┐                        ┌──────────┬──────────┬──────────┬──────────┐
//   │0 LLLLLLL│                        │1 LLLLLLL │ LLLLLLLL │ LLLLLLLL │ LLLLLLLL │
//   └─────────┘                        └──────────┴──────────┴──────────┴──────────┘
//
// The first byte alone tells the form, so a walk over short elements reads one byte per
// prefix and takes one predictable branch, as the one-byte prefix it replaced did.

/** Longest element the short form holds. */
export const PREFIX_SHORT_LEN_MAX: u32 = 0x7f;
/** Longest element any form holds. */
export const PREFIX_LEN_MAX: u32 = 0x7fffffff;
const PREFIX_LONG_FLAG: u32 = 0x80000000;
/** Bytes of the long form. */
const PREFIX_LONG_SIZE_BYTES: u32 = 4;

/** Bytes of the prefix for an element of `len` bytes. */
@inline export function prefixSizeFor(len: u32): u32 {
  return len <= PREFIX_SHORT_LEN_MAX ? 1 : PREFIX_LONG_SIZE_BYTES;
}

/** Bytes of the prefix stored at `at`. */
@inline export function prefixSizeAt(at: usize): u32 {
  return load<u8>(at) <= <u8>PREFIX_SHORT_LEN_MAX ? 1 : PREFIX_LONG_SIZE_BYTES;
}

/** The length the prefix at `at` holds. */
@inline export function prefixLenAt(at: usize): u32 {
  const first = <u32>load<u8>(at);
  if (first <= PREFIX_SHORT_LEN_MAX) return first;
  return bswap<u32>(load<u32>(at)) & PREFIX_LEN_MAX;
}

/** Writes the prefix for `len` at `at`; returns the address just after it. */
@inline export function storePrefix(at: usize, len: u32): usize {
  if (len <= PREFIX_SHORT_LEN_MAX) {
    store<u8>(at, <u8>len);
    return at + 1;
  }
  assert(len <= PREFIX_LEN_MAX, "element longer than a length prefix holds");
  store<u32>(at, bswap<u32>(len | PREFIX_LONG_FLAG));
  return at + <usize>PREFIX_LONG_SIZE_BYTES;
}
