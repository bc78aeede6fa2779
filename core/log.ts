// Server log lines in Redis's own shape, so operators' habits and grep patterns carry over:
//
//   <pid>:<role> <day> <mon> <year> <hh:mm:ss.mmm> <level char> <message>
//
// Level characters follow Redis: '.' debug, '-' verbose, '*' notice, '#' warning. The role
// character is 'M' for a master and 'S' for a replica; the replication layer flips it.
// Output goes to stdout or to the configured `logfile`; a log write never throws into a caller.

export const LOG_LEVELS = ["debug", "verbose", "notice", "warning", "nothing"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

const LEVEL_RANK: Record<LogLevel, number> = {
  debug: 0,
  verbose: 1,
  notice: 2,
  warning: 3,
  nothing: 4,
};
const LEVEL_CHAR = [".", "-", "*", "#"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

/** Formats a timestamp as Redis does: `25 Nov 2026 05:55:38.123`. */
export function formatLogTime(date: Date): string {
  const ms = date.getMilliseconds();
  const msText = ms < 10 ? "00" + ms : ms < 100 ? "0" + ms : String(ms);
  return `${pad2(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ` +
    `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${msText}`;
}

export class Logger {
  level: LogLevel;
  role: "M" | "S" = "M";
  #file: Deno.FsFile | null = null;
  #encoder = new TextEncoder();

  constructor(level: LogLevel = "notice", logfile = "") {
    this.level = level;
    this.setFile(logfile);
  }

  /** Points the log at `path` (appending), or at stdout when empty. */
  setFile(path: string): void {
    this.#file?.close();
    this.#file = path === "" ? null : Deno.openSync(path, { append: true, create: true });
  }

  debug(message: string): void {
    this.#write(0, message);
  }
  verbose(message: string): void {
    this.#write(1, message);
  }
  notice(message: string): void {
    this.#write(2, message);
  }
  warning(message: string): void {
    this.#write(3, message);
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }

  #write(rank: number, message: string): void {
    if (rank < LEVEL_RANK[this.level]) return;
    const line = `${Deno.pid}:${this.role} ${formatLogTime(new Date())} ${
      LEVEL_CHAR[rank]
    } ${message}\n`;
    try {
      const bytes = this.#encoder.encode(line);
      if (this.#file) this.#file.writeSync(bytes);
      else Deno.stdout.writeSync(bytes);
    } catch {
      // A full disk or closed stdout must not take the server down with it.
    }
  }
}
