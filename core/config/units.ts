// Parsing of redis.conf values: memory sizes with units (1k = 1000, 1kb = 1024, as Redis's
// memtoull), yes/no booleans, and the quoting rules of a config line. Kept apart from the
// directive table so the same rules serve the config file, command-line flags and CONFIG SET.

const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1000,
  kb: 1024,
  m: 1000 * 1000,
  mb: 1024 * 1024,
  g: 1000 * 1000 * 1000,
  gb: 1024 * 1024 * 1024,
};

/** "512mb" → 536870912; null when malformed. Negative values are allowed where a directive says. */
export function parseMemory(text: string): number | null {
  const match = /^(-?\d+)([a-zA-Z]*)$/.exec(text.trim());
  if (!match) return null;
  const unit = MEMORY_UNITS[match[2].toLowerCase()];
  if (unit === undefined) return null;
  const value = Number(match[1]) * unit;
  return Number.isSafeInteger(value) ? value : null;
}

export function parseYesNo(text: string): boolean | null {
  const lower = text.toLowerCase();
  if (lower === "yes") return true;
  if (lower === "no") return false;
  return null;
}

/**
 * Splits one config-file line into words as Redis's sdssplitargs does: whitespace separated,
 * double quotes with backslash escapes, single quotes literal. Null on unbalanced quotes.
 */
export function splitConfigLine(line: string): string[] | null {
  const words: string[] = [];
  let i = 0;
  while (true) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) return words;
    let word = "";
    if (line[i] === '"') {
      i++;
      while (true) {
        if (i >= line.length) return null;
        const c = line[i];
        if (c === "\\" && i + 1 < line.length) {
          const n = line[i + 1];
          if (n === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            word += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          word += n === "n"
            ? "\n"
            : n === "r"
            ? "\r"
            : n === "t"
            ? "\t"
            : n === "b"
            ? "\b"
            : n === "a"
            ? "\x07"
            : n;
          i += 2;
          continue;
        }
        if (c === '"') {
          i++;
          if (i < line.length && !/\s/.test(line[i])) return null;
          break;
        }
        word += c;
        i++;
      }
    } else if (line[i] === "'") {
      i++;
      while (true) {
        if (i >= line.length) return null;
        if (line[i] === "\\" && line[i + 1] === "'") {
          word += "'";
          i += 2;
          continue;
        }
        if (line[i] === "'") {
          i++;
          if (i < line.length && !/\s/.test(line[i])) return null;
          break;
        }
        word += line[i];
        i++;
      }
    } else {
      while (i < line.length && !/\s/.test(line[i])) word += line[i++];
    }
    words.push(word);
  }
}
