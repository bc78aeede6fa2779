// Set commands. Placeholder until the type lands.

import type { CommandDefinition } from "./spec.ts";

export const SET_COMMANDS: CommandDefinition[] = [];
