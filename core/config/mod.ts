// Layer 2 of the shell (README "Architecture"): redis.conf directives. One table row per
// directive (name, bounds, default, unit, on-change hook) as Redis's config.c; it imports only
// the base modules, so every layer above can read the live config.
//
// - `table.ts`: `Config` and the directive table.
// - `load.ts`: a redis.conf file and command-line flags applied to a `Config`.
// - `rewrite.ts`: CONFIG REWRITE.
// - `units.ts`: sizes ("64mb") and yes/no as Redis parses them.
// - `output_limits.ts`: the client-output-buffer-limit value.

export { Config, ConfigValueError } from "./table.ts";
export { applyArgs, applyRecord, ConfigLoadError } from "./load.ts";
export { rewriteConfigFile } from "./rewrite.ts";
export { parseMemory } from "./units.ts";
export { type OutputLimits, parseOutputLimits } from "./output_limits.ts";
