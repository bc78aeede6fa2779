/**
 * Geospatial data logic for the geo commands, with no server in it: the 52-bit geohash scores
 * and cells (geohash.ts), distances and the cells a radius or box search scans (shape.ts), the
 * number formats of the replies (format.ts), Redis's ordering of results (sort.ts) and the C
 * library's trigonometry (libm.ts). It is a folder of its own, beside the RDB and RESP codecs,
 * because it is pure functions of numbers that must agree with Redis's C to the last bit;
 * core/commands/geo.ts puts it to work on sorted sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeScore, encodeScoreBits, formatCoordinate, geohashString } from "./mod.ts";
 * const position = decodeScore(Number(encodeScoreBits(-5.6, 42.6)));
 * assert.equal(geohashString(position), "ezs42e44yx0");
 * assert.equal(formatCoordinate(position.lon), "-5.59999912977218628");
 * ```
 *
 * @module
 */

export {
  cellScoreRange,
  decodeScore,
  decodeScoreInto,
  encodeScoreBits,
  type GeoCell,
  geohashString,
  isValidLonLat,
  type LonLat,
} from "./geohash.ts";
export { distanceInShape, distanceM, type GeoShape, searchCells, UNIT_METERS } from "./shape.ts";
export { formatCoordinate, formatDistance, formatFixed } from "./format.ts";
export { partialSort } from "./sort.ts";
export { trigIsLibm } from "./libm.ts";
