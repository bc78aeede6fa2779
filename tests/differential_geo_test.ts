// Differential tests for the geo commands: a hand-written corpus (every command, option, unit
// and error text, in Redis's order; points at the poles' limits and the antimeridian; members
// whose scores are not geohashes; STORE and STOREDIST into keys of other types; RESP3) and a
// seeded random sequence of geo and sorted-set commands on a few keys must get the same bytes
// from resplica as from redis-server 7.0.
//
// Nothing is compared order-insensitively: Redis answers in the order the search scanned its
// cells, or sorted by distance (ties included: COUNT below the result size runs Redis's own
// partial quicksort, whose order of equal distances the corpus pins with clusters of points at
// one spot).
//
// Distances are compared to the last bit (STOREDIST scores print 17 digits), which holds only
// when resplica computes them with the C library's libm, as redis-server does: the random
// sequence insists on it (run with --allow-ffi; core/geo/libm.ts says why).
//
// RESPLICA_DIFF_SEED=<n> replays the random sequence; RESPLICA_DIFF_KEEP_GOING=1 reports every
// mismatching step.

import assert from "node:assert/strict";
import { trigIsLibm } from "../core/geo/mod.ts";
import {
  arity,
  type DiffCase,
  diffSeed,
  type DiffStep,
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  expect,
  keepGoingFromEnv,
  runCase,
  runCorpus,
  seededRandom,
  weightedPicker,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { isSelfTest } from "./_support/subject.ts";

/** Commands in the random sequence (RESP2, then a shorter RESP3 one). */
const RANDOM_RESP2_COMMAND_COUNT = 5_000;
const RANDOM_RESP3_COMMAND_COUNT = 1_500;

const keepGoing = keepGoingFromEnv();

const ERR_UNIT = "-ERR unsupported unit provided. please use M, KM, FT, MI\r\n";
const ERR_MEMBER = "-ERR could not decode requested zset member\r\n";
const ERR_RADIUS = "-ERR need numeric radius\r\n";
const ERR_RADIUS_NEGATIVE = "-ERR radius cannot be negative\r\n";
const ERR_ANY = "-ERR the ANY argument requires COUNT argument\r\n";
const ERR_COUNT = "-ERR COUNT must be > 0\r\n";
const LONG = "m".repeat(70);

function pair(lon: number | string, lat: number | string): string {
  return `-ERR invalid longitude,latitude pair ${lon},${lat}\r\n`;
}

const SICILY = "GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania";
const NYC = [
  "GEOADD",
  "nyc",
  "-73.9454966",
  "40.747533",
  "lic market",
  "-73.9733487",
  "40.7648057",
  "central park n/q/r",
  "-73.9903085",
  "40.7362513",
  "union square",
  "-74.0131604",
  "40.7126674",
  "wtc one",
  "-73.7858139",
  "40.6428986",
  "jfk",
  "-73.9375699",
  "40.7498929",
  "q4",
  "-73.9564142",
  "40.7480973",
  "4545",
];

/** GEOADD of `count` members `prefix0…` all at (lon, lat): equal distances from any center. */
function cluster(key: string, count: number, lon: string, lat: string, prefix = "p"): string[] {
  const args = ["GEOADD", key];
  for (let i = 0; i < count; i++) args.push(lon, lat, `${prefix}${i}`);
  return args;
}

/** GEOADD of a lon × lat grid of points named g<i>_<j>, `stepDeg` apart, from (lon0, lat0). */
function grid(key: string, lon0: number, lat0: number, side: number, stepDeg: number): string[] {
  const args = ["GEOADD", key];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      args.push(String(lon0 + i * stepDeg), String(lat0 + j * stepDeg), `g${i}_${j}`);
    }
  }
  return args;
}

export const geoCases: DiffCase[] = [
  {
    name: "GEOADD basics, options and scores",
    steps: [
      expect(NYC, ":7\r\n"),
      "ZRANGE nyc 0 -1 WITHSCORES",
      expect(["GEOADD", "nyc", "-73.9454966", "40.747533", "lic market"], ":0\r\n"),
      expect(["GEOADD", "nyc", "CH", "40.747533", "-73.9454966", "lic market"], ":1\r\n"),
      expect(["GEOADD", "nyc", "NX", "-73.9454966", "40.747533", "lic market"], ":0\r\n"),
      expect(["GEOADD", "nyc", "XX", "-83.9454966", "40.747533", "lic market"], ":0\r\n"),
      expect(["GEOADD", "nyc", "CH", "NX", "-73.9454966", "40.747533", "lic market"], ":0\r\n"),
      expect(["GEOADD", "nyc", "CH", "XX", "-73.9454966", "40.747533", "lic market"], ":1\r\n"),
      ["GEOADD", "nyc", "xx", "ch", "1", "2", "lic market", "3", "4", "nope"],
      ["GEOADD", "nyc", "nx", "ch", "ch", "1", "2", "new", "3", "4", "lic market"],
      "ZSCORE nyc new",
      "EXISTS nope",
      expect("GEOADD missing XX 1 2 a", ":0\r\n"),
      "EXISTS missing",
      "GEOADD dup 1 1 a 2 2 a 3 3 a",
      "ZRANGE dup 0 -1 WITHSCORES",
      "GEOADD dup CH 1 1 a 1 1 a",
      "GEOADD limits 180 85.05112878 ne 180 -85.05112878 se -180 0 w 0 0 origin",
      "GEOADD limits -180 -85.05112878 sw -180 85.05112878 nw 179.9999999 0.0000001 almost",
      "ZRANGE limits 0 -1 WITHSCORES",
      "GEOPOS limits ne se w origin sw nw almost",
      "GEOHASH limits ne se w origin sw nw almost",
      "GEOADD z 1e-300 -1e-300 tiny 0x10 0x1p3 hex 1E1 .5 e",
      "GEOPOS z tiny hex e",
      "OBJECT ENCODING nyc",
      ["GEOADD", "bin", "1", "2", "a\u0000b", "3", "4", ""],
      "ZRANGE bin 0 -1 WITHSCORES",
    ],
  },
  {
    name: "GEOADD errors",
    steps: [
      expect("GEOADD k 1 2", arity("geoadd")),
      expect("GEOADD k", arity("geoadd")),
      expect("GEOADD k 1 2 a 3", ERR_SYNTAX),
      expect("GEOADD k NX 1 2", ERR_SYNTAX),
      expect("GEOADD k xx nx 1 2 a", ERR_SYNTAX),
      expect("GEOADD k NX XX CH 1 2 a", ERR_SYNTAX),
      expect("GEOADD k ch xx foo 1 2 a", ERR_SYNTAX),
      expect("GEOADD k CH CH CH", ERR_SYNTAX),
      expect("GEOADD k GT 1 2 a", ERR_SYNTAX),
      expect("GEOADD k GT 1 2 a 3", ERR_SYNTAX),
      expect("GEOADD k GT 1 a 3 4 b", ERR_NOT_FLOAT),
      expect("GEOADD k INCR 1 2", ERR_NOT_FLOAT),
      expect("GEOADD k 1 2 a foo bar b", ERR_NOT_FLOAT),
      "EXISTS k",
      expect("GEOADD k 1 bar a", ERR_NOT_FLOAT),
      expect("GEOADD k nan 1 a", ERR_NOT_FLOAT),
      expect(["GEOADD", "k", " 1", "2", "a"], ERR_NOT_FLOAT),
      expect(["GEOADD", "k", "", "2", "a"], ERR_NOT_FLOAT),
      expect("GEOADD k 1e400 2 a", ERR_NOT_FLOAT),
      expect("GEOADD k 181 0 a", pair("181.000000", "0.000000")),
      expect("GEOADD k -181 0 a", pair("-181.000000", "0.000000")),
      expect("GEOADD k 0 86 a", pair("0.000000", "86.000000")),
      expect("GEOADD k -0 -86 a", pair("-0.000000", "-86.000000")),
      expect("GEOADD k 0.0078125 90 a", pair("0.007812", "90.000000")),
      expect("GEOADD k 0.0234375 90 a", pair("0.023438", "90.000000")),
      expect("GEOADD k inf 0 a", pair("inf", "0.000000")),
      expect("GEOADD k 0 -inf a", pair("0.000000", "-inf")),
      expect("GEOADD k 1 85.05112879 a", pair("1.000000", "85.051129")),
      expect("GEOADD k 180.0000001 0 a", pair("180.000000", "0.000000")),
      "GEOADD k 1e300 1e-7 a",
      "GEOADD k -1e-7 1e22 a",
      "GEOADD k 1 2 ok 200 0 bad",
      "EXISTS k",
      "SET s x",
      expect("GEOADD s 1 2 a", ERR_WRONGTYPE),
      expect("GEOADD s 200 2 a", pair("200.000000", "2.000000")),
      expect("GEOADD s NX XX 1 2 a", ERR_SYNTAX),
      ["GEOADD", "k", "x\u0000", "1", "2", "a"],
      ["GEOADD", "k", "ch\u0000x", "1", "2", "a"],
    ],
  },
  {
    name: "GEOPOS and GEOHASH",
    steps: [
      "GEOADD points 10 20 a 30 40 b -5.6 42.6 test",
      "GEOPOS points a b x test",
      "GEOHASH points a b x test",
      expect("GEOPOS points", "*0\r\n"),
      expect("GEOHASH points", "*0\r\n"),
      "GEOPOS nokey a b",
      "GEOHASH nokey a b",
      expect("GEOPOS nokey", "*0\r\n"),
      expect("GEOPOS", arity("geopos")),
      expect("GEOHASH", arity("geohash")),
      "SET s x",
      expect("GEOPOS s a", ERR_WRONGTYPE),
      expect("GEOHASH s a", ERR_WRONGTYPE),
      expect("GEOPOS s", ERR_WRONGTYPE),
      "RPUSH l a",
      expect("GEOHASH l", ERR_WRONGTYPE),
      // Scores that are not geohashes still decode: Redis casts the double to uint64.
      "ZADD odd -5 neg 1e30 huge inf pinf -inf ninf 5.5 frac 9007199254740993 big -0 nzero 0 zero",
      "ZADD odd 4503599627370496 top 4503599627370495 topm 1e19 e19 -1e19 ne19 0.5 half -1 m1",
      "ZADD odd 1.8446744073709552e19 two64 9.2233720368547758e18 two63 -9.2233720368547758e18 m63",
      "GEOPOS odd neg huge pinf ninf frac big nzero zero top topm e19 ne19 half m1 two64 two63 m63",
      "GEOHASH odd neg huge pinf ninf frac big nzero zero top topm e19 ne19 half m1 two64 two63",
      "GEODIST odd neg huge",
      "GEODIST odd frac zero km",
      "GEORADIUS odd 0 0 30000 km WITHCOORD WITHHASH WITHDIST",
      "GEOSEARCH odd FROMLONLAT -180 -85 BYRADIUS 1000 km WITHHASH WITHCOORD",
      "GEOSEARCH odd FROMMEMBER neg BYBOX 100 100 km WITHCOORD",
    ],
  },
  {
    name: "GEODIST units and errors",
    steps: [
      SICILY,
      expect("GEODIST Sicily Palermo Catania", "$11\r\n166274.1516\r\n"),
      expect("GEODIST Sicily Palermo Catania km", "$8\r\n166.2742\r\n"),
      "GEODIST Sicily Palermo Catania KM",
      "GEODIST Sicily Palermo Catania m",
      "GEODIST Sicily Palermo Catania M",
      "GEODIST Sicily Palermo Catania ft",
      "GEODIST Sicily Palermo Catania mi",
      "GEODIST Sicily Catania Palermo Mi",
      ["GEODIST", "Sicily", "Palermo", "Catania", "km\u0000junk"],
      expect("GEODIST Sicily Palermo Palermo", "$6\r\n0.0000\r\n"),
      expect("GEODIST Sicily Palermo Agrigento", "$-1\r\n"),
      expect("GEODIST Sicily Ragusa Agrigento", "$-1\r\n"),
      expect("GEODIST nokey Palermo Catania", "$-1\r\n"),
      expect("GEODIST Sicily Palermo Catania furlong", ERR_UNIT),
      expect("GEODIST Sicily Palermo Catania km extra", ERR_SYNTAX),
      expect("GEODIST nokey a b bad", ERR_UNIT),
      expect("GEODIST Sicily Palermo", arity("geodist")),
      "SET s x",
      expect("GEODIST s a b", ERR_WRONGTYPE),
      expect("GEODIST s a b parsec", ERR_UNIT),
      expect("GEODIST s a b km x", ERR_SYNTAX),
      "GEOADD w -179.9 0 a 179.9 0 b 0 85.05 n 180 -85.05 s",
      "GEODIST w a b",
      "GEODIST w n s km",
      "GEODIST w a n mi",
    ],
  },
  {
    name: "GEORADIUS and GEOSEARCH results and options",
    steps: [
      NYC,
      "GEORADIUS nyc -73.9798091 40.7598464 3 km",
      expect(
        "GEORADIUS nyc -73.9798091 40.7598464 3 km asc",
        "*3\r\n$18\r\ncentral park n/q/r\r\n$4\r\n4545\r\n$12\r\nunion square\r\n",
      ),
      "GEORADIUS nyc -73.9798091 40.7598464 3 km desc",
      "GEORADIUS nyc -73.9798091 40.7598464 3 km withdist asc",
      "GEORADIUS nyc -73.9798091 40.7598464 3 km WITHCOORD WITHDIST WITHHASH",
      "GEORADIUS nyc -73.9798091 40.7598464 3 km WITHHASH",
      "GEORADIUS nyc -73.9798091 40.7598464 3 km withcoord withcoord",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 3",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 3 ANY",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km ANY COUNT 3 ASC",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 2 DESC",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 100 DESC WITHDIST",
      "GEORADIUS nyc -73.9798091 40.7598464 10 km COUNT 1 COUNT 5 asc desc",
      "GEORADIUS nyc -73.9798091 40.7598464 6.2 mi WITHDIST",
      "GEORADIUS nyc -73.9798091 40.7598464 30000 ft WITHDIST ASC",
      "GEORADIUS nyc -73.9798091 40.7598464 10000 m WITHDIST ASC",
      "GEORADIUS nyc -73.9798091 40.7598464 0 km",
      "GEORADIUS nyc -73.9454966 40.747533 0 m WITHDIST",
      ["GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "KM\u0000x", "ASC"],
      ["GEORADIUS", "nyc", "-73.9798091", "40.7598464", "10", "km", "withdist\u0000x"],
      "GEORADIUS_RO nyc -73.9798091 40.7598464 10 km WITHDIST ASC COUNT 4",
      "GEORADIUSBYMEMBER nyc jfk 20 km WITHDIST",
      "GEORADIUSBYMEMBER nyc 4545 7 km WITHCOORD ASC",
      "GEORADIUSBYMEMBER_RO nyc q4 2 mi DESC WITHHASH",
      "GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 6 6 km ASC",
      "GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 6 6 km WITHDIST",
      "GEOSEARCH nyc FROMMEMBER jfk BYRADIUS 20 km DESC WITHCOORD WITHDIST WITHHASH",
      "GEOSEARCH nyc FROMMEMBER 4545 BYBOX 14 14 km COUNT 2 ANY",
      "GEOSEARCH nyc FROMMEMBER x FROMMEMBER 4545 BYRADIUS 1 km BYRADIUS 5 km",
      "GEOSEARCH nyc BYBOX 10 2 mi FROMLONLAT -73.98 40.75 asc",
      "GEOSEARCH nyc FROMLONLAT -73.98 40.75 BYBOX 0 0 km",
      "GEOSEARCH nyc FROMLONLAT -73.9454966 40.747533 BYBOX 0 0 km WITHDIST",
      "GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 1 km",
      "GEORADIUS nyc 0 0 1 km",
      "GEORADIUS nyc -73.9798091 40.7598464 20000 km WITHDIST",
      "GEOSEARCH nyc FROMLONLAT 100 -40 BYRADIUS 20000 km WITHDIST",
      "GEORADIUS nyc -73.9798091 40.7598464 inf km WITHDIST",
      "GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX inf inf km WITHDIST",
      "GEOSEARCH nyc FROMLONLAT -73.9798091 40.7598464 BYBOX 1e-300 1e300 km",
      "GEORADIUS nyc -73.9798091 40.7598464 5e-324 km",
    ],
  },
  {
    name: "search errors in Redis's order",
    steps: [
      NYC,
      expect("GEORADIUS nyc 0 0 1", arity("georadius")),
      expect("GEORADIUSBYMEMBER nyc jfk 1", arity("georadiusbymember")),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS", arity("geosearch")),
      expect("GEOSEARCHSTORE d nyc FROMLONLAT 0 0 BYRADIUS", arity("geosearchstore")),
      expect("GEORADIUS nyc x 0 1 km", ERR_NOT_FLOAT),
      expect("GEORADIUS nyc 0 y 1 km", ERR_NOT_FLOAT),
      expect("GEORADIUS nyc 200 y 1 km", ERR_NOT_FLOAT),
      expect("GEORADIUS nyc 200 100 1 km", pair("200.000000", "100.000000")),
      expect("GEORADIUS nyc 0 0 x km", ERR_RADIUS),
      expect("GEORADIUS nyc 0 0 -1 km", ERR_RADIUS_NEGATIVE),
      expect("GEORADIUS nyc 0 0 -1 parsec", ERR_RADIUS_NEGATIVE),
      expect("GEORADIUS nyc 0 0 1 parsec", ERR_UNIT),
      expect("GEORADIUS nyc 0 0 1 km BOGUS", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km COUNT", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km COUNT x", ERR_NOT_INTEGER),
      expect("GEORADIUS nyc 0 0 1 km COUNT 0", ERR_COUNT),
      expect("GEORADIUS nyc 0 0 1 km COUNT -3", ERR_COUNT),
      expect("GEORADIUS nyc 0 0 1 km COUNT 0 BOGUS", ERR_COUNT),
      expect("GEORADIUS nyc 0 0 1 km BOGUS COUNT 0", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km ANY", ERR_ANY),
      expect("GEORADIUS nyc 0 0 1 km ANY ASC", ERR_ANY),
      expect("GEORADIUS nyc 0 0 1 km STORE", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km STOREDIST", ERR_SYNTAX),
      expect(
        "GEORADIUS nyc 0 0 1 km STORE d WITHDIST",
        "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
      ),
      "GEORADIUS nyc 0 0 1 km WITHHASH STOREDIST d",
      "GEORADIUS nyc 0 0 1 km STORE d WITHCOORD ANY",
      expect("GEORADIUS_RO nyc 0 0 1 km STORE d", ERR_SYNTAX),
      expect("GEORADIUSBYMEMBER_RO nyc jfk 1 km STOREDIST d", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km FROMLONLAT 0 0", ERR_SYNTAX),
      expect("GEORADIUS nyc 0 0 1 km BYRADIUS 1 km", ERR_SYNTAX),
      expect("GEORADIUSBYMEMBER nyc nope 1 km", ERR_MEMBER),
      expect("GEORADIUSBYMEMBER nyc nope x km", ERR_MEMBER),
      expect("GEORADIUSBYMEMBER nyc jfk x km", ERR_RADIUS),
      expect("GEORADIUSBYMEMBER nyc jfk 1 yard", ERR_UNIT),
      expect(
        "GEOSEARCH nyc BYBOX 3 3 km ASC DESC WITHHASH WITHDIST WITHCOORD",
        "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH\r\n",
      ),
      expect(
        "geosearch nyc bybox 3 3 km asc",
        "-ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch\r\n",
      ),
      expect(
        "GeoSearch nyc FROMLONLAT 0 0 ASC WITHDIST",
        "-ERR exactly one of BYRADIUS and BYBOX can be specified for GeoSearch\r\n",
      ),
      expect(
        "GEOSEARCHSTORE d nyc FROMLONLAT 0 0 WITHDIST ASC",
        "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
      ),
      expect(
        "GEOSEARCHSTORE d nyc WITHHASH ANY ASC DESC ASC",
        "-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
      ),
      expect(
        "GEOSEARCHSTORE d nyc FROMLONLAT 0 0 STOREDIST ASC",
        "-ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCHSTORE\r\n",
      ),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 FROMMEMBER jfk BYBOX 6 6 km", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMMEMBER jfk FROMLONLAT 0 0 BYBOX 6 6 km", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMMEMBER jfk BYRADIUS 3 km BYBOX 3 3 km", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMMEMBER jfk BYBOX 3 3 km BYRADIUS 3 km", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMMEMBER nope BYBOX 3 3 km", ERR_MEMBER),
      expect("GEOSEARCH nyc BOGUS FROMMEMBER nope BYBOX 3 3 km", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMMEMBER nope BOGUS BYBOX 3 3 km", ERR_MEMBER),
      expect("GEOSEARCH nyc FROMLONLAT 0 x BYBOX 3 3 km", ERR_NOT_FLOAT),
      expect("GEOSEARCH nyc FROMLONLAT 0 91 BYBOX 3 3 km", pair("0.000000", "91.000000")),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX x 3 km", "-ERR need numeric width\r\n"),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 3 x km", "-ERR need numeric height\r\n"),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX x y km", "-ERR need numeric width\r\n"),
      expect(
        "GEOSEARCH nyc FROMLONLAT 0 0 BYBOX -1 3 km",
        "-ERR height or width cannot be negative\r\n",
      ),
      expect(
        "GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 3 -1 yard",
        "-ERR height or width cannot be negative\r\n",
      ),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 3 3 yard", ERR_UNIT),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS -3 km", ERR_RADIUS_NEGATIVE),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYBOX 3 3", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 3 km STOREDIST", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 3 km STORE d", ERR_SYNTAX),
      expect("GEOSEARCHSTORE d nyc FROMLONLAT 0 0 BYRADIUS 3 km STORE d", ERR_SYNTAX),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 3 km ANY", ERR_ANY),
      expect("GEOSEARCH nyc FROMLONLAT 0 0 BYRADIUS 3 km COUNT 0 ANY", ERR_COUNT),
      "SET s x",
      expect("GEORADIUS s 0 0 1 km", ERR_WRONGTYPE),
      expect("GEORADIUS s 200 0 1 km", ERR_WRONGTYPE),
      expect("GEORADIUS s 0 0 1 km BOGUS", ERR_WRONGTYPE),
      expect("GEORADIUSBYMEMBER s m 1 km", ERR_WRONGTYPE),
      expect("GEOSEARCH s BOGUS a b c d", ERR_WRONGTYPE),
      expect("GEOSEARCHSTORE d s FROMLONLAT 0 0 BYRADIUS 1 km", ERR_WRONGTYPE),
      expect("GEOSEARCHSTORE s nyc FROMLONLAT 0 0 BYRADIUS 1 km", ":0\r\n"),
      "EXISTS s",
    ],
  },
  {
    name: "missing source keys",
    steps: [
      expect("GEORADIUS nokey 0 0 1 km", "*0\r\n"),
      expect("GEORADIUS nokey 200 0 1 km", pair("200.000000", "0.000000")),
      expect("GEORADIUS nokey 0 0 1 km COUNT 0", ERR_COUNT),
      expect("GEORADIUS nokey 0 0 1 km ANY", ERR_ANY),
      // Without a source GEORADIUSBYMEMBER reads neither the member nor the radius.
      expect("GEORADIUSBYMEMBER nokey m x parsec", "*0\r\n"),
      expect("GEORADIUSBYMEMBER nokey m x parsec BOGUS", ERR_SYNTAX),
      expect(
        "GEORADIUSBYMEMBER nokey m 1 km STORE d WITHDIST",
        "-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n",
      ),
      expect("GEOSEARCH nokey FROMMEMBER m BYRADIUS 1 km", "*0\r\n"),
      expect("GEOSEARCH nokey FROMMEMBER m BYRADIUS x km", ERR_RADIUS),
      expect("GEOSEARCH nokey FROMMEMBER m FROMMEMBER n BYBOX 1 1 m", "*0\r\n"),
      "SET d old",
      expect("GEORADIUS nokey 0 0 1 km STORE d", ":0\r\n"),
      expect("EXISTS d", ":0\r\n"),
      "SET d old",
      expect("GEORADIUSBYMEMBER nokey m 1 km STOREDIST d", ":0\r\n"),
      expect("EXISTS d", ":0\r\n"),
      "RPUSH d x",
      expect("GEOSEARCHSTORE d nokey FROMLONLAT 0 0 BYRADIUS 1 km", ":0\r\n"),
      expect("EXISTS d", ":0\r\n"),
      expect("GEOSEARCHSTORE d nokey FROMLONLAT 0 0 BYRADIUS 1 km", ":0\r\n"),
    ],
  },
  {
    name: "STORE and STOREDIST",
    steps: [
      SICILY,
      "GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2",
      expect("GEORADIUS Sicily 15 37 200 km STORE d", ":2\r\n"),
      "ZRANGE d 0 -1 WITHSCORES",
      "GEORADIUS Sicily 15 37 400 km STOREDIST d",
      "ZRANGE d 0 -1 WITHSCORES",
      "OBJECT ENCODING d",
      "GEORADIUS Sicily 15 37 400 km STOREDIST d ASC COUNT 1",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEORADIUS Sicily 15 37 400 km STOREDIST d DESC COUNT 2",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEORADIUS Sicily 15 37 400 mi STORE d STOREDIST e",
      "EXISTS d",
      "ZRANGE e 0 -1 WITHSCORES",
      "GEORADIUS Sicily 15 37 400 ft STOREDIST d STORE e",
      "ZRANGE e 0 -1 WITHSCORES",
      "GEORADIUSBYMEMBER Sicily Palermo 500 km STORE d",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEORADIUSBYMEMBER Sicily Catania 500 mi STOREDIST d COUNT 3 ANY",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYBOX 400 400 km",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEOSEARCHSTORE d Sicily FROMLONLAT 15 37 BYBOX 400 400 km STOREDIST DESC COUNT 3",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEOSEARCHSTORE d Sicily FROMMEMBER edge1 BYRADIUS 100 km storedist",
      "ZRANGE d 0 -1 WITHSCORES",
      "SET str v",
      "GEORADIUS Sicily 15 37 200 km STORE str",
      "TYPE str",
      "HSET h f v",
      "GEOSEARCHSTORE h Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
      "ZRANGE h 0 -1 WITHSCORES",
      "SET str v EX 100",
      "GEORADIUS Sicily 15 37 200 km STORE str",
      "TTL str",
      "SADD set a",
      expect("GEORADIUS Sicily 0 0 1 km STORE set", ":0\r\n"),
      expect("EXISTS set", ":0\r\n"),
      expect("GEOSEARCHSTORE Sicily Sicily FROMLONLAT 15 37 BYRADIUS 200 km", ":2\r\n"),
      "ZRANGE Sicily 0 -1 WITHSCORES",
      "ZADD nz -0 a 0 b",
      "GEOSEARCHSTORE d nz FROMLONLAT -180 -85 BYRADIUS 10 km",
      "ZRANGE d 0 -1 WITHSCORES",
      "GEOADD src 1 1 x 1 1 y",
      "GEOSEARCHSTORE d src FROMLONLAT 1 1 BYRADIUS 1 km STOREDIST",
      "ZRANGE d 0 -1 WITHSCORES",
      ["GEOADD", "src", "1", "1", LONG],
      "GEOSEARCHSTORE d src FROMLONLAT 1 1 BYRADIUS 1 km",
      "OBJECT ENCODING d",
      grid("big", 10, 10, 12, 0.01),
      "GEOSEARCHSTORE d big FROMLONLAT 10.05 10.05 BYBOX 100 100 km",
      "OBJECT ENCODING d",
      "ZCARD d",
      "GEOSEARCHSTORE d big FROMLONLAT 10.05 10.05 BYBOX 100 100 km COUNT 128",
      "OBJECT ENCODING d",
      "ZRANGE d 0 5 WITHSCORES",
    ],
  },
  {
    name: "poles, antimeridian and grid limits",
    steps: [
      "GEOADD points 179.5 36 point1 -179.5 36 point2",
      "GEOSEARCH points FROMLONLAT 179 37 BYBOX 400 400 km ASC",
      "GEOSEARCH points FROMLONLAT -179 37 BYBOX 400 400 km ASC",
      "GEORADIUS points 180 36 100 km WITHDIST",
      "GEORADIUS points -180 36 100 km WITHDIST",
      "GEOADD k1 -0.15307903289794921875 85 n1 0.3515625 85.00019260486917005437 n2",
      "GEORADIUSBYMEMBER k1 n1 4891.94 m",
      "GEOADD k2 -4.95211958885192871094 85 n3 11.25 85.0511 n4",
      "GEORADIUSBYMEMBER k2 n3 156544 m",
      "GEOADD k3 -45 65.50900022111811438208 n5 90 85.0511 n6",
      "GEORADIUSBYMEMBER k3 n5 5009431 m",
      "GEOADD k4 45 65 n1 -135 85.05 n2",
      "GEORADIUSBYMEMBER k4 n1 5009431 m WITHDIST",
      "GEOADD pole 0 85.05112878 a 90 85.05112878 b 180 85.05112878 c -90 85.05112878 d",
      "GEOADD pole 0 -85.05112878 e 90 -85.05112878 f 180 -85.05112878 g -90 -85.05112878 h",
      "GEORADIUS pole 45 85 1000 km WITHDIST WITHCOORD",
      "GEORADIUS pole 45 -85 1000 km WITHDIST ASC",
      "GEOSEARCH pole FROMLONLAT 0 85.05112878 BYBOX 3000 100 km WITHDIST",
      "GEOSEARCH pole FROMLONLAT 180 -85.05112878 BYRADIUS 20000 km WITHDIST DESC",
      "GEOSEARCH pole FROMLONLAT 0 0 BYRADIUS 10000 km WITHDIST",
      "GEOSEARCH pole FROMMEMBER c BYBOX 20000 20000 km",
      "GEORADIUS pole 0 70 2000 km",
      "GEORADIUS pole 0 -70 2000 km",
      "GEORADIUS pole 0 80.5 800 km",
      "GEOADD users -47.271613776683807 -54.534504198047678 user_000000",
      "GEORADIUS users 0 0 50000 km WITHCOORD",
      "GEOADD sf -122.407107 37.794300 1 -122.227336 37.794300 2",
      expect(
        "GEORADIUS sf -122.407107 37.794300 30 mi ASC WITHDIST",
        "*2\r\n*2\r\n$1\r\n1\r\n$6\r\n0.0001\r\n*2\r\n$1\r\n2\r\n$6\r\n9.8182\r\n",
      ),
      "GEOADD Sicily2 12.758489 38.788135 edge1 17.241510 38.788135 edge2 17.250000 35.202000 edge3 12.750000 35.202000 edge4 12.748489955781654 37 edge5 15 38.798135872540925 edge6 17.251510044218346 37 edge7 15 35.201864127459075 edge8 12.692799634687903 38.798135872540925 corner1 12.692799634687903 38.798135872540925 corner2 17.200560937451133 35.201864127459075 corner3 12.799439062548865 35.201864127459075 corner4",
      "GEOSEARCH Sicily2 FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHDIST",
      "GEOSEARCH Sicily2 FROMLONLAT 15 37 BYBOX 400 2 km",
      "GEOSEARCH Sicily2 FROMLONLAT 15 37 BYBOX 3000 2 km ASC",
      "GEORADIUS Sicily2 15 37 200 km ASC WITHDIST",
    ],
  },
  {
    name: "equal distances: stable full sort, Redis's partial sort with COUNT",
    steps: [
      cluster("c", 60, "10", "20"),
      cluster("c", 30, "10.001", "20", "q"),
      cluster("c", 9, "10", "20.001", "r"),
      "GEORADIUS c 10 20 10 km ASC",
      "GEORADIUS c 10 20 10 km DESC",
      "GEORADIUS c 10 20 10 km COUNT 5",
      "GEORADIUS c 10 20 10 km COUNT 45",
      "GEORADIUS c 10 20 10 km COUNT 64 DESC",
      "GEORADIUS c 10 20 10 km COUNT 98 DESC WITHDIST",
      "GEORADIUS c 10 20 10 km COUNT 99 DESC",
      "GEORADIUS c 10 20 10 km COUNT 7 ANY DESC",
      "GEORADIUS c 10 20 10 km COUNT 70 ANY ASC",
      "GEOSEARCH c FROMLONLAT 10.0005 20 BYBOX 10 10 km COUNT 33",
      "GEOSEARCH c FROMLONLAT 10.0005 20 BYBOX 10 10 km COUNT 33 DESC",
      "GEOSEARCH c FROMMEMBER p0 BYRADIUS 1 km COUNT 3",
      "GEOSEARCHSTORE d c FROMMEMBER q3 BYRADIUS 1 km COUNT 10 STOREDIST",
      "ZRANGE d 0 -1 WITHSCORES",
      cluster("small", 6, "1", "1"),
      cluster("small", 3, "1.0001", "1", "s"),
      "GEORADIUS small 1 1 1 km COUNT 2",
      "GEORADIUS small 1 1 1 km COUNT 4 DESC",
      "GEORADIUS small 1 1 1 km COUNT 8 DESC",
      grid("g", 20, 30, 9, 0.003),
      "GEORADIUS g 20.012 30.012 2 km COUNT 17",
      "GEORADIUS g 20.012 30.012 2 km COUNT 17 DESC WITHDIST",
      "GEORADIUS g 20.012 30.012 5 km",
      "GEOSEARCH g FROMLONLAT 20.012 30.012 BYBOX 1 1 km WITHDIST",
    ],
  },
  {
    name: "RESP3 replies",
    steps: [
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      SICILY,
      "GEOPOS Sicily Palermo nope Catania",
      "GEOHASH Sicily Palermo nope",
      "GEODIST Sicily Palermo Catania",
      "GEODIST Sicily Palermo nope",
      "GEODIST nokey a b",
      "GEORADIUS Sicily 15 37 200 km WITHCOORD WITHDIST WITHHASH ASC",
      "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHCOORD",
      "GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km",
      "GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km",
      "ZADD odd -0 nz -5 neg",
      "GEOPOS odd nz neg",
    ],
  },
  {
    name: "inside MULTI and on skiplist-encoded sets",
    steps: [
      "MULTI",
      SICILY,
      "GEORADIUS Sicily 15 37 200 km STORE d",
      "GEOPOS d Palermo",
      "EXEC",
      grid("big", -1, -1, 15, 0.1),
      "OBJECT ENCODING big",
      "GEORADIUS big -0.3 -0.3 30 km WITHDIST",
      "GEORADIUS big -0.3 -0.3 30 km ASC COUNT 10 WITHHASH",
      "GEOSEARCH big FROMMEMBER g7_7 BYBOX 50 30 km DESC",
      "GEOSEARCH big FROMMEMBER g0_0 BYRADIUS 100 km COUNT 5 ANY",
      "GEOHASH big g0_0 g14_14 g7_3",
      "GEODIST big g0_0 g14_14 km",
    ],
  },
  {
    name: "COMMAND INFO of the geo commands, RESP2 and RESP3",
    steps: [
      "COMMAND INFO geoadd geodist geohash geopos georadius georadius_ro",
      "COMMAND INFO georadiusbymember georadiusbymember_ro geosearch geosearchstore",
      { args: ["HELLO", "3"], ignore: true },
      "COMMAND INFO geoadd georadius georadiusbymember geosearchstore geosearch",
    ],
  },
];

// ── Random sequence ─────────────────────────────────────────────────────────────────────

/**
 * A reproducible random sequence over a few keys: geo sets g0–g2 (points clustered around a
 * few centers, some at shared spots, a few at the grid's limits), plain zsets written with
 * ZADD (scores that are not geohashes), a string, and stores into any of them.
 */
function randomCase(seed: number, commandCount: number, resp3: boolean): DiffCase {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const geoKey = () => pick(["g0", "g1", "g2"]);
  const anyKey = () =>
    chance(0.1) ? pick(["str", "z", "nokey"]) : chance(0.06) ? pick(["d0", "d1"]) : geoKey();
  /** Stores go mostly to keys of their own, so the geo sets keep their points. */
  const storeKey = () => chance(0.75) ? pick(["d0", "d1"]) : anyKey();
  const member = () => `m${int(0, 24)}`;
  const centers: readonly [number, number][] = [
    [13.36, 38.11],
    [-73.98, 40.75],
    [179.9, -20],
    [-179.95, 60],
    [0, 84.9],
    [120, -84.99],
    [2.35, 48.85],
  ];
  const spots: readonly [string, string][] = [
    ["13.361389", "38.115556"],
    ["-73.9798091", "40.7598464"],
    ["180", "85.05112878"],
    ["-180", "-85.05112878"],
    ["0", "0"],
  ];
  const around = (spreadDeg: number): [string, string] => {
    const [lon, lat] = pick(centers);
    const wrapLon = (x: number) => x > 180 ? x - 360 : x < -180 ? x + 360 : x;
    const clampLat = (y: number) => Math.max(-85.05, Math.min(85.05, y));
    return [
      String(wrapLon(lon + (random() - 0.5) * spreadDeg)),
      String(clampLat(lat + (random() - 0.5) * spreadDeg)),
    ];
  };
  const point = (): [string, string] => {
    const roll = random();
    if (roll < 0.15) return pick(spots);
    if (roll < 0.2) return [String(-180 + random() * 360), String(-85 + random() * 170)];
    if (roll < 0.23) return pick([["181", "0"], ["0", "86"], ["x", "1"]]);
    return around(pick([0.01, 0.2, 2, 10]));
  };
  const units: readonly [string, number][] = [
    ["m", 1],
    ["km", 1000],
    ["ft", 0.3048],
    ["mi", 1609.34],
    ["KM", 1000],
  ];
  /** A length and its unit: log-uniform from 10 m to about 5000 km, rarely invalid. */
  const length = (): [string, string] => {
    const [name, meters] = pick(units);
    if (chance(0.02)) return [pick(["-1", "x", "0", "inf"]), name];
    if (chance(0.01)) return ["1", "yard"];
    const value = 10 ** (1 + random() * 5.7) / meters;
    return [String(Math.round(value * 1000) / 1000), name];
  };
  /** WITH…, ASC/DESC, COUNT [ANY], and (`store`: GEORADIUS…) sometimes STORE/STOREDIST. */
  const options = (store: boolean): string[] => {
    const args: string[] = [];
    const storing = store && chance(0.5);
    const withScale = storing ? 0.05 : 1; // WITH… and a store is an error: keep it rare
    if (chance(0.3 * withScale)) args.push("WITHDIST");
    if (chance(0.2 * withScale)) args.push("WITHCOORD");
    if (chance(0.15 * withScale)) args.push("WITHHASH");
    if (chance(0.4)) args.push(pick(["ASC", "DESC"]));
    if (chance(0.4)) {
      args.push("COUNT", chance(0.97) ? String(int(1, 12)) : "0");
      if (chance(0.3)) args.push("ANY");
    }
    if (storing) args.push(pick(["STORE", "STOREDIST"]), storeKey());
    return args;
  };
  const center = (): string[] =>
    chance(0.5) ? ["FROMMEMBER", member()] : ["FROMLONLAT", ...point()];
  const shape = (): string[] => {
    if (chance(0.5)) return ["BYRADIUS", ...length()];
    const [width, unit] = length();
    return ["BYBOX", width, chance(0.5) ? width : length()[0], unit];
  };

  const generators: [number, () => DiffStep][] = [
    [10, () => {
      const args = ["GEOADD", geoKey()];
      if (chance(0.2)) args.push(...pick([["NX"], ["XX"], ["CH"], ["XX", "CH"], ["NX", "XX"]]));
      const triples = int(1, 6);
      for (let i = 0; i < triples; i++) args.push(...point(), member());
      return { args };
    }],
    [8, () => ({ args: ["GEORADIUS", anyKey(), ...point(), ...length(), ...options(true)] })],
    [3, () => ({ args: ["GEORADIUS_RO", anyKey(), ...point(), ...length(), ...options(false)] })],
    [6, () => ({
      args: ["GEORADIUSBYMEMBER", anyKey(), member(), ...length(), ...options(true)],
    })],
    [2, () => ({
      args: ["GEORADIUSBYMEMBER_RO", anyKey(), member(), ...length(), ...options(false)],
    })],
    [10, () => {
      const parts = [center(), shape(), options(false)];
      if (chance(0.3)) parts.reverse();
      return { args: ["GEOSEARCH", anyKey(), ...parts.flat()] };
    }],
    [5, () => {
      const args = ["GEOSEARCHSTORE", storeKey(), anyKey(), ...center(), ...shape()];
      if (chance(0.3)) args.push(pick(["ASC", "DESC"]));
      if (chance(0.3)) args.push("COUNT", String(int(1, 8)), ...(chance(0.3) ? ["ANY"] : []));
      if (chance(0.4)) args.push("STOREDIST");
      return { args };
    }],
    [4, () => ({
      args: ["GEODIST", anyKey(), member(), member(), ...(chance(0.7) ? [length()[1]] : [])],
    })],
    [4, () => ({ args: ["GEOPOS", anyKey(), member(), member(), member()] })],
    [3, () => ({ args: ["GEOHASH", anyKey(), member(), member()] })],
    [3, () => ({ args: ["ZRANGE", anyKey(), "0", "-1", "WITHSCORES"] })],
    [2, () => ({
      args: [
        "ZADD",
        pick(["z", geoKey()]),
        pick(["-5", "0", "5.5", "1e30", "-0", "4503599627370496", String(int(0, 2 ** 52))]),
        member(),
      ],
    })],
    [1, () => ({ args: ["DEL", anyKey()] })],
    [1, () => ({ args: ["SET", "str", "v"] })],
  ];
  const pickGenerator = weightedPicker(random, generators);
  const steps: DiffStep[] = [];
  if (resp3) steps.push({ args: ["HELLO", "3"], pattern: /^%7\r\n/ });
  for (let i = 0; i < commandCount; i++) steps.push(pickGenerator()());
  return { name: `geo random sequence seed ${seed}${resp3 ? " (RESP3)" : ""}`, steps };
}

peerTest("differential geo: corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, geoCases, reference, subject, { keepGoing })
  );
});

peerTest("differential geo: a seeded random sequence matches redis-server", async (t) => {
  // STOREDIST scores show distances to the last bit: only libm's sin/cos/asin give Redis's.
  assert.ok(
    trigIsLibm || Deno.build.os !== "linux" || isSelfTest(),
    "core/geo/libm.ts did not load libm: run with --allow-ffi (deno task test grants it)",
  );
  const seed = diffSeed("differential geo random sequence");
  await withDiffPeers(async (reference, subject) => {
    for (const resp3 of [false, true]) {
      const count = resp3 ? RANDOM_RESP3_COMMAND_COUNT : RANDOM_RESP2_COMMAND_COUNT;
      const testCase = randomCase(seed + (resp3 ? 1 : 0), count, resp3);
      const passed = await t.step(
        testCase.name,
        () => withSeedReplay(seed, () => runCase(testCase, reference, subject, { keepGoing })),
      );
      if (!passed) throw new Error(`random sequence differs, RESPLICA_DIFF_SEED=${seed}`);
    }
  });
});
