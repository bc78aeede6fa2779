// Invariant checks for the shell's own state (the engine's are AssemblyScript asserts). A broken
// invariant is a bug in resplica, never bad input: client input gets an error reply instead, so
// nothing here is caught on the way to the client. The owner's name leads the message so a
// crash report says which structure broke.

/** An invariant of `owner` failed: a bug, not bad input. */
export class InvariantError extends Error {
  constructor(owner: string, message: string) {
    super(`${owner} invariant: ${message}`);
    this.name = "InvariantError";
  }
}

/** Throws InvariantError unless `condition` holds. */
export type InvariantCheck = (condition: boolean, message: string) => asserts condition;

/**
 * The invariant check of one structure. TypeScript narrows through it only when the constant
 * holding it is annotated: `const assertInvariant: InvariantCheck = invariantsOf("ReplBacklog");`.
 */
export function invariantsOf(owner: string): InvariantCheck {
  return (condition, message) => {
    if (!condition) throw new InvariantError(owner, message);
  };
}
