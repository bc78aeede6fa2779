// entry.ts — the keyspace entry: one allocation per key, holding the key bytes and the two
// words that name its value. Every layer above reads entries through these accessors; the
// tables that link entries (dict.ts) and the modules that own values (strings in the keyspace,
// collections in their type modules) only ever meet here.
//
// Entry (one allocation: 40-byte header, then the key bytes)
//
//   ┌──────────────┬──────┬──────┬────────┬──────────┬──────────┬─────────────┬─────────┬────┬─────┬───────┬─────────┐
//   │expireAtMs i64│next  │hash  │keyLen  │valuePtr  │valueLen  │expiresIndex │lruClock │type│flags│marks  │key bytes│
//   │0 = no TTL    │u32   │u32   │u32     │u32       │u32       │u32          │u32      │u8  │u8   │2 × u8 │keyLen B │
//   └──────────────┴──────┴──────┴────────┴──────────┴──────────┴─────────────┴─────────┴────┴─────┴───────┴─────────┘
//    0              8      12     16       20         24         28            32        36   37    38      40
//
//   next          the chain link in dict.ts's bucket arrays
//   hash          hashBytes of the key, cached so rehashing and chain walks never rehash bytes
//   valuePtr/Len  the value: a separate allocation (0 when valueLen is 0) whose meaning depends
//                 on `type` (abi.ts TYPE_*): string bytes, or a collection whose type module
//                 owns both words (values.ts dispatches). RENAME moves an entry without
//                 touching value bytes, and APPEND can grow in place.
//   expiresIndex  the entry's slot in its database's TTL index (dict.ts), when expireAtMs ≠ 0
//   lruClock      the access stamp maxmemory eviction samples (LRU clock or LFU counter,
//                 access.ts)
//   flags         encoding hint bits (abi.ts ENCODING_HINT_*): how a string was produced
//   marks         one snapshot epoch per snapshot slot (snapshot.ts)

export const ENTRY_EXPIRE_AT: usize = 0;
export const ENTRY_NEXT: usize = 8;
export const ENTRY_HASH: usize = 12;
export const ENTRY_KEY_LEN: usize = 16;
export const ENTRY_VALUE_PTR: usize = 20;
export const ENTRY_VALUE_LEN: usize = 24;
export const ENTRY_EXPIRES_INDEX: usize = 28;
export const ENTRY_LRU_CLOCK: usize = 32;
export const ENTRY_TYPE: usize = 36;
export const ENTRY_FLAGS: usize = 37;
export const ENTRY_SNAPSHOT_MARKS: usize = 38;
export const ENTRY_HEADER_SIZE_BYTES: usize = 40;

@inline export function entryKeyPtr(e: usize): usize {
  return e + ENTRY_HEADER_SIZE_BYTES;
}
@inline export function entryKeyLen(e: usize): u32 {
  return load<u32>(e, ENTRY_KEY_LEN);
}
@inline export function entryHash(e: usize): u32 {
  return load<u32>(e, ENTRY_HASH);
}
@inline export function entryNext(e: usize): usize {
  return <usize>load<u32>(e, ENTRY_NEXT);
}
@inline export function entryExpireAtMs(e: usize): i64 {
  return load<i64>(e, ENTRY_EXPIRE_AT);
}
@inline export function entryType(e: usize): u8 {
  return load<u8>(e, ENTRY_TYPE);
}
@inline export function entryValuePtr(e: usize): usize {
  return <usize>load<u32>(e, ENTRY_VALUE_PTR);
}
@inline export function entryValueLen(e: usize): u32 {
  return load<u32>(e, ENTRY_VALUE_LEN);
}
@inline export function entryLruClock(e: usize): u32 {
  return load<u32>(e, ENTRY_LRU_CLOCK);
}
@inline export function setEntryLruClock(e: usize, stamp: u32): void {
  store<u32>(e, stamp, ENTRY_LRU_CLOCK);
}
/**
 * Writes the expiry word only. While the entry is linked, dict.ts setEntryExpire is the way
 * to change it (it keeps the TTL index in step); this is for an entry out of every index.
 */
@inline export function storeEntryExpireAtMs(e: usize, expireAtMs: i64): void {
  store<i64>(e, expireAtMs, ENTRY_EXPIRE_AT);
}
/** Encoding hint bits (OBJECT ENCODING): how the value was produced, which Redis reports. */
@inline export function entryFlags(e: usize): u8 {
  return load<u8>(e, ENTRY_FLAGS);
}
@inline export function setEntryFlags(e: usize, flags: u8): void {
  store<u8>(e, flags, ENTRY_FLAGS);
}
@inline export function setEntryValue(e: usize, valuePtr: usize, valueLen: u32, valueType: u8): void {
  store<u32>(e, <u32>valuePtr, ENTRY_VALUE_PTR);
  store<u32>(e, valueLen, ENTRY_VALUE_LEN);
  store<u8>(e, valueType, ENTRY_TYPE);
}
