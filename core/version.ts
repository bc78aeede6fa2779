// The versions this build reports: its own, and the Redis release whose behaviour it matches
// (INFO's redis_version, the RDB's redis-ver aux field, HELLO). One place, at the bottom of the
// layers, because the start-up banner, INFO and every snapshot all print them.

/** The Redis release whose commands, replies and formats resplica reproduces. */
export const REDIS_COMPAT_VERSION = "7.0.15";
/** resplica's own version (deno.json "version"). */
export const RESPLICA_VERSION = "0.1.0";
