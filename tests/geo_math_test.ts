// The geo module's pure functions on their own (core/geo/): number formats where printf rounds
// ties to even, decoding of scores that are not geohashes, Redis's partial sort, the cells a
// search scans, and whether distances come from the C library's libm. Their agreement with
// redis-server as a whole is tests/differential_geo_test.ts's job; these pin the corner cases
// that a differential run reaches only by chance.

import assert from "node:assert/strict";
import {
  decodeScore,
  encodeScoreBits,
  formatCoordinate,
  formatDistance,
  formatFixed,
  geohashString,
  partialSort,
  searchCells,
  trigIsLibm,
} from "../core/geo/mod.ts";

Deno.test("formatFixed rounds like glibc's %f: exact value, ties to even, signed zero", () => {
  assert.equal(formatFixed(0.0078125), "0.007812"); // 1/128: a tie, rounded to even
  assert.equal(formatFixed(0.0234375), "0.023438");
  assert.equal(formatFixed(-0), "-0.000000");
  assert.equal(formatFixed(-1e-9), "-0.000000");
  assert.equal(formatFixed(181), "181.000000");
  assert.equal(formatFixed(85.05112879), "85.051129");
  assert.equal(formatFixed(Infinity), "inf");
  assert.equal(formatFixed(-Infinity), "-inf");
  assert.equal(formatFixed(1e22), "10000000000000000000000.000000");
  assert.equal(formatFixed(0.5, 0), "0");
  assert.equal(formatFixed(1.5, 0), "2");
});

Deno.test("formatDistance is llrint(d × 10^4) with 4 decimals; formatCoordinate trims %.17Lf", () => {
  assert.equal(formatDistance(0), "0.0000");
  assert.equal(formatDistance(-0), "0.0000");
  assert.equal(formatDistance(0.775), "0.7750");
  assert.equal(formatDistance(0.00005), "0.0000"); // 0.5 after scaling: to even
  assert.equal(formatDistance(0.00025), "0.0002"); // 2.5: to even
  assert.equal(formatDistance(0.00035), "0.0004"); // 3.5: to even
  assert.equal(formatDistance(0.00015), "0.0001"); // 1.4999999999999998 after scaling
  assert.equal(formatDistance(166274.15156960033), "166274.1516");
  assert.equal(formatCoordinate(180), "180");
  assert.equal(formatCoordinate(-0), "0");
  assert.equal(formatCoordinate(-1e-20), "0");
  assert.equal(formatCoordinate(85.05112878), "85.0511287799999991");
});

Deno.test("scores decode as Redis's uint64 cast of the double, clamped to the grid", () => {
  const southWest = { lon: -179.99999731779099, lat: -85.05112751263943 };
  const northEast = { lon: 180, lat: 85.05112878 };
  const approx = (a: { lon: number; lat: number }, b: { lon: number; lat: number }) =>
    Math.abs(a.lon - b.lon) < 1e-12 && Math.abs(a.lat - b.lat) < 1e-12;
  assert.ok(approx(decodeScore(1e30), southWest), "2^64 and above cast to 0");
  assert.ok(approx(decodeScore(Infinity), southWest));
  assert.ok(approx(decodeScore(-5), northEast), "negative scores wrap modulo 2^64");
  assert.equal(decodeScore(-Infinity).lon, 180, "-inf casts to 2^63: a longitude bit");
  assert.equal(decodeScore(2 ** 53).lon, 180, "bit 53: a longitude index of 2^26");
  assert.equal(encodeScoreBits(180, 85.05112878), 13510798882111488n);
  assert.equal(encodeScoreBits(181, 0), null);
  assert.equal(geohashString(decodeScore(Number(encodeScoreBits(-5.6, 42.6)))), "ezs42e44yx0");
});

Deno.test("partialSort places first..last as a full sort does and leaves the rest partitioned", () => {
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let round = 0; round < 200; round++) {
    const size = 1 + Math.floor(random() * 120);
    const values = Array.from({ length: size }, () => Math.floor(random() * 20));
    const last = Math.floor(random() * size);
    const sorted = [...values].sort((a, b) => a - b);
    const partial = [...values];
    partialSort(partial, (a, b) => a > b ? 1 : a === b ? 0 : -1, 0, last);
    assert.deepEqual(partial.slice(0, last + 1), sorted.slice(0, last + 1));
    assert.deepEqual([...partial].sort((a, b) => a - b), sorted, "a permutation");
  }
});

Deno.test("a search scans distinct cells, the center first", () => {
  const cells = searchCells({
    kind: "radius",
    center: { lon: 13.361389, lat: 38.115556 },
    unitMeters: 1000,
    radius: 200,
  });
  assert.ok(cells.length >= 1 && cells.length <= 9);
  const keys = cells.map((cell) => `${cell.step}:${cell.latIndex}:${cell.lonIndex}`);
  assert.equal(new Set(keys).size, keys.length);
  // A radius larger than the Earth: step 1, four cells, the repeats skipped.
  const everything = searchCells({
    kind: "radius",
    center: { lon: 0, lat: 0 },
    unitMeters: 1000,
    radius: 50000,
  });
  assert.ok(everything.every((cell) => cell.step === 1));
});

Deno.test("distances use the C library's libm where the tests run (Linux, --allow-ffi)", () => {
  if (Deno.build.os !== "linux") return;
  assert.ok(
    trigIsLibm,
    "core/geo/libm.ts could not load libm.so.6: run the tests with --allow-ffi (deno task test " +
      "does), or STOREDIST distances differ from redis-server's in the last bit",
  );
});
