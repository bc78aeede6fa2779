// Errors a command raises to become a RESP error reply. The message is the whole reply text
// after the '-' (code first: "ERR …", "WRONGTYPE …"), so the dispatcher writes it unchanged and
// the texts can be compared byte-for-byte with redis-server's in the differential tests.

export class CommandError extends Error {}

export const ERR_SYNTAX = "ERR syntax error";
export const ERR_NOT_INTEGER = "ERR value is not an integer or out of range";
export const ERR_NOT_FLOAT = "ERR value is not a valid float";
export const ERR_NO_SUCH_KEY = "ERR no such key";
export const ERR_DB_INDEX = "ERR DB index is out of range";
export const ERR_WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const ERR_OVERFLOW = "ERR increment or decrement would overflow";
export const ERR_OOM = "OOM command not allowed when used memory > 'maxmemory'.";
export const ERR_NOAUTH = "NOAUTH Authentication required.";
export const ERR_NOREPLICAS = "NOREPLICAS Not enough good replicas to write.";
export const ERR_READONLY = "READONLY You can't write against a read only replica.";
export const ERR_LOADING = "LOADING Redis is loading the dataset in memory";
export const ERR_MASTERDOWN =
  "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/** -BUSY for other clients while an EVAL (else an FCALL) script runs past busy-reply-threshold. */
export function busyErrorText(isEval: boolean): string {
  return `BUSY Redis is busy running a script. You can only call ${
    isEval ? "SCRIPT" : "FUNCTION"
  } KILL or SHUTDOWN NOSAVE.`;
}

export function wrongArity(commandName: string): CommandError {
  return new CommandError(`ERR wrong number of arguments for '${commandName}' command`);
}

export function fail(message: string): never {
  throw new CommandError(message);
}
