// The geohash Redis scores geo members with, and the grid cells a search walks.
//
// A point is two cell indexes, one per axis, each `step` bits wide (26 for a stored point), in a
// grid over the Web-Mercator-safe area (longitude ±180, latitude ±85.05112878). The score is the
// two indexes interleaved, latitude on the even bits, longitude on the odd ones, left-aligned to
// 52 bits so that a coarser cell is one contiguous score range:
//
//   bit   51  50  49  48 …  1   0      (step 26: 52 bits; a cell of step s owns the scores
//         lon lat lon lat … lon lat     cellBits << (52 - 2s) up to (cellBits + 1) << (52 - 2s))
//
// Cells are kept as their two indexes rather than as interleaved bits: a neighbour is then one
// index plus or minus one, wrapped on its own axis as Redis's bit arithmetic wraps it. An index
// may equal 2^step (a point exactly on longitude 180 or on the top latitude): Redis keeps that
// overflow bit, so the interleaving is done in BigInt, where it fits.
//
// Decoding reads any double as a score, as Redis does with a C cast to uint64 on x86-64
// (negative and huge scores included: a member ZADDed by hand still has a position), and
// answers the center of its step-26 cell, clamped to the limits.

/** Bits per axis of a stored point (52-bit scores). */
export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** The latitude range of a standard geohash string (GEOHASH re-encodes with it). */
const STANDARD_LAT_MIN = -90;
const STANDARD_LAT_MAX = 90;

/** Scores are the interleaved bits shifted to this width. */
const SCORE_BITS = 52;
/** Characters of a GEOHASH string; the 11th has no bits left and is always "0". */
const GEOHASH_STRING_CHARS = 11;
const GEOHASH_CHAR_BITS = 5;
const GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

const TWO_32 = 2 ** 32;
const TWO_53 = 2 ** 53;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;
/** What x86-64 yields for a double → int64 conversion out of range (the "indefinite" value). */
const INT64_INDEFINITE_HIGH = 0x80000000;

/** A closed coordinate range of one axis. */
export interface CoordRange {
  min: number;
  max: number;
}

/** Redis's grid: the whole longitude range, the latitude range Web Mercator can show. */
export const LONG_RANGE: CoordRange = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const LAT_RANGE: CoordRange = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const STANDARD_LAT_RANGE: CoordRange = { min: STANDARD_LAT_MIN, max: STANDARD_LAT_MAX };

/** A cell of the grid with `step` bits per axis. Indexes are in [0, 2^step] (see above). */
export interface GeoCell {
  latIndex: number;
  lonIndex: number;
  step: number;
}

/** A cell's extent in degrees. */
export interface GeoArea {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

/** A position: longitude first, as every geo command takes and replies it. */
export interface LonLat {
  lon: number;
  lat: number;
}

/** True when the point lies within Redis's grid limits (what GEOADD accepts). */
export function isValidLonLat(lon: number, lat: number): boolean {
  return lon >= GEO_LONG_MIN && lon <= GEO_LONG_MAX && lat >= GEO_LAT_MIN && lat <= GEO_LAT_MAX;
}

/**
 * The cell holding (lon, lat) at `step` bits per axis over `latRange`, or null outside the
 * limits (Redis's geohashEncode). An index is the offset in the range times 2^step, truncated.
 */
export function encodeCell(
  lon: number,
  lat: number,
  step: number,
  latRange: CoordRange = LAT_RANGE,
): GeoCell | null {
  if (!isValidLonLat(lon, lat)) return null;
  if (lat < latRange.min || lat > latRange.max) return null;
  const cells = 2 ** step;
  const latOffset = ((lat - latRange.min) / (latRange.max - latRange.min)) * cells;
  const lonOffset = ((lon - LONG_RANGE.min) / (LONG_RANGE.max - LONG_RANGE.min)) * cells;
  return { latIndex: Math.trunc(latOffset), lonIndex: Math.trunc(lonOffset), step };
}

/** The low 16 bits of `value` spread to the even bits of a uint32. */
function spread16(value: number): number {
  let v = value & 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/**
 * The interleaved bits of a cell: latitude on the even bits, longitude on the odd ones. Built
 * as two 32-bit words (indexes are below 2^32), joined in BigInt: with an index of 2^26 the
 * result needs 54 bits, more than a double holds exactly.
 */
export function cellBits(cell: GeoCell): bigint {
  const low = (spread16(cell.latIndex) | (spread16(cell.lonIndex) << 1)) >>> 0;
  const high = (spread16(cell.latIndex >>> 16) | (spread16(cell.lonIndex >>> 16) << 1)) >>> 0;
  return (BigInt(high) << 32n) | BigInt(low);
}

/** Bits left-aligned to 52 bits (Redis's geohashAlign52Bits). */
function align52(bits: bigint, step: number): bigint {
  return bits << BigInt(SCORE_BITS - 2 * step);
}

/**
 * The score of a point as GEOADD stores it: its step-26 cell's bits, exact. GEOADD hands ZADD
 * this integer as text, which a replica parses as a double just as the master does.
 */
export function encodeScoreBits(lon: number, lat: number): bigint | null {
  const cell = encodeCell(lon, lat, GEO_STEP_MAX);
  return cell === null ? null : align52(cellBits(cell), GEO_STEP_MAX);
}

/**
 * The scores a cell covers: min inclusive, max exclusive (the next cell's first score). As
 * doubles, rounded as C rounds a uint64 to double.
 */
export function cellScoreRange(cell: GeoCell): { min: number; max: number } {
  const bits = cellBits(cell);
  return {
    min: Number(align52(bits, cell.step)),
    max: Number(align52(bits + 1n, cell.step)),
  };
}

/** A cell's extent (Redis's geohashDecode); indexes are read as 32-bit unsigned. */
export function cellArea(cell: GeoCell, latRange: CoordRange = LAT_RANGE): GeoArea {
  const cells = 2 ** cell.step;
  const latScale = latRange.max - latRange.min;
  const lonScale = LONG_RANGE.max - LONG_RANGE.min;
  // index + 1 is uint32 arithmetic in Redis: it wraps to 0.
  const latNext = (cell.latIndex + 1) >>> 0;
  const lonNext = (cell.lonIndex + 1) >>> 0;
  return {
    latMin: latRange.min + (cell.latIndex / cells) * latScale,
    latMax: latRange.min + (latNext / cells) * latScale,
    lonMin: LONG_RANGE.min + (cell.lonIndex / cells) * lonScale,
    lonMax: LONG_RANGE.min + (lonNext / cells) * lonScale,
  };
}

/**
 * The cell `dLon`, `dLat` (each -1, 0 or 1) away. A moved index wraps modulo 2^step (east of
 * longitude 180 is -180; north of the top row is the bottom one, as in Redis); an axis not
 * moved keeps its index untouched, even an overflowing one.
 */
export function neighborCell(cell: GeoCell, dLon: number, dLat: number): GeoCell {
  const cells = 2 ** cell.step;
  const wrap = (index: number, delta: number) =>
    delta === 0 ? index : (((index + delta) % cells) + cells) % cells;
  return {
    latIndex: wrap(cell.latIndex, dLat),
    lonIndex: wrap(cell.lonIndex, dLon),
    step: cell.step,
  };
}

/** True when two cells are the same (same step and indexes). */
export function sameCell(a: GeoCell, b: GeoCell): boolean {
  return a.step === b.step && a.latIndex === b.latIndex && a.lonIndex === b.lonIndex;
}

// ── Decoding a score ────────────────────────────────────────────────────────────────────

/** The even bits of a uint32, packed into its low 16 bits. */
function evenBits(word: number): number {
  let v = word & 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** Scratch for a score's uint64 as two uint32 halves (high, low). */
const halves = new Uint32Array(2);

/**
 * The uint64 a C cast gives for `score` on x86-64 (gcc): truncation toward zero; a negative
 * value wraps modulo 2^64; below -2^63 (or -inf) the "indefinite" 0x8000000000000000; at 2^64
 * and above (or +inf) 0, from the indefinite value with its top bit flipped. Into `halves`.
 */
function scoreToUint64(score: number): void {
  if (score >= 0 && score < TWO_53) {
    const integer = Math.trunc(score);
    const high = Math.floor(integer / TWO_32);
    halves[0] = high;
    halves[1] = integer - high * TWO_32;
    return;
  }
  let value: bigint;
  if (score >= TWO_64) value = 0n;
  else if (score >= 0) value = BigInt(score); // an integer already at this magnitude
  else if (score < -TWO_63) value = BigInt(INT64_INDEFINITE_HIGH) << 32n;
  else value = BigInt.asUintN(64, BigInt(Math.trunc(score)));
  halves[0] = Number(value >> 32n);
  halves[1] = Number(value & 0xffffffffn);
}

const STEP_MAX_CELLS = 2 ** GEO_STEP_MAX;
const LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN;
const LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN;

/**
 * The position Redis gives a score (GEOPOS, distances, searches): the center of its step-26
 * cell (cellArea's arithmetic, inlined: searches decode every point they look at), clamped to
 * the grid limits. Every double decodes. Written into `into`, which is returned.
 */
export function decodeScoreInto(score: number, into: LonLat): LonLat {
  scoreToUint64(score);
  const high = halves[0];
  const low = halves[1];
  const latIndex = (evenBits(low) | (evenBits(high) << 16)) >>> 0;
  const lonIndex = (evenBits(low >>> 1) | (evenBits(high >>> 1) << 16)) >>> 0;
  // index + 1 is uint32 arithmetic in Redis: it wraps to 0.
  const latMin = GEO_LAT_MIN + (latIndex / STEP_MAX_CELLS) * LAT_SCALE;
  const latMax = GEO_LAT_MIN + (((latIndex + 1) >>> 0) / STEP_MAX_CELLS) * LAT_SCALE;
  const lonMin = GEO_LONG_MIN + (lonIndex / STEP_MAX_CELLS) * LONG_SCALE;
  const lonMax = GEO_LONG_MIN + (((lonIndex + 1) >>> 0) / STEP_MAX_CELLS) * LONG_SCALE;
  into.lon = Math.min(GEO_LONG_MAX, Math.max(GEO_LONG_MIN, (lonMin + lonMax) / 2));
  into.lat = Math.min(GEO_LAT_MAX, Math.max(GEO_LAT_MIN, (latMin + latMax) / 2));
  return into;
}

/** decodeScoreInto a new position. */
export function decodeScore(score: number): LonLat {
  return decodeScoreInto(score, { lon: 0, lat: 0 });
}

/**
 * GEOHASH's 11-character string for a decoded position: re-encoded over the standard latitude
 * range ±90 at 26 bits per axis, read 5 bits at a time from the top of the 52; the 11th
 * character has no bits left and is "0".
 */
export function geohashString(position: LonLat): string {
  const cell = encodeCell(position.lon, position.lat, GEO_STEP_MAX, STANDARD_LAT_RANGE);
  const bits = cell === null ? 0n : cellBits(cell);
  let text = "";
  for (let i = 0; i < GEOHASH_STRING_CHARS - 1; i++) {
    const shift = BigInt(SCORE_BITS - (i + 1) * GEOHASH_CHAR_BITS);
    text += GEOHASH_ALPHABET[Number((bits >> shift) & 0x1fn)];
  }
  return text + GEOHASH_ALPHABET[0];
}
