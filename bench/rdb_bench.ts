// Benchmarks of the RDB codec: writing and reading a snapshot of 10k keys of mixed types
// (strings, small hashes, lists, zsets), as the engine's SAVE and full sync will. Run with
// `deno task bench`.

import { encodeRdb, type RdbEntry, RdbReader } from "../core/rdb/mod.ts";

const KEY_COUNT = 10_000;
const READ_CHUNK_BYTES = 64 * 1024;
const t = (text: string) => new TextEncoder().encode(text);

function entries(): RdbEntry[] {
  const out: RdbEntry[] = [];
  for (let index = 0; index < KEY_COUNT; index++) {
    const key = t(`key:${index}`);
    switch (index % 4) {
      case 0:
        out.push({
          db: 0,
          key,
          expireAtMs: 0,
          value: { type: "string", value: t(`value-${index}`) },
        });
        break;
      case 1:
        out.push({
          db: 0,
          key,
          expireAtMs: 0,
          value: {
            type: "hash",
            fields: Array.from(
              { length: 10 },
              (_, f) => ({ field: t(`f${f}`), value: t(`${f * index}`) }),
            ),
          },
        });
        break;
      case 2:
        out.push({
          db: 0,
          key,
          expireAtMs: 0,
          value: {
            type: "list",
            elements: Array.from({ length: 20 }, (_, e) => t(`element-${e}`)),
          },
        });
        break;
      default:
        out.push({
          db: 0,
          key,
          expireAtMs: Date.now() + 60_000,
          value: {
            type: "zset",
            entries: Array.from({ length: 10 }, (_, e) => ({ member: t(`m${e}`), score: e * 1.5 })),
          },
        });
    }
  }
  return out;
}

const data = entries();
const databases = [{ db: 0, keyCount: KEY_COUNT, expiresCount: KEY_COUNT / 4, entries: data }];
const chunks = [...encodeRdb({ databases })];

Deno.bench("RdbWriter: 10k mixed keys", () => {
  let bytes = 0;
  for (const chunk of encodeRdb({ databases })) bytes += chunk.length;
  if (bytes === 0) throw new Error("empty");
});

Deno.bench("RdbReader: 10k mixed keys in 64 KB chunks", () => {
  const reader = new RdbReader();
  let count = 0;
  for (const chunk of chunks) {
    for (let start = 0; start < chunk.length; start += READ_CHUNK_BYTES) {
      reader.push(chunk.subarray(start, start + READ_CHUNK_BYTES));
      while (reader.next() !== null) count++;
    }
  }
  reader.finish();
  if (count !== KEY_COUNT) throw new Error(`read ${count} keys`);
});
