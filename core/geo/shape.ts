// Distances on the sphere and the areas geo searches cover. A search is a shape (a circle of a
// radius, or a box of a width and height, around a center) and the 3×3 block of grid cells
// around the center at a step coarse enough that the block covers the shape; each cell is one
// score range of the sorted set, and each point found there is kept if it lies in the shape.
//
//   +----+----+----+   the center cell at the estimated step, its eight neighbours; cells
//   | NW | N  | NE |   wholly outside the shape's bounding box are dropped, and a cell equal
//   +----+----+----+   to the one scanned just before it is skipped (near the poles and with
//   | W  | C  | E  |   huge radii neighbours coincide). Scan order: C N S E W NE NW SE SW.
//   +----+----+----+
//   | SW | S  | SE |
//   +----+----+----+
//
// Everything here is arithmetic on doubles in the order Redis evaluates it (haversine with
// Earth radius 6372797.560856 m), because the last bit of a distance decides whether a point
// on the edge is in, in what order equal-looking distances sort, and what STOREDIST stores;
// sin, cos and asin are the C library's when it can be loaded (see libm.ts).

import {
  cellArea,
  encodeCell,
  GEO_STEP_MAX,
  type GeoCell,
  type LonLat,
  neighborCell,
  sameCell,
} from "./geohash.ts";
import { trig } from "./libm.ts";

/** Earth's quadratic mean radius (WGS-84), Redis's haversine constant. */
export const EARTH_RADIUS_M = 6372797.560856;
/** Degrees to radians, as Redis computes it (M_PI / 180.0). */
const DEG_TO_RAD = Math.PI / 180.0;
/** Half the Web Mercator world width: the step estimate doubles a radius up to it. */
const MERCATOR_MAX_M = 20037726.37;
/** Latitudes beyond which the step estimate widens cells once, then twice. */
const POLAR_LAT_DEG = 66;
const NEAR_POLE_LAT_DEG = 80;

/** Meters per unit of each distance unit Redis takes (case-insensitive names). */
export const UNIT_METERS: Readonly<Record<string, number>> = {
  m: 1,
  km: 1000,
  ft: 0.3048,
  mi: 1609.34,
};

function degToRad(degrees: number): number {
  return degrees * DEG_TO_RAD;
}

function radToDeg(radians: number): number {
  return radians / DEG_TO_RAD;
}

/** Meters between two latitudes along a meridian. */
function latDistanceM(lat1: number, lat2: number): number {
  return EARTH_RADIUS_M * Math.abs(degToRad(lat2) - degToRad(lat1));
}

/**
 * Great-circle meters between two points (haversine), Redis's geohashGetDistance: on the same
 * meridian it is the latitude distance, without the trigonometry.
 */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degToRad(lon1);
  const lon2r = degToRad(lon2);
  const v = trig.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistanceM(lat1, lat2);
  const lat1r = degToRad(lat1);
  const lat2r = degToRad(lat2);
  const u = trig.sin((lat2r - lat1r) / 2);
  const a = u * u + trig.cos(lat1r) * trig.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_M * trig.asin(Math.sqrt(a));
}

/** A search area: BYRADIUS (GEORADIUS…) or BYBOX. Sizes are in `unitMeters` units. */
export type GeoShape =
  | { kind: "radius"; center: LonLat; unitMeters: number; radius: number }
  | { kind: "box"; center: LonLat; unitMeters: number; width: number; height: number };

/**
 * Meters from the shape's center to `point` when the point is inside the shape, else null.
 * A box compares the north-south and east-west distances with its half sizes, latitude first.
 */
export function distanceInShape(shape: GeoShape, point: LonLat): number | null {
  const { center } = shape;
  const { lon, lat } = point;
  if (shape.kind === "radius") {
    const distance = distanceM(center.lon, center.lat, lon, lat);
    return distance > shape.radius * shape.unitMeters ? null : distance;
  }
  const widthM = shape.width * shape.unitMeters;
  const heightM = shape.height * shape.unitMeters;
  if (latDistanceM(lat, center.lat) > heightM / 2) return null;
  if (distanceM(lon, lat, center.lon, lat) > widthM / 2) return null;
  return distanceM(center.lon, center.lat, lon, lat);
}

/**
 * Bits per axis for the 3×3 cells around a search of `radiusM` meters at latitude `lat`: the
 * finest step whose cells are still about as wide as the radius, coarser near the poles.
 */
export function estimateStep(radiusM: number, lat: number): number {
  if (radiusM === 0) return GEO_STEP_MAX;
  let step = 1;
  let range = radiusM;
  while (range < MERCATOR_MAX_M) {
    range *= 2;
    step++;
  }
  step -= 2; // so that the radius is inside the block in most cases
  if (lat > POLAR_LAT_DEG || lat < -POLAR_LAT_DEG) {
    step--;
    if (lat > NEAR_POLE_LAT_DEG || lat < -NEAR_POLE_LAT_DEG) step--;
  }
  return Math.min(GEO_STEP_MAX, Math.max(1, step));
}

/** The shape's bounding box in degrees: [min lon, min lat, max lon, max lat]. */
interface Bounds {
  lonMin: number;
  latMin: number;
  lonMax: number;
  latMax: number;
}

/**
 * The degrees the shape spans. Longitude spans are taken at the box's edge nearer the pole
 * (where meridians converge, one degree is shortest), which is the bottom edge south of the
 * equator.
 */
function boundingBox(shape: GeoShape): Bounds {
  const { lon, lat } = shape.center;
  const halfHeightM = shape.unitMeters *
    (shape.kind === "radius" ? shape.radius : shape.height / 2);
  const halfWidthM = shape.unitMeters * (shape.kind === "radius" ? shape.radius : shape.width / 2);
  const latDelta = radToDeg(halfHeightM / EARTH_RADIUS_M);
  const lonDeltaTop = radToDeg(halfWidthM / EARTH_RADIUS_M / trig.cos(degToRad(lat + latDelta)));
  const lonDeltaBottom = radToDeg(
    halfWidthM / EARTH_RADIUS_M / trig.cos(degToRad(lat - latDelta)),
  );
  const southern = lat < 0;
  return {
    lonMin: southern ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lonMax: southern ? lon + lonDeltaBottom : lon + lonDeltaTop,
    latMin: lat - latDelta,
    latMax: lat + latDelta,
  };
}

/** The center cell and its neighbours, in scan order; null for a dropped one. */
type CellBlock = (GeoCell | null)[];

/** Neighbour offsets (dLon, dLat) in scan order: C N S E W NE NW SE SW. */
const SCAN_OFFSETS: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [0, -1],
  [1, 0],
  [-1, 0],
  [1, 1],
  [-1, 1],
  [1, -1],
  [-1, -1],
];
const enum Scan {
  Center = 0,
  North = 1,
  South = 2,
  East = 3,
  West = 4,
  NorthEast = 5,
  NorthWest = 6,
  SouthEast = 7,
  SouthWest = 8,
}

function blockAt(center: LonLat, step: number): CellBlock {
  // The center is inside the grid (validated or decoded), so encodeCell never fails here.
  const cell = encodeCell(center.lon, center.lat, step)!;
  return SCAN_OFFSETS.map(([dLon, dLat]) => neighborCell(cell, dLon, dLat));
}

/**
 * The cells a search of `shape` scans, in order (Redis's geohashCalculateAreasByShapeWGS84 and
 * membersOfAllNeighbors): the 3×3 block at the estimated step, one step coarser if an edge
 * neighbour does not reach the bounding box, without the neighbours beyond the box's sides
 * (from step 2 on), and without a cell equal to the last one scanned.
 */
export function searchCells(shape: GeoShape): GeoCell[] {
  const bounds = boundingBox(shape);
  const { center } = shape;
  const radiusM = shape.kind === "radius"
    ? shape.radius * shape.unitMeters
    : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)) *
      shape.unitMeters;
  let step = estimateStep(radiusM, center.lat);
  let block = blockAt(center, step);
  // Written as Redis tests it, so a NaN bound (an infinite radius) never coarsens the step.
  const fallsShort = cellArea(block[Scan.North]!).latMax < bounds.latMax ||
    cellArea(block[Scan.South]!).latMin > bounds.latMin ||
    cellArea(block[Scan.East]!).lonMax < bounds.lonMax ||
    cellArea(block[Scan.West]!).lonMin > bounds.lonMin;
  if (step > 1 && fallsShort) {
    step--;
    block = blockAt(center, step);
  }
  if (step >= 2) {
    const area = cellArea(block[Scan.Center]!);
    const drop = (...sides: Scan[]) => sides.forEach((side) => block[side] = null);
    if (area.latMin < bounds.latMin) drop(Scan.South, Scan.SouthWest, Scan.SouthEast);
    if (area.latMax > bounds.latMax) drop(Scan.North, Scan.NorthEast, Scan.NorthWest);
    if (area.lonMin < bounds.lonMin) drop(Scan.West, Scan.SouthWest, Scan.NorthWest);
    if (area.lonMax > bounds.lonMax) drop(Scan.East, Scan.SouthEast, Scan.NorthEast);
  }
  const cells: GeoCell[] = [];
  // Redis compares with the last cell scanned only once one after the center was scanned.
  let lastScanned: GeoCell | null = null;
  block.forEach((cell, i) => {
    if (cell === null) return;
    if (lastScanned !== null && sameCell(cell, lastScanned)) return;
    cells.push(cell);
    if (i > 0) lastScanned = cell;
  });
  return cells;
}
