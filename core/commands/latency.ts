// LATENCY: the latency monitor's events (core/state/command_latency.ts, fed by dispatch.ts for
// "command" / "fast-command" and by the server cron for "expire-cycle") and the per-command
// latency histograms.

import { latin1, lowerName } from "../bytes.ts";
import { fail } from "../errors.ts";
import type { ServerState } from "../state/server_state.ts";
import { latencyDistribution, type LatencySeries } from "../state/command_latency.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import { writeHelp } from "./_help.ts";
import type { CommandContext, CommandDefinition, CommandSpec } from "./context.ts";
import { commandTableOf } from "./dispatch.ts";

/** Width of LATENCY GRAPH's plot, in columns (one per sample, newest on the right). */
const GRAPH_COLUMNS = 80;
/** Height of LATENCY GRAPH's plot, in rows. */
const GRAPH_ROWS = 4;

/** LATENCY LATEST: [event, time of the latest sample, its latency ms, all-time max ms] each. */
function latencyLatestCommand(ctx: CommandContext): void {
  const { out } = ctx;
  const events = ctx.server.latency.events;
  out.arrayHeader(events.size);
  for (const [event, series] of events) {
    const last = series.samples[series.samples.length - 1];
    out.arrayHeader(4);
    out.bulkString(event);
    out.integer(last.timeS);
    out.integer(last.latencyMs);
    out.integer(series.maxMs);
  }
}

/** LATENCY HISTORY <event>: [time, latency ms] per sample, oldest first; empty if unknown. */
function latencyHistoryCommand(ctx: CommandContext): void {
  const series = ctx.server.latency.events.get(latin1(ctx.argv[2]));
  const samples = series?.samples ?? [];
  ctx.out.arrayHeader(samples.length);
  for (const sample of samples) {
    ctx.out.arrayHeader(2);
    ctx.out.integer(sample.timeS);
    ctx.out.integer(sample.latencyMs);
  }
}

/** LATENCY RESET [event ...]: drops the named events' data (all without names); how many went. */
function latencyResetCommand(ctx: CommandContext): void {
  const { argv, server } = ctx;
  if (argv.length === 2) return ctx.out.integer(server.latency.reset(null));
  let resets = 0;
  for (let i = 2; i < argv.length; i++) resets += server.latency.reset(latin1(argv[i]));
  ctx.out.integer(resets);
}

/** LATENCY GRAPH <event>: a text plot of the event's samples; an error for an unknown event. */
function latencyGraphCommand(ctx: CommandContext): void {
  const event = latin1(ctx.argv[2]);
  const series = ctx.server.latency.events.get(event);
  if (series === undefined) fail(`ERR No samples available for event '${event}'`);
  ctx.out.verbatim(renderGraph(event, series, Date.now()));
}

/** Seconds, minutes, hours or days ago, in one short label ("12s", "3m"). */
function agoLabel(elapsedS: number): string {
  if (elapsedS < 60) return `${elapsedS}s`;
  if (elapsedS < 3600) return `${Math.floor(elapsedS / 60)}m`;
  if (elapsedS < 86400) return `${Math.floor(elapsedS / 3600)}h`;
  return `${Math.floor(elapsedS / 86400)}d`;
}

/**
 * The graph: a title line with the high and low of the shown samples and the all-time high, a
 * rule, then one column per sample (the newest GRAPH_COLUMNS), a bar of '#' as tall as its
 * share of the range, and under each column its age, written vertically.
 */
export function renderGraph(event: string, series: LatencySeries, nowMs: number): string {
  const samples = series.samples.slice(-GRAPH_COLUMNS);
  const latencies = samples.map((sample) => sample.latencyMs);
  const high = Math.max(...latencies);
  const low = Math.min(...latencies);
  let text = `${event} - high ${high} ms, low ${low} ms (all time high ${series.maxMs} ms)\n`;
  text += "-".repeat(GRAPH_COLUMNS) + "\n";
  const heights = latencies.map((ms) =>
    high === low ? GRAPH_ROWS : 1 + Math.round((ms - low) / (high - low) * (GRAPH_ROWS - 1))
  );
  for (let row = GRAPH_ROWS; row >= 1; row--) {
    text += heights.map((height) => height >= row ? "#" : " ").join("").trimEnd() + "\n";
  }
  const nowS = Math.floor(nowMs / 1000);
  const labels = samples.map((sample) => agoLabel(Math.max(0, nowS - sample.timeS)));
  const labelRows = Math.max(...labels.map((label) => label.length));
  for (let row = 0; row < labelRows; row++) {
    text += labels.map((label) => label[row] ?? " ").join("").trimEnd() + "\n";
  }
  return text;
}

/**
 * LATENCY DOCTOR: a plain-language report of every event the monitor holds (samples, average,
 * worst, when), with advice for the events it knows; a short note when it holds none.
 */
function latencyDoctorCommand(ctx: CommandContext): void {
  ctx.out.verbatim(doctorReport(ctx.server, Date.now()));
}

const EVENT_ADVICE: Readonly<Record<string, string>> = {
  "command":
    "Slow commands ran: SLOWLOG GET lists them. Commands that are O(N) over large values " +
    "(KEYS, SMEMBERS, LRANGE 0 -1, SORT …) are the usual cause.",
  "fast-command":
    "Commands flagged O(1) or O(log N) were slow: the host itself is probably the cause " +
    "(swapping, CPU starvation, a noisy neighbour).",
  "expire-cycle":
    "Expiring keys took long: many keys expiring at once, or big values being freed. " +
    "Spread expiry times, or UNLINK big values before they expire.",
};

export function doctorReport(server: ServerState, nowMs: number): string {
  const events = server.latency.events;
  if (server.latency.thresholdMs === 0 && events.size === 0) {
    return "The latency monitor is off (latency-monitor-threshold is 0): it has nothing to " +
      "report. Turn it on with CONFIG SET latency-monitor-threshold <milliseconds>.\n";
  }
  if (events.size === 0) {
    return "No latency spike was observed at or above latency-monitor-threshold " +
      `(${server.latency.thresholdMs} ms) since the last reset.\n`;
  }
  const nowS = Math.floor(nowMs / 1000);
  let text = `Latency report (latency-monitor-threshold ${server.latency.thresholdMs} ms):\n\n`;
  let index = 1;
  for (const [event, series] of events) {
    const samples = series.samples;
    const total = samples.reduce((sum, sample) => sum + sample.latencyMs, 0);
    const average = Math.round(total / samples.length);
    const last = samples[samples.length - 1];
    const spanS = Math.max(0, last.timeS - samples[0].timeS);
    text += `${index++}. ${event}: ${samples.length} latency spikes (average ${average} ms, ` +
      `worst ${series.maxMs} ms), the latest ${agoLabel(Math.max(0, nowS - last.timeS))} ago, ` +
      `over ${spanS} s.\n`;
    const advice = EVENT_ADVICE[event];
    if (advice !== undefined) text += `   ${advice}\n`;
  }
  return text;
}

/**
 * LATENCY HISTOGRAM [command ...]: for each named command (a container names all its
 * subcommands; "client|id" one) that ran since the last CONFIG RESETSTAT, {calls,
 * histogram_usec: {bucket bound µs: calls up to it}}; all such commands without names.
 * Unknown names are skipped.
 */
function latencyHistogramCommand(ctx: CommandContext): void {
  const { server, argv, out } = ctx;
  const stats = server.stats.commandStats;
  const names: string[] = [];
  if (argv.length === 2) {
    for (const [name, stat] of stats) if (stat.calls > 0) names.push(name);
  } else {
    const table = commandTableOf(server);
    for (let i = 2; i < argv.length; i++) {
      const spec = lookupByFullName(table?.commands, lowerName(argv[i]));
      if (spec === undefined) continue;
      if ((stats.get(spec.fullName)?.calls ?? 0) > 0) names.push(spec.fullName);
      for (const sub of spec.subcommands?.values() ?? []) {
        if ((stats.get(sub.fullName)?.calls ?? 0) > 0) names.push(sub.fullName);
      }
    }
  }
  out.mapHeader(names.length);
  for (const name of names) {
    out.bulkString(name);
    writeDistribution(out, server, name);
  }
}

/** A command by name, or a subcommand by "parent|sub" (Redis's lookupCommandBySds). */
function lookupByFullName(
  commands: ReadonlyMap<string, CommandSpec> | undefined,
  fullName: string,
): CommandSpec | undefined {
  const bar = fullName.indexOf("|");
  if (bar < 0) return commands?.get(fullName);
  return commands?.get(fullName.slice(0, bar))?.subcommands?.get(fullName.slice(bar + 1));
}

function writeDistribution(out: ReplyWriter, server: ServerState, name: string): void {
  const stat = server.stats.commandStat(name);
  const buckets = latencyDistribution(stat);
  out.mapHeader(2);
  out.bulkString("calls");
  out.integer(stat.calls);
  out.bulkString("histogram_usec");
  out.mapHeader(buckets.length);
  for (const [boundUs, count] of buckets) {
    out.integer(boundUs);
    out.integer(count);
  }
}

const LATENCY_HELP = [
  "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "DOCTOR",
  "    Return a human readable latency analysis report.",
  "GRAPH <event>",
  "    Return an ASCII latency graph for the <event> class.",
  "HISTORY <event>",
  "    Return time-latency samples for the <event> class.",
  "LATEST",
  "    Return the latest latency samples for all events.",
  "RESET [<event> ...]",
  "    Reset latency data of one or more <event> classes.",
  "    (default: reset all data for all event classes)",
  "HISTOGRAM [COMMAND ...]",
  "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
  "    If no commands are specified then all histograms are replied.",
  "HELP",
  "    Prints this help.",
];

const FLAGS = ["admin", "noscript", "loading", "stale"];
const CATEGORIES = ["admin", "slow", "dangerous"];
const TIPS_SPECIAL = [
  "nondeterministic_output",
  "request_policy:all_nodes",
  "response_policy:special",
];

function subcommand(
  name: string,
  arity: number,
  summary: string,
  handler: (ctx: CommandContext) => void,
  tips: string[] = TIPS_SPECIAL,
): CommandDefinition {
  return {
    name,
    arity,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "server",
    summary,
    since: "2.8.13",
    tips,
    handler,
  };
}

export const LATENCY_COMMANDS: CommandDefinition[] = [
  {
    name: "latency",
    arity: -2,
    group: "server",
    summary: "A container for latency diagnostics commands.",
    since: "2.8.13",
    complexity: "Depends on subcommand.",
    categories: ["slow"],
    subcommands: [
      subcommand(
        "doctor",
        2,
        "Returns a human-readable latency analysis report.",
        latencyDoctorCommand,
      ),
      subcommand(
        "graph",
        3,
        "Returns a latency graph for an event.",
        latencyGraphCommand,
      ),
      {
        ...subcommand(
          "histogram",
          -2,
          "Returns the cumulative distribution of latencies of a subset or all commands.",
          latencyHistogramCommand,
        ),
        since: "7.0.0",
        complexity:
          "O(N) where N is the number of commands with latency information being retrieved.",
      },
      subcommand(
        "history",
        3,
        "Returns timestamp-latency samples for an event.",
        latencyHistoryCommand,
      ),
      subcommand(
        "latest",
        2,
        "Returns the latest latency samples for all events.",
        latencyLatestCommand,
      ),
      subcommand(
        "reset",
        -2,
        "Resets the latency data for one or more events.",
        latencyResetCommand,
        ["request_policy:all_nodes", "response_policy:all_succeeded"],
      ),
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "server",
        summary: "Returns helpful text about the different subcommands.",
        since: "2.8.13",
        handler: (ctx) => writeHelp(ctx.out, LATENCY_HELP),
      },
    ],
  },
];
