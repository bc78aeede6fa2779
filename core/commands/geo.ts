// The geo commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS, GEORADIUSBYMEMBER (and their
// _RO forms), GEOSEARCH and GEOSEARCHSTORE. A geo set is a sorted set whose scores are 52-bit
// geohashes, so these handlers own no data type: they read and write sorted sets through
// core/engine/zset.ts and leave the numbers (encoding, distances, search cells, the reply
// formats, Redis's ordering of equal distances) to core/geo/.
//
// One search handler serves all six search commands, as Redis's georadiusGeneric does, so the
// errors come in Redis's order: the source key's type first, then the fixed arguments of the
// GEORADIUS forms, then the options left to right (a FROMMEMBER or FROMLONLAT fails where it
// stands), then the combinations. Option words and units are compared as C's strcasecmp does
// (up to a NUL byte). Replication: GEOADD runs as the ZADD Redis rewrites it into, and travels
// so; the STORE forms travel as they are (a replica recomputes the same result).

import type { Config } from "../config/table.ts";
import { isCWord, latin1 } from "../bytes.ts";
import { ValueType, WrongTypeError } from "../engine/mod.ts";
import {
  RANGE_MAXEX,
  RANGE_WITHSCORES,
  ZADD_CH,
  ZADD_NX,
  ZADD_XX,
  zsetAdd,
  type ZsetElements,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
  zsetResultChanged,
  zsetScores,
} from "../engine/zset.ts";
import { ERR_NOT_FLOAT, ERR_SYNTAX, fail } from "../errors.ts";
import {
  cellScoreRange,
  decodeScore,
  decodeScoreInto,
  distanceInShape,
  distanceM,
  encodeScoreBits,
  formatCoordinate,
  formatDistance,
  formatFixed,
  geohashString,
  type GeoShape,
  isValidLonLat,
  type LonLat,
  partialSort,
  searchCells,
  UNIT_METERS,
} from "../geo/mod.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import { int64Arg } from "./_args.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { parseScore } from "./zset_args.ts";
import { storeElements } from "./zset_reply.ts";

const ERR_UNIT = "ERR unsupported unit provided. please use M, KM, FT, MI";
const ERR_MEMBER = "ERR could not decode requested zset member";
const ERR_COUNT = "ERR COUNT must be > 0";
const ERR_ANY_WITHOUT_COUNT = "ERR the ANY argument requires COUNT argument";

/**
 * The most elements and longest member (bytes) a zset listpack holds: zset-max-listpack-entries
 * / -value, within the engine's bounds (1024, 64). A result within them is stored as a listpack,
 * which keeps scores as integers where it can, so a -0 score is stored as 0.
 */
function zsetListpackLimits(config: Config): { entriesMax: number; valueMaxBytes: number } {
  return {
    entriesMax: Math.min(config.getNumber("zset-max-listpack-entries"), 1024),
    valueMaxBytes: Math.min(config.getNumber("zset-max-listpack-value"), 64),
  };
}

// ── Arguments ───────────────────────────────────────────────────────────────────────────

/** A double as Redis's getDoubleFromObjectOrReply reads it, failing with `message`. */
function doubleArg(arg: Uint8Array, message: string = ERR_NOT_FLOAT): number {
  const value = parseScore(arg);
  if (value === null) fail(message);
  return value;
}

/** argv[at], argv[at + 1] as longitude, latitude: both numbers first, then the limits. */
function lonLatArg(argv: Uint8Array[], at: number): LonLat {
  const lon = doubleArg(argv[at]);
  const lat = doubleArg(argv[at + 1]);
  if (!isValidLonLat(lon, lat)) {
    fail(`ERR invalid longitude,latitude pair ${formatFixed(lon)},${formatFixed(lat)}`);
  }
  return { lon, lat };
}

/** A unit word (m, km, ft, mi, any case) → meters per unit. */
function unitArg(arg: Uint8Array): number {
  for (const [name, meters] of Object.entries(UNIT_METERS)) {
    if (isCWord(arg, name)) return meters;
  }
  fail(ERR_UNIT);
}

/** `radius unit` at argv[at]. */
function radiusArg(argv: Uint8Array[], at: number): { radius: number; unitMeters: number } {
  const radius = doubleArg(argv[at], "ERR need numeric radius");
  if (radius < 0) fail("ERR radius cannot be negative");
  return { radius, unitMeters: unitArg(argv[at + 1]) };
}

/** `width height unit` at argv[at]. */
function boxArg(
  argv: Uint8Array[],
  at: number,
): { width: number; height: number; unitMeters: number } {
  const width = doubleArg(argv[at], "ERR need numeric width");
  const height = doubleArg(argv[at + 1], "ERR need numeric height");
  if (height < 0 || width < 0) fail("ERR height or width cannot be negative");
  return { width, height, unitMeters: unitArg(argv[at + 2]) };
}

/** True when key holds a zset, false when it is missing; WRONGTYPE for any other type. */
function zsetExists(ctx: CommandContext, key: Uint8Array): boolean {
  const type = ctx.server.engine.typeOf(ctx.client.db, key, ctx.nowMs);
  if (type >= 0 && type !== ValueType.Zset) throw new WrongTypeError();
  return type >= 0;
}

/** The position of member in the zset at key (which exists), or Redis's decode error. */
function memberPosition(ctx: CommandContext, key: Uint8Array, member: Uint8Array): LonLat {
  const { server, client } = ctx;
  const score = zsetScores(server.engine, client.db, key, [member], ctx.nowMs)?.[0] ?? null;
  if (score === null) fail(ERR_MEMBER);
  return decodeScore(score);
}

const encoder = new TextEncoder();

/**
 * A coordinate reply: RESP3 a double `,<text>`, RESP2 a bulk string, the text "%.17Lf"-like
 * (Redis's addReplyHumanLongDouble; ReplyWriter.double would print %.17g).
 */
function replyCoordinate(out: ReplyWriter, value: number): void {
  const text = formatCoordinate(value);
  if (out.protocol === 3) out.raw(encoder.encode(`,${text}\r\n`));
  else out.bulkString(text);
}

// ── GEOADD ──────────────────────────────────────────────────────────────────────────────

/**
 * GEOADD key [NX|XX] [CH] longitude latitude member [longitude latitude member ...]
 * → added count (with CH: added + moved). Redis turns it into ZADD key [options] score member …
 * and runs that, so: option words, then the triple count and NX with XX (both a syntax error),
 * then every coordinate pair, then the key's type. Replicates as that ZADD.
 */
function geoaddCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  let flags = 0;
  let lonIndex = 2;
  for (; lonIndex < argv.length; lonIndex++) {
    const opt = argv[lonIndex];
    if (isCWord(opt, "nx")) flags |= ZADD_NX;
    else if (isCWord(opt, "xx")) flags |= ZADD_XX;
    else if (isCWord(opt, "ch")) flags |= ZADD_CH;
    else break;
  }
  const tripleArgs = argv.length - lonIndex;
  if (tripleArgs % 3 !== 0 || ((flags & ZADD_NX) && (flags & ZADD_XX))) fail(ERR_SYNTAX);
  // Options only (GEOADD k CH CH CH): the ZADD it becomes has no pair, a syntax error there.
  if (tripleArgs === 0) fail(ERR_SYNTAX);
  const count = tripleArgs / 3;
  const scores: number[] = new Array(count);
  const members: Uint8Array[] = new Array(count);
  const zaddArgv: (Uint8Array | string)[] = ["zadd", ...argv.slice(1, lonIndex)];
  for (let i = 0; i < count; i++) {
    const at = lonIndex + i * 3;
    const { lon, lat } = lonLatArg(argv, at);
    const bits = encodeScoreBits(lon, lat)!; // valid: lonLatArg checked the limits
    scores[i] = Number(bits);
    members[i] = argv[at + 2];
    zaddArgv.push(bits.toString(), members[i]);
  }
  const key = argv[1];
  const result = zsetAdd(server.engine, client.db, key, scores, members, flags, ctx.nowMs);
  if (zsetResultChanged(server.engine) > 0) server.keyModified(client.db, key);
  ctx.propagateAs = [zaddArgv];
  ctx.out.integer(result);
}

// ── GEODIST, GEOHASH, GEOPOS ────────────────────────────────────────────────────────────

/** GEODIST key member1 member2 [M|KM|FT|MI] → distance (4 decimals), nil if either is missing. */
function geodistCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  let unitMeters = 1;
  if (argv.length === 5) unitMeters = unitArg(argv[4]);
  else if (argv.length > 5) fail(ERR_SYNTAX);
  const scores = zsetScores(server.engine, client.db, argv[1], [argv[2], argv[3]], ctx.nowMs);
  const first = scores?.[0] ?? null;
  const second = scores?.[1] ?? null;
  if (first === null || second === null) return out.nullBulk();
  const a = decodeScore(first);
  const b = decodeScore(second);
  out.bulkString(formatDistance(distanceM(a.lon, a.lat, b.lon, b.lat) / unitMeters));
}

/** The scores of argv[2..] in the zset at argv[1] (all null when missing); WRONGTYPE first. */
function requestedScores(ctx: CommandContext): (number | null)[] {
  const { argv, server, client } = ctx;
  const members = argv.slice(2);
  if (!zsetExists(ctx, argv[1]) || members.length === 0) return members.map(() => null);
  return zsetScores(server.engine, client.db, argv[1], members, ctx.nowMs) ??
    members.map(() => null);
}

/** GEOHASH key [member ...] → 11-character geohash strings, nil for missing members. */
function geohashCommand(ctx: CommandContext): void {
  const scores = requestedScores(ctx);
  ctx.out.arrayHeader(scores.length);
  for (const score of scores) {
    if (score === null) ctx.out.nullBulk();
    else ctx.out.bulkString(geohashString(decodeScore(score)));
  }
}

/** GEOPOS key [member ...] → [longitude, latitude] pairs, a null array for missing members. */
function geoposCommand(ctx: CommandContext): void {
  const { out } = ctx;
  const scores = requestedScores(ctx);
  out.arrayHeader(scores.length);
  for (const score of scores) {
    if (score === null) {
      out.nullArray();
      continue;
    }
    const position = decodeScore(score);
    out.arrayHeader(2);
    replyCoordinate(out, position.lon);
    replyCoordinate(out, position.lat);
  }
}

// ── Searches ────────────────────────────────────────────────────────────────────────────

/** Which search command runs (Redis's RADIUS_COORDS, RADIUS_MEMBER, GEOSEARCH flags). */
const enum SearchForm {
  /** GEORADIUS[_RO] key longitude latitude radius unit … */
  Coordinates,
  /** GEORADIUSBYMEMBER[_RO] key member radius unit … */
  Member,
  /** GEOSEARCH key FROMMEMBER|FROMLONLAT … BYRADIUS|BYBOX … */
  Search,
  /** GEOSEARCHSTORE destination source … as GEOSEARCH … [STOREDIST] */
  SearchStore,
}

const enum Order {
  None,
  Ascending,
  Descending,
}

/** One point found: the member, its score and position, meters from the center. */
interface FoundPoint {
  member: Uint8Array;
  score: number;
  lon: number;
  lat: number;
  distanceM: number;
}

/** The shape being assembled from the arguments. */
interface ShapeArgs {
  center: LonLat | null;
  radius: { radius: number; unitMeters: number } | null;
  box: { width: number; height: number; unitMeters: number } | null;
}

/**
 * GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
 *   [COUNT count [ANY]] [ASC|DESC] [STORE key|STOREDIST key]; GEORADIUSBYMEMBER key member radius
 *   unit …; the _RO forms without STORE; GEOSEARCH key FROMMEMBER member|FROMLONLAT lon lat
 *   BYRADIUS radius unit|BYBOX width height unit [ASC|DESC] [COUNT count [ANY]] [WITHCOORD]
 *   [WITHDIST] [WITHHASH]; GEOSEARCHSTORE destination source … [STOREDIST].
 * Replies: members (each with its options as a nested array), or with a destination the count
 * stored there (scores the geohashes, or the distances with STOREDIST; none deletes it). A
 * missing source replies an empty array, or 0 after deleting the destination. Results come in
 * the order the cells were scanned, sorted by distance with ASC, DESC or COUNT (not COUNT ANY).
 */
function geoSearchGeneric(ctx: CommandContext, form: SearchForm, storeAllowed: boolean): void {
  const { argv } = ctx;
  const sourceIndex = form === SearchForm.SearchStore ? 2 : 1;
  const sourceKey = argv[sourceIndex];
  const exists = zsetExists(ctx, sourceKey);
  const shape: ShapeArgs = { center: null, radius: null, box: null };
  let baseArgs: number;
  let storeKey: Uint8Array | null = null;
  if (form === SearchForm.Coordinates) {
    baseArgs = 6;
    shape.center = lonLatArg(argv, 2);
    shape.radius = radiusArg(argv, 4);
  } else if (form === SearchForm.Member) {
    baseArgs = 5;
    // Without a source Redis skips the member and the radius, and only reads the options.
    if (exists) {
      shape.center = memberPosition(ctx, sourceKey, argv[2]);
      shape.radius = radiusArg(argv, 3);
    }
  } else {
    baseArgs = sourceIndex + 1;
    if (form === SearchForm.SearchStore) storeKey = argv[1];
  }
  const isSearch = form === SearchForm.Search || form === SearchForm.SearchStore;

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let storeDist = false;
  let any = false;
  let order = Order.None;
  let count = 0n;
  for (let i = baseArgs; i < argv.length; i++) {
    const arg = argv[i];
    const remaining = argv.length - i - 1;
    if (isCWord(arg, "withdist")) withDist = true;
    else if (isCWord(arg, "withhash")) withHash = true;
    else if (isCWord(arg, "withcoord")) withCoord = true;
    else if (isCWord(arg, "any")) any = true;
    else if (isCWord(arg, "asc")) order = Order.Ascending;
    else if (isCWord(arg, "desc")) order = Order.Descending;
    else if (isCWord(arg, "count") && remaining >= 1) {
      count = int64Arg(argv[++i]);
      if (count <= 0n) fail(ERR_COUNT);
    } else if (
      (isCWord(arg, "store") || isCWord(arg, "storedist")) && remaining >= 1 && storeAllowed &&
      !isSearch
    ) {
      storeDist = isCWord(arg, "storedist");
      storeKey = argv[++i];
    } else if (isCWord(arg, "storedist") && form === SearchForm.SearchStore) {
      storeDist = true;
    } else if (isCWord(arg, "frommember") && remaining >= 1 && isSearch && !fromLonLat) {
      const member = argv[++i];
      if (exists) shape.center = memberPosition(ctx, sourceKey, member);
      fromMember = true;
    } else if (isCWord(arg, "fromlonlat") && remaining >= 2 && isSearch && !fromMember) {
      shape.center = lonLatArg(argv, i + 1);
      fromLonLat = true;
      i += 2;
    } else if (isCWord(arg, "byradius") && remaining >= 2 && isSearch && shape.box === null) {
      shape.radius = radiusArg(argv, i + 1);
      i += 2;
    } else if (isCWord(arg, "bybox") && remaining >= 3 && isSearch && shape.radius === null) {
      shape.box = boxArg(argv, i + 1);
      i += 3;
    } else fail(ERR_SYNTAX);
  }

  if (storeKey !== null && (withDist || withHash || withCoord)) {
    const what = form === SearchForm.SearchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS";
    fail(`ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  if (isSearch && !fromMember && !fromLonLat) {
    fail(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${latin1(argv[0])}`);
  }
  if (isSearch && shape.radius === null && shape.box === null) {
    fail(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${latin1(argv[0])}`);
  }
  if (any && count === 0n) fail(ERR_ANY_WITHOUT_COUNT);

  if (!exists) {
    if (storeKey !== null) return storeElements(ctx, storeKey, [], []);
    return ctx.out.arrayHeader(0);
  }
  // COUNT without ANY means "the nearest count": it sorts even when no order was asked.
  if (count !== 0n && order === Order.None && !any) order = Order.Ascending;

  const center = shape.center!; // set: the source exists, and a search needs FROM… to get here
  const geoShape: GeoShape = shape.radius !== null
    ? { kind: "radius", center, ...shape.radius }
    : { kind: "box", center, ...shape.box! };
  const found = findPoints(ctx, sourceKey, geoShape, any ? count : 0n);
  const returnedCount = count === 0n || BigInt(found.length) < count ? found.length : Number(count);
  if (order !== Order.None) sortByDistance(found, order, returnedCount);

  const returned = found.slice(0, returnedCount);
  for (const point of returned) point.distanceM /= geoShape.unitMeters; // now in the unit
  if (storeKey === null) return replyPoints(ctx.out, returned, withDist, withHash, withCoord);
  storePoints(ctx, storeKey, returned, storeDist);
}

/** Where findPoints decodes each score it looks at (most are not kept). */
const scratchPosition: LonLat = { lon: 0, lat: 0 };

/**
 * The points of the zset at key inside `shape`, cell by cell in scan order and by score within
 * a cell; with a `limit` (COUNT … ANY) the scan stops once it has that many.
 */
function findPoints(
  ctx: CommandContext,
  key: Uint8Array,
  shape: GeoShape,
  limit: bigint,
): FoundPoint[] {
  const { server, client } = ctx;
  const found: FoundPoint[] = [];
  const full = () => limit > 0n && BigInt(found.length) >= limit;
  for (const cell of searchCells(shape)) {
    if (full()) break;
    const { min, max } = cellScoreRange(cell);
    const elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Score,
      flags: RANGE_MAXEX | RANGE_WITHSCORES, // min ≤ score < max
      a: min,
      b: max,
    }, ctx.nowMs) as ZsetElements | null;
    if (elements === null) break;
    const { members, scores } = elements;
    for (let i = 0; i < members.length; i++) {
      const position = decodeScoreInto(scores[i], scratchPosition);
      const distance = distanceInShape(shape, position);
      if (distance !== null) {
        const { lon, lat } = position;
        found.push({ member: members[i], score: scores[i], lon, lat, distanceM: distance });
      }
      if (full()) break;
    }
  }
  return found;
}

/**
 * Orders points by distance as Redis does: all of them with a stable sort (glibc's qsort), or
 * only the first `returnedCount` places with Redis's own partial quicksort.
 */
function sortByDistance(points: FoundPoint[], order: Order, returnedCount: number): void {
  const ascending = (a: FoundPoint, b: FoundPoint) =>
    a.distanceM > b.distanceM ? 1 : a.distanceM === b.distanceM ? 0 : -1;
  const compare = order === Order.Ascending
    ? ascending
    : (a: FoundPoint, b: FoundPoint) => -ascending(a, b);
  if (returnedCount === points.length) points.sort(compare);
  else partialSort(points, compare, 0, returnedCount - 1);
}

/** The search reply: members, or per member [member, dist?, hash?, [lon, lat]?]. */
function replyPoints(
  out: ReplyWriter,
  points: FoundPoint[],
  withDist: boolean,
  withHash: boolean,
  withCoord: boolean,
): void {
  const optionCount = Number(withDist) + Number(withHash) + Number(withCoord);
  out.arrayHeader(points.length);
  for (const point of points) {
    if (optionCount > 0) out.arrayHeader(optionCount + 1);
    out.bulk(point.member);
    if (withDist) out.bulkString(formatDistance(point.distanceM));
    // The score as C's (long long) cast: truncated (scores found are within 0..2^52).
    if (withHash) out.integer(Math.trunc(point.score) || 0);
    if (withCoord) {
      out.arrayHeader(2);
      replyCoordinate(out, point.lon);
      replyCoordinate(out, point.lat);
    }
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/**
 * STORE / STOREDIST / GEOSEARCHSTORE: replaces the destination with the points, scored by
 * geohash or by distance (in the unit); none deletes it. Replies the count.
 */
function storePoints(
  ctx: CommandContext,
  destination: Uint8Array,
  points: FoundPoint[],
  byDistance: boolean,
): void {
  const { entriesMax, valueMaxBytes } = zsetListpackLimits(ctx.server.config);
  const packed = points.length <= entriesMax &&
    points.every((point) => point.member.length <= valueMaxBytes);
  const elements = points.map((point) => {
    const score = byDistance ? point.distanceM : point.score;
    return { member: point.member, score: packed && score === 0 ? 0 : score };
  });
  elements.sort((x, y) =>
    x.score < y.score ? -1 : x.score > y.score ? 1 : compareBytes(x.member, y.member)
  );
  storeElements(
    ctx,
    destination,
    elements.map((element) => element.member),
    elements.map((element) => element.score),
  );
}

// ── Command table ───────────────────────────────────────────────────────────────────────

/** Key specs as Redis 7.0 declares them (COMMAND INFO): the source read, a store written. */
const READ_SOURCE: KeySpec = {
  flags: ["RO", "access"],
  beginIndex: 1,
  lastKey: 0,
  keyStep: 1,
  limit: 0,
};
const UPDATE_FIRST: KeySpec = { ...READ_SOURCE, flags: ["RW", "update"] };
/** The key after a STORE / STOREDIST option at or after argv index `startFrom`. */
function storeOptionSpecs(startFrom: number): KeySpec[] {
  return ["STORE", "STOREDIST"].map((keyword) => ({
    ...READ_SOURCE,
    flags: ["OW", "update"],
    beginKeyword: { keyword, startFrom },
  }));
}

const WRITE = ["write", "geo", "slow"];
const READ = ["read", "geo", "slow"];
const GROUP = "geo";
const SEARCH_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.";
const SEARCH_BOX_COMPLEXITY =
  "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape";

export const GEO_COMMANDS: CommandDefinition[] = [
  {
    name: "geoadd",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    keySpecs: [UPDATE_FIRST],
    categories: WRITE,
    group: GROUP,
    summary:
      "Add one or more geospatial items in the geospatial index represented using a sorted set",
    since: "3.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    handler: geoaddCommand,
  },
  {
    name: "geodist",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary: "Returns the distance between two members of a geospatial index",
    since: "3.2.0",
    complexity: "O(log(N))",
    handler: geodistCommand,
  },
  {
    name: "geohash",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary: "Returns members of a geospatial index as standard geohash strings",
    since: "3.2.0",
    complexity:
      "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
    handler: geohashCommand,
  },
  {
    name: "geopos",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary: "Returns longitude and latitude of members of a geospatial index",
    since: "3.2.0",
    complexity: "O(N) where N is the number of members requested.",
    handler: geoposCommand,
  },
  {
    name: "georadius",
    arity: -6,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE, ...storeOptionSpecs(6)],
    categories: WRITE,
    group: GROUP,
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point",
    since: "3.2.0",
    complexity: SEARCH_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.Coordinates, true),
  },
  {
    name: "georadius_ro",
    arity: -6,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary: "A read-only variant for GEORADIUS",
    since: "3.2.10",
    complexity: SEARCH_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.Coordinates, false),
  },
  {
    name: "georadiusbymember",
    arity: -5,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE, ...storeOptionSpecs(5)],
    categories: WRITE,
    group: GROUP,
    summary:
      "Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member",
    since: "3.2.0",
    complexity: SEARCH_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.Member, true),
  },
  {
    name: "georadiusbymember_ro",
    arity: -5,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary: "A read-only variant for GEORADIUSBYMEMBER",
    since: "3.2.10",
    complexity: SEARCH_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.Member, false),
  },
  {
    name: "geosearch",
    arity: -7,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_SOURCE],
    categories: READ,
    group: GROUP,
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.",
    since: "6.2.0",
    complexity: SEARCH_BOX_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.Search, false),
  },
  {
    name: "geosearchstore",
    arity: -8,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    keySpecs: [{ ...READ_SOURCE, flags: ["OW", "update"] }, { ...READ_SOURCE, beginIndex: 2 }],
    categories: WRITE,
    group: GROUP,
    summary:
      "Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.",
    since: "6.2.0",
    complexity: SEARCH_BOX_COMPLEXITY,
    handler: (ctx) => geoSearchGeneric(ctx, SearchForm.SearchStore, true),
  },
];
