// Hash commands. Placeholder until the type lands.

import type { CommandDefinition } from "./spec.ts";

export const HASH_COMMANDS: CommandDefinition[] = [];
