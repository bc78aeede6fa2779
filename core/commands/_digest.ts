// DEBUG DIGEST and DEBUG DIGEST-VALUE: SHA1 fingerprints of the dataset and of single values,
// computed as Redis 7.0 computes them (debug.c), so two servers holding the same data — or one
// server before and after a reload, a COPY and its source — print the same 40 hex digits.
//
// Two mixing steps over a 20-byte digest:
//   xor(d, data)  d ^= SHA1(data)              order-free: sets, hash fields, zset members, keys
//   mix(d, data)  d = SHA1(d ^ SHA1(data))     ordered: list elements, stream entries
// A value's digest: mix(type as a 4-byte big-endian number), then by type
//   string  mix(bytes)                 list    mix(element) for each, head to tail
//   set     xor(member) for each       zset    xor(mix(mix(0, member), "%.17g" score))
//   hash    xor(mix(mix(0, field), value))
//   stream  for each entry: mix("ms.seq"), then mix(field), mix(value) for each pair
// then xor("!!expire!!") if the key has a TTL. The dataset's: for each non-empty db,
// mix(db index as 4-byte big-endian), then xor of mix(0, key) + value digest per key. Logically
// expired keys still stored count, as Redis reads the dict directly.

import { createHash } from "node:crypto";
import { DB_COUNT, type Engine } from "../engine/mod.ts";
import { latin1, utf8 } from "../bytes.ts";
import { formatDoubleG17 } from "../doubles.ts";
import { readValue } from "../persistence/keyspace_records.ts";
import type { RdbValue } from "../rdb/mod.ts";

/** Size of a SHA1 digest. */
const DIGEST_SIZE_BYTES = 20;
/** A time before every TTL: lookups then see logically expired keys and delete nothing. */
const BEFORE_EVERY_TTL_MS = 0;
/** Keys per engine SCAN call while digesting a database. */
const DIGEST_SCAN_COUNT = 1000;
/** Redis's object type numbers (server.h OBJ_*), mixed into each value's digest. */
const OBJ_TYPE: Readonly<Record<RdbValue["type"], number>> = {
  string: 0,
  list: 1,
  set: 2,
  zset: 3,
  hash: 4,
  stream: 6,
};
const EXPIRE_MARK = utf8("!!expire!!");

function sha1(data: Uint8Array): Uint8Array {
  return createHash("sha1").update(data).digest();
}

/** digest ^= SHA1(data) (Redis's xorDigest). */
function xorDigest(digest: Uint8Array, data: Uint8Array): void {
  const hash = sha1(data);
  for (let i = 0; i < DIGEST_SIZE_BYTES; i++) digest[i] ^= hash[i];
}

/** digest = SHA1(digest ^ SHA1(data)) (Redis's mixDigest): order matters. */
function mixDigest(digest: Uint8Array, data: Uint8Array): void {
  xorDigest(digest, data);
  digest.set(sha1(digest));
}

function bigEndian32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

/** Mixes the value stored at (db, key) into `digest` (Redis's xorObjectDigest); false if none. */
function xorObjectDigest(engine: Engine, db: number, key: Uint8Array, digest: Uint8Array): boolean {
  const value = readValue(engine, db, key, BEFORE_EVERY_TTL_MS);
  if (value === null) return false;
  mixDigest(digest, bigEndian32(OBJ_TYPE[value.type]));
  switch (value.type) {
    case "string":
      mixDigest(digest, value.value);
      break;
    case "list":
      for (const element of value.elements) mixDigest(digest, element);
      break;
    case "set":
      for (const member of value.members) xorDigest(digest, member);
      break;
    case "zset":
      for (const { member, score } of value.entries) {
        const element = new Uint8Array(DIGEST_SIZE_BYTES);
        mixDigest(element, member);
        mixDigest(element, utf8(formatDoubleG17(score)));
        xorDigest(digest, element);
      }
      break;
    case "hash":
      for (const { field, value: fieldValue } of value.fields) {
        const element = new Uint8Array(DIGEST_SIZE_BYTES);
        mixDigest(element, field);
        mixDigest(element, fieldValue);
        xorDigest(digest, element);
      }
      break;
    case "stream":
      for (const entry of value.stream.entries) {
        mixDigest(digest, utf8(`${entry.id.ms}.${entry.id.seq}`));
        for (const { field, value: fieldValue } of entry.fields) {
          mixDigest(digest, field);
          mixDigest(digest, fieldValue);
        }
      }
      break;
  }
  if (engine.getExpireAtMs(db, key, BEFORE_EVERY_TTL_MS) !== -1) xorDigest(digest, EXPIRE_MARK);
  return true;
}

function hex(digest: Uint8Array): string {
  let text = "";
  for (const byte of digest) text += byte.toString(16).padStart(2, "0");
  return text;
}

/** DEBUG DIGEST-VALUE for one key: 40 hex digits, all zeros when the key is missing. */
export function valueDigestHex(engine: Engine, db: number, key: Uint8Array): string {
  const digest = new Uint8Array(DIGEST_SIZE_BYTES);
  xorObjectDigest(engine, db, key, digest);
  return hex(digest);
}

/** DEBUG DIGEST: the whole dataset's digest, 40 hex digits (all zeros when empty). */
export function datasetDigestHex(engine: Engine): string {
  const final = new Uint8Array(DIGEST_SIZE_BYTES);
  for (let db = 0; db < DB_COUNT; db++) {
    if (engine.dbSize(db) === 0) continue;
    mixDigest(final, bigEndian32(db));
    const seen = new Set<string>(); // a key is digested once even if SCAN repeats it
    let cursor = 0;
    do {
      const page = engine.scan(db, cursor, DIGEST_SCAN_COUNT, -1, BEFORE_EVERY_TTL_MS);
      for (const key of page.keys) {
        const tag = latin1(key);
        if (seen.has(tag)) continue;
        seen.add(tag);
        const digest = new Uint8Array(DIGEST_SIZE_BYTES);
        mixDigest(digest, key);
        if (xorObjectDigest(engine, db, key, digest)) xorDigest(final, digest);
      }
      cursor = page.cursor;
    } while (cursor !== 0);
  }
  return hex(final);
}
