// A byte-level RESP client for tests: what goes on the wire and what comes back, unparsed.
//
// The differential tests compare servers reply by reply, byte for byte, so this client never
// decodes a reply into JS values: it only finds where each reply ends (`scanReply`) and hands
// back that slice. The scanner knows every RESP2 and RESP3 type so that a RESP3 connection
// (after `HELLO 3`) is framed correctly too:
//
//   line types   + - : _ , # (          <type><text>\r\n
//   blob types   $ ! =                  <type><len>\r\n<len bytes>\r\n   ($-1 is RESP2 null)
//   aggregates   * ~ >                  <type><count>\r\n<count replies> (*-1 is RESP2 null)
//   pair types   % |                    <type><count>\r\n<2*count replies>
//
// An attribute (`|`) is metadata attached to the reply that follows it, so the scanner treats
// "attribute + next reply" as one reply. Streamed strings and aggregates (`$?`, `*?`) are not
// sent by Redis to clients and are not supported.
//
// Every read has a deadline (`replyTimeoutMs`) so that a server that never answers fails the
// test with a message instead of hanging the suite.

import { concatBytes } from "../../core/bytes.ts";
const CR = 0x0d;
const LF = 0x0a;

/** Deepest nesting the scanner follows before calling the reply malformed. */
const NESTING_DEPTH_MAX = 64;

/** Default time a test waits for the replies it asked for. */
export const REPLY_TIMEOUT_MS_DEFAULT = 5_000;

/** Encodes text as latin1 (one byte per UTF-16 unit below 256), for raw wire strings. */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code > 0xff) throw new RangeError(`latin1Bytes: char ${code} at ${index} is above 0xff`);
    bytes[index] = code;
  }
  return bytes;
}

/** Decodes bytes as latin1, so that every byte maps to exactly one char (for messages). */
export function latin1Text(bytes: Uint8Array): string {
  let text = "";
  for (let index = 0; index < bytes.length; index += 8192) {
    text += String.fromCharCode(...bytes.subarray(index, index + 8192));
  }
  return text;
}

/** Encodes one command as a RESP multibulk; strings are sent as UTF-8. */
export function encodeCommand(args: readonly (string | Uint8Array)[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const argBytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${argBytes.length}\r\n`), argBytes, encoder.encode("\r\n"));
  }
  return concatBytes(parts);
}

export { concatBytes };

/** Index of the `\r` of the first CRLF at or after `start`, or -1 if none yet. */
function findCrlf(buffer: Uint8Array, start: number, end: number): number {
  for (let index = start; index + 1 < end; index++) {
    if (buffer[index] === CR && buffer[index + 1] === LF) return index;
  }
  return -1;
}

/** Parses the signed decimal header between `start` and `end`; throws if it is not one. */
function parseHeaderInt(buffer: Uint8Array, start: number, end: number): number {
  const text = latin1Text(buffer.subarray(start, end));
  if (!/^-?\d+$/.test(text)) throw new Error(`RESP: bad length header ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Finds the end of the complete reply that starts at `start`.
 *
 * Returns the index one past its last byte, or -1 when `buffer[start, end)` holds only part of
 * it. Throws on bytes that are not RESP (an unknown type byte, a bad length).
 */
export function scanReply(buffer: Uint8Array, start: number, end: number, depth = 0): number {
  if (depth > NESTING_DEPTH_MAX) throw new Error("RESP: reply nested too deep");
  if (start >= end) return -1;
  const type = String.fromCharCode(buffer[start]);
  const lineEnd = findCrlf(buffer, start + 1, end);
  if (lineEnd < 0) return -1;
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
    case "-":
    case ":":
    case "_":
    case ",":
    case "#":
    case "(":
      return afterLine;
    case "$":
    case "!":
    case "=": {
      const lengthBytes = parseHeaderInt(buffer, start + 1, lineEnd);
      if (lengthBytes < 0) return afterLine;
      const afterBlob = afterLine + lengthBytes + 2;
      if (afterBlob > end) return -1;
      if (buffer[afterBlob - 2] !== CR || buffer[afterBlob - 1] !== LF) {
        throw new Error("RESP: blob not followed by CRLF");
      }
      return afterBlob;
    }
    case "*":
    case "~":
    case ">":
    case "%":
    case "|": {
      const count = parseHeaderInt(buffer, start + 1, lineEnd);
      if (count < 0) return afterLine;
      const elementCount = type === "%" || type === "|" ? count * 2 : count;
      let cursor = afterLine;
      for (let index = 0; index < elementCount; index++) {
        cursor = scanReply(buffer, cursor, end, depth + 1);
        if (cursor < 0) return -1;
      }
      // An attribute describes the reply after it: both form one reply.
      if (type === "|") return scanReply(buffer, cursor, end, depth + 1);
      return cursor;
    }
    default:
      throw new Error(`RESP: unknown type byte ${JSON.stringify(type)} at ${start}`);
  }
}

/**
 * The raw bytes of each element of an aggregate reply (`*`, `~`, `>`, `%`, `|`), in order;
 * a map's keys and values are separate elements. Returns null for a non-aggregate or a null.
 */
export function splitAggregate(reply: Uint8Array): Uint8Array[] | null {
  const type = String.fromCharCode(reply[0]);
  if (!"*~>%|".includes(type)) return null;
  const lineEnd = findCrlf(reply, 1, reply.length);
  const count = parseHeaderInt(reply, 1, lineEnd);
  if (count < 0) return null;
  const elementCount = type === "%" || type === "|" ? count * 2 : count;
  const elements: Uint8Array[] = [];
  let cursor = lineEnd + 2;
  for (let index = 0; index < elementCount; index++) {
    const elementEnd = scanReply(reply, cursor, reply.length, 1);
    if (elementEnd < 0) throw new Error("RESP: aggregate shorter than its count");
    elements.push(reply.subarray(cursor, elementEnd));
    cursor = elementEnd;
  }
  return elements;
}

/** The payload of a blob (`$`) reply as latin1 text, or null for a null or another type. */
export function blobText(reply: Uint8Array): string | null {
  if (reply[0] !== 0x24) return null; // "$"
  const lineEnd = findCrlf(reply, 1, reply.length);
  const lengthBytes = parseHeaderInt(reply, 1, lineEnd);
  if (lengthBytes < 0) return null;
  return latin1Text(reply.subarray(lineEnd + 2, lineEnd + 2 + lengthBytes));
}

/** A TCP connection that sends raw bytes and returns raw replies. */
export class RawClient {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(64 * 1024);
  /** Bytes received and not yet returned: `#buffer[#readIndex, #writeIndex)`. */
  #readIndex = 0;
  #writeIndex = 0;
  #closed = false;
  readonly replyTimeoutMs: number;

  private constructor(conn: Deno.TcpConn, replyTimeoutMs: number) {
    this.#conn = conn;
    this.replyTimeoutMs = replyTimeoutMs;
  }

  /** Connects to 127.0.0.1:`port`. */
  static async connect(
    port: number,
    replyTimeoutMs = REPLY_TIMEOUT_MS_DEFAULT,
  ): Promise<RawClient> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new RawClient(conn, replyTimeoutMs);
  }

  /** Writes `data` entirely; a string is sent as latin1 bytes (so "\x00" is one NUL byte). */
  async send(data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === "string" ? latin1Bytes(data) : data;
    let sentBytes = 0;
    while (sentBytes < bytes.length) {
      sentBytes += await this.#conn.write(bytes.subarray(sentBytes));
    }
  }

  /** Sends one command as a multibulk and returns its raw reply. */
  async command(...args: (string | Uint8Array)[]): Promise<Uint8Array> {
    await this.send(encodeCommand(args));
    const [reply] = await this.readReplies(1);
    return reply;
  }

  /** Sends one command and returns its raw reply as latin1 text (handy for assertions). */
  async commandText(...args: (string | Uint8Array)[]): Promise<string> {
    return latin1Text(await this.command(...args));
  }

  /**
   * Reads `count` complete replies and returns the raw bytes of each.
   * Rejects if they have not all arrived within `timeoutMs`, or if the server closes first.
   */
  async readReplies(count: number, timeoutMs = this.replyTimeoutMs): Promise<Uint8Array[]> {
    const replies: Uint8Array[] = [];
    const deadlineMs = Date.now() + timeoutMs;
    while (replies.length < count) {
      const replyEnd = scanReply(this.#buffer, this.#readIndex, this.#writeIndex);
      if (replyEnd >= 0) {
        replies.push(this.#buffer.slice(this.#readIndex, replyEnd));
        this.#readIndex = replyEnd;
        continue;
      }
      const remainingMs = deadlineMs - Date.now();
      const outcome = remainingMs > 0 ? await this.#fill(remainingMs) : "timeout";
      if (outcome !== "data") {
        const pending = latin1Text(this.#buffer.subarray(this.#readIndex, this.#writeIndex));
        throw new Error(
          `RawClient: got ${replies.length} of ${count} replies ` +
            `(${outcome === "timeout" ? `timeout after ${timeoutMs} ms` : "connection closed"}); ` +
            `pending bytes: ${JSON.stringify(pending)}`,
        );
      }
    }
    return replies;
  }

  /**
   * Reads raw bytes up to and including the first `marker` (a replication stream has no
   * reply framing). Rejects on timeout or when the server closes first.
   */
  async readUntil(
    marker: Uint8Array | string,
    timeoutMs = this.replyTimeoutMs,
  ): Promise<Uint8Array> {
    const needle = typeof marker === "string" ? latin1Bytes(marker) : marker;
    const deadlineMs = Date.now() + timeoutMs;
    let searchFrom = this.#readIndex;
    for (;;) {
      for (let at = searchFrom; at + needle.length <= this.#writeIndex; at++) {
        let matched = true;
        for (let i = 0; i < needle.length && matched; i++) {
          matched = this.#buffer[at + i] === needle[i];
        }
        if (!matched) continue;
        const bytes = this.#buffer.slice(this.#readIndex, at + needle.length);
        this.#readIndex = at + needle.length;
        return bytes;
      }
      const scannedBytes = Math.max(0, this.#writeIndex - this.#readIndex - needle.length + 1);
      const remainingMs = deadlineMs - Date.now();
      const outcome = remainingMs > 0 ? await this.#fill(remainingMs) : "timeout";
      if (outcome !== "data") {
        throw new Error(
          `RawClient.readUntil: ${outcome} before ${JSON.stringify(latin1Text(needle))}`,
        );
      }
      searchFrom = this.#readIndex + scannedBytes; // #fill may have moved the pending bytes
    }
  }

  /**
   * Resolves true when the server closed the connection within `timeoutMs` (any bytes it
   * sent before closing are dropped), false when it is still open.
   */
  async waitForClose(timeoutMs = this.replyTimeoutMs): Promise<boolean> {
    const deadlineMs = Date.now() + timeoutMs;
    for (;;) {
      this.#readIndex = this.#writeIndex;
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) return false;
      const outcome = await this.#fill(remainingMs);
      if (outcome === "eof") return true;
      if (outcome === "timeout") return false;
    }
  }

  /** Reads more bytes into the buffer, waiting at most `timeoutMs`. */
  async #fill(timeoutMs: number): Promise<"data" | "eof" | "timeout"> {
    if (this.#readIndex === this.#writeIndex) {
      this.#readIndex = 0;
      this.#writeIndex = 0;
    }
    if (this.#writeIndex === this.#buffer.length) {
      const pendingBytes = this.#writeIndex - this.#readIndex;
      const grown = new Uint8Array(Math.max(this.#buffer.length, pendingBytes * 2));
      grown.set(this.#buffer.subarray(this.#readIndex, this.#writeIndex));
      this.#buffer = grown;
      this.#readIndex = 0;
      this.#writeIndex = pendingBytes;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), Math.max(1, timeoutMs));
    });
    try {
      const result = await Promise.race([
        this.#conn.read(this.#buffer.subarray(this.#writeIndex)),
        timedOut,
      ]);
      if (result === "timeout") {
        // The read is still pending; closing the connection settles it so nothing leaks.
        this.close();
        return "timeout";
      }
      if (result === null) return "eof";
      this.#writeIndex += result;
      return "data";
    } catch (error) {
      if (
        error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BadResource
      ) {
        return "eof";
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}
