// Set values. Placeholder until the type lands: the keyspace already dispatches free and copy
// here through values.ts.

/** Frees every block the value owns. */
export function setFreeValue(valuePtr: usize, valueLen: u32): void {
  assert(valuePtr == 0 && valueLen == 0, "set values are not implemented yet");
}

/** Deep copy; the new valuePtr, or 0 on OOM. */
export function setCopyValue(valuePtr: usize, valueLen: u32): usize {
  assert(false, "set values are not implemented yet");
  return valuePtr + <usize>valueLen;
}
