// Zset commands. Placeholder until the type lands.

import type { CommandDefinition } from "./spec.ts";

export const ZSET_COMMANDS: CommandDefinition[] = [];
