// sin, cos and asin from the C library's libm, the functions Redis's distances are computed
// with, when this process may load it; V8's Math otherwise.
//
// Why not always Math: V8 brings its own libm (fdlibm), glibc has another; both are within one
// unit in the last place, and they disagree in the last bit for about one input in a thousand
// (measured: glibc 2.36 is not correctly rounded either, so no exactly rounded JS version agrees
// with it). A geo distance goes through five of these calls, and STOREDIST stores it with all
// its bits (ZRANGE … WITHSCORES prints 17 digits): a few distances in a hundred would differ
// from redis-server's in their last digit, and a redis-server replica, which recomputes a
// GEORADIUS … STOREDIST it is sent, would hold other scores than its resplica master. Calling
// the same libm as redis-server on the same machine removes that. Deno's FFI needs --allow-ffi
// (the serve and test tasks grant it); without it, or where no libm loads, Math is used and
// only the last bits of some distances can differ.
//
// The library is opened once, when this module loads, and never closed: a process-wide handle,
// not a per-command resource.

/** The three functions the haversine and the bounding boxes use. */
export interface TrigFunctions {
  sin(x: number): number;
  cos(x: number): number;
  asin(x: number): number;
}

/** libm's file name per OS (Redis runs on Linux, macOS and the BSDs, not on Windows). */
const LIBM_NAMES: Readonly<Partial<Record<typeof Deno.build.os, string>>> = {
  linux: "libm.so.6",
  android: "libm.so",
  darwin: "libm.dylib",
  freebsd: "libm.so.5",
  netbsd: "libm.so.0",
  solaris: "libm.so.2",
};

const DOUBLE_FUNCTION = { parameters: ["f64"], result: "f64" } as const;

/** libm's functions, or null when the permission is missing or the library will not load. */
function loadLibm(): TrigFunctions | null {
  const name = LIBM_NAMES[Deno.build.os];
  if (name === undefined) return null;
  try {
    // querySync never prompts: a process started without --allow-ffi silently keeps Math.
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const library = Deno.dlopen(name, {
      sin: DOUBLE_FUNCTION,
      cos: DOUBLE_FUNCTION,
      asin: DOUBLE_FUNCTION,
    });
    return library.symbols;
  } catch {
    return null;
  }
}

const loaded = loadLibm();

/** The functions in use: libm's when loaded, else Math's. */
export const trig: TrigFunctions = loaded ?? { sin: Math.sin, cos: Math.cos, asin: Math.asin };

/** True when `trig` is the C library's (distances then match redis-server's to the last bit). */
export const trigIsLibm: boolean = loaded !== null;
