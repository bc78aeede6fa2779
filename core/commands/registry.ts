// Builds the command table from each command group's definitions. The table is built once per
// server (EXEC, COMMAND INFO and friends close over it), so embedding several servers in one
// process stays possible.

import { ACL_COMMANDS } from "./acl.ts";
import { BITMAP_COMMANDS } from "./bitmaps.ts";
import { CLUSTER_COMMANDS } from "./cluster.ts";
import { CONNECTION_COMMANDS } from "./connection.ts";
import { DUMP_COMMANDS } from "./dump.ts";
import { FUNCTION_COMMANDS } from "./functions.ts";
import { GEO_COMMANDS } from "./geo.ts";
import { HASH_COMMANDS } from "./hashes.ts";
import { HYPERLOGLOG_COMMANDS } from "./hyperloglog.ts";
import { LIST_COMMANDS } from "./lists.ts";
import { MIGRATE_COMMANDS } from "./migrate.ts";
import { MEMORY_COMMANDS } from "./memory.ts";
import { LOLWUT_COMMANDS } from "./lolwut.ts";
import { MODULE_COMMANDS } from "./module.ts";
import { PERSISTENCE_COMMANDS } from "./persistence.ts";
import { PUBSUB_COMMANDS } from "./pubsub.ts";
import { REPLICATION_COMMANDS } from "./replication.ts";
import { SCRIPTING_COMMANDS } from "./scripting.ts";
import { SET_COMMANDS } from "./sets.ts";
import { SORT_COMMANDS } from "./sort.ts";
import { STREAM_COMMANDS } from "./streams.ts";
import { ZSET_COMMANDS } from "./zsets.ts";
import { CommandTable } from "../command_meta/table.ts";
import type { CommandHandler } from "./context.ts";
import { KEY_COMMANDS } from "./keys.ts";
import { LATENCY_COMMANDS } from "./latency.ts";
import { SLOWLOG_COMMANDS } from "./slowlog.ts";
import { serverCommands } from "./server.ts";
import { defineCommand } from "../command_meta/spec.ts";
import { STRING_COMMANDS } from "./strings.ts";
import { TOUCH_COMMANDS } from "./touch.ts";
import { transactionCommands } from "./transactions.ts";

export function buildCommandTable(): CommandTable<CommandHandler> {
  const table = new CommandTable<CommandHandler>();
  const definitions = [
    ...CONNECTION_COMMANDS,
    ...ACL_COMMANDS,
    ...STRING_COMMANDS,
    ...BITMAP_COMMANDS,
    ...KEY_COMMANDS,
    ...TOUCH_COMMANDS,
    ...DUMP_COMMANDS,
    ...MIGRATE_COMMANDS,
    ...HASH_COMMANDS,
    ...LIST_COMMANDS,
    ...SET_COMMANDS,
    ...SORT_COMMANDS,
    ...ZSET_COMMANDS,
    ...STREAM_COMMANDS,
    ...GEO_COMMANDS,
    ...HYPERLOGLOG_COMMANDS,
    ...PUBSUB_COMMANDS,
    ...PERSISTENCE_COMMANDS,
    ...MEMORY_COMMANDS,
    ...LOLWUT_COMMANDS,
    ...MODULE_COMMANDS,
    ...REPLICATION_COMMANDS,
    ...CLUSTER_COMMANDS,
    ...FUNCTION_COMMANDS,
    ...SCRIPTING_COMMANDS,
    ...SLOWLOG_COMMANDS,
    ...LATENCY_COMMANDS,
    ...transactionCommands(table),
    ...serverCommands(table),
  ];
  for (const definition of definitions) table.add(defineCommand(definition));
  return table;
}
