// CLUSTER, as a Redis 7.0 server started without cluster-enabled answers it: the command and
// every subcommand exist (COMMAND LIST, COMMAND INFO and ACL rules see them, arity is checked),
// and each one replies -ERR This instance has cluster support disabled. resplica has no cluster
// mode; an unknown subcommand gets the table's usual "Try CLUSTER HELP." error. ASKING, READONLY
// and READWRITE (a cluster client's connection states) answer the same error, as Redis's
// askingCommand, readonlyCommand and readwriteCommand do when cluster-enabled is no.

import { fail } from "../errors.ts";
import type { CommandDefinition } from "./context.ts";

const ERR_CLUSTER_DISABLED = "ERR This instance has cluster support disabled";

/** Flags and ACL categories of the administrative subcommands (they change the cluster). */
const ADMIN = {
  flags: ["admin", "stale", "no_async_loading"],
  categories: ["admin", "slow", "dangerous"],
};
/** Administrative subcommands that Redis also lets run while loading asynchronously. */
const ADMIN_ANY = { flags: ["admin", "stale"], categories: ["admin", "slow", "dangerous"] };
/** Subcommands that only report. */
const REPORT = { flags: ["stale"], categories: ["slow"] };

/** Every subcommand of Redis 7.0's CLUSTER: name, arity, kind, summary. */
const CLUSTER_SUBCOMMANDS: readonly [string, number, typeof ADMIN, string][] = [
  ["addslots", -3, ADMIN, "Assigns new hash slots to a node."],
  ["addslotsrange", -4, ADMIN, "Assigns new hash slot ranges to a node."],
  ["bumpepoch", 2, ADMIN, "Advances the cluster config epoch."],
  ["count-failure-reports", 3, ADMIN_ANY, "Returns the number of active failure reports."],
  ["countkeysinslot", 3, REPORT, "Returns the number of keys in a hash slot."],
  ["delslots", -3, ADMIN, "Sets hash slots as unbound for a node."],
  ["delslotsrange", -4, ADMIN, "Sets hash slot ranges as unbound for a node."],
  ["failover", -2, ADMIN, "Forces a replica to perform a manual failover of its master."],
  ["flushslots", 2, ADMIN, "Deletes all slots information from a node."],
  ["forget", 3, ADMIN, "Removes a node from the nodes table."],
  ["getkeysinslot", 4, REPORT, "Returns the key names in a hash slot."],
  ["info", 2, REPORT, "Returns information about the state of a node."],
  ["keyslot", 3, REPORT, "Returns the hash slot for a key."],
  ["links", 2, REPORT, "Returns a list of all TCP links to and from peer nodes."],
  ["meet", -4, ADMIN, "Forces a node to handshake with another node."],
  ["myid", 2, REPORT, "Returns the ID of a node."],
  ["nodes", 2, REPORT, "Returns the cluster configuration for a node."],
  ["replicas", 3, ADMIN_ANY, "Lists the replica nodes of a master node."],
  ["replicate", 3, ADMIN, "Configures a node as replica of a master node."],
  [
    "reset",
    -2,
    { flags: ["admin", "noscript", "stale"], categories: ADMIN.categories },
    "Resets a node.",
  ],
  ["saveconfig", 2, ADMIN, "Forces a node to save the cluster configuration to disk."],
  ["set-config-epoch", 3, ADMIN, "Sets the configuration epoch for a new node."],
  ["setslot", -4, ADMIN, "Binds a hash slot to a node."],
  ["shards", 2, REPORT, "Returns the mapping of cluster slots to shards."],
  ["slaves", 3, ADMIN_ANY, "Lists the replica nodes of a master node."],
  ["slots", 2, REPORT, "Returns the mapping of cluster slots to nodes."],
  [
    "help",
    2,
    { flags: ["loading", "stale"], categories: ["slow"] },
    "Returns helpful text about the different subcommands.",
  ],
];

export const CLUSTER_COMMANDS: CommandDefinition[] = [
  {
    name: "cluster",
    arity: -2,
    group: "cluster",
    summary: "A container for Redis Cluster commands.",
    since: "3.0.0",
    categories: ["slow"],
    subcommands: CLUSTER_SUBCOMMANDS.map(([name, arity, kind, summary]) => ({
      name,
      arity,
      flags: [...kind.flags],
      categories: [...kind.categories],
      group: "cluster",
      summary,
      since: "3.0.0",
      handler: () => fail(ERR_CLUSTER_DISABLED),
    })),
  },
  connectionStateCommand("asking", ["fast"], "Sent by cluster clients after an -ASK redirect"),
  connectionStateCommand(
    "readonly",
    ["fast", "loading", "stale"],
    "Enables read queries for a connection to a cluster replica node",
  ),
  connectionStateCommand(
    "readwrite",
    ["fast", "loading", "stale"],
    "Disables read queries for a connection to a cluster replica node",
  ),
];

/** A cluster connection-state command: arity 1, fast, @connection, always the disabled error. */
function connectionStateCommand(
  name: string,
  flags: string[],
  summary: string,
): CommandDefinition {
  return {
    name,
    arity: 1,
    flags,
    categories: ["fast", "connection"],
    group: "cluster",
    summary,
    since: "3.0.0",
    complexity: "O(1)",
    handler: () => fail(ERR_CLUSTER_DISABLED),
  };
}
