// The raw bytes a replica has received from its master but not yet applied. The RESP reader
// parses commands out of its own buffer; this queue keeps the same bytes, unparsed, so that once
// a command (or a whole MULTI … EXEC) has run, exactly the bytes the master sent for it can be
// proxied to our backlog and replicas. Re-encoding the parsed arguments would not do: a master
// may send inline or non-canonical RESP, and every byte counts toward the offset.

import { type InvariantCheck, invariantsOf } from "../assert.ts";

const assertInvariant: InvariantCheck = invariantsOf("UnappliedBytes");

/** A FIFO of bytes: `push` what was read, `take` what was applied. */
export class UnappliedBytes {
  #buf = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  get lengthBytes(): number {
    return this.#end - this.#start;
  }

  /** Appends a copy of `bytes`. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const liveBytes = this.#end - this.#start;
    if (this.#buf.length - this.#end < bytes.length) {
      const next = liveBytes + bytes.length > this.#buf.length
        ? new Uint8Array(Math.max(this.#buf.length * 2, liveBytes + bytes.length))
        : this.#buf;
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#start = 0;
      this.#end = liveBytes;
    }
    this.#buf.set(bytes, this.#end);
    this.#end += bytes.length;
  }

  /** Removes and returns the oldest `sizeBytes` (a view, valid until the next push). */
  take(sizeBytes: number): Uint8Array {
    assertInvariant(sizeBytes <= this.lengthBytes, "never takes more than was pushed");
    const bytes = this.#buf.subarray(this.#start, this.#start + sizeBytes);
    this.#start += sizeBytes;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return bytes;
  }
}
