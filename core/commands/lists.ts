// List commands. Placeholder until the type lands.

import type { CommandDefinition } from "./spec.ts";

export const LIST_COMMANDS: CommandDefinition[] = [];
