// Keyspace notifications: Pub/Sub messages about changes to keys (Redis's notify.c). A command
// names its event (`set`, `lpush`, `expire` …) in a class; when `notify-keyspace-events`
// selects that class, the event goes out on __keyspace@<db>__:<key> (message: the event) and/or
// __keyevent@<db>__:<event> (message: the key), through the ordinary Pub/Sub delivery.
//
// Commands do not call this themselves: every write already reports the keys it changed
// (ServerState.keyModified), and core/commands/keyspace_events.ts turns the keys one command
// touched into its events once it ends. So, while notifications are on, each command run opens
// a frame here that collects those keys; frames nest (EXEC, a script's redis.call).
//
//   run of EXEC ─ frame 0 (touches nothing itself)
//     run of LPUSH ─ frame 1: [db0 "list"] → "lpush list"
//     run of SET   ─ frame 1: [db0 "k"]    → "set k"
//
// With notifications off (the default) no frame is opened and a write pays one comparison.

import { NOTIFY_KEYEVENT, NOTIFY_KEYSPACE } from "../config/keyspace_events.ts";
import type { PubSubRegistry } from "./pubsub.ts";

/** One key a command changed. */
export interface TouchedKey {
  db: number;
  /** A copy: the command's argv views are reused after it returns. */
  key: Uint8Array;
}

/** The keys changed by one command run, in the order it changed them (no repeats). */
export interface KeyspaceFrame {
  readonly touched: TouchedKey[];
}

/** The most keys one frame records; a command changing more notifies for the first ones. */
const FRAME_KEYS_MAX = 1 << 20;

const encoder = new TextEncoder();

export class KeyspaceNotifier {
  readonly #pubsub: PubSubRegistry;
  /** The NOTIFY_* flags in force (`notify-keyspace-events`); 0 when off. */
  flags = 0;
  /** Open frames, innermost last; empty while notifications are off or between commands. */
  readonly #frames: KeyspaceFrame[] = [];

  constructor(pubsub: PubSubRegistry) {
    this.#pubsub = pubsub;
  }

  /** True when some event could be sent: a class and a destination (K or E) are both set. */
  get enabled(): boolean {
    return (this.flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) !== 0 &&
      (this.flags & ~(NOTIFY_KEYSPACE | NOTIFY_KEYEVENT)) !== 0;
  }

  /** True if events of class `type` are sent. */
  wants(type: number): boolean {
    return (this.flags & type) !== 0 && this.enabled;
  }

  /** True while some command run has a frame open. */
  get hasOpenFrames(): boolean {
    return this.#frames.length > 0;
  }

  /** Opens a frame for one command run; pair with endFrame. */
  beginFrame(): KeyspaceFrame {
    const frame: KeyspaceFrame = { touched: [] };
    this.#frames.push(frame);
    return frame;
  }

  /** Closes `frame` (and any frame a failed run left open above it). */
  endFrame(frame: KeyspaceFrame): void {
    const index = this.#frames.lastIndexOf(frame);
    if (index >= 0) this.#frames.length = index;
  }

  /** A write changed `key` (from ServerState.keyModified): recorded in the innermost frame. */
  touched(db: number, key: Uint8Array): void {
    const frame = this.#frames.at(-1);
    if (frame === undefined) return;
    const touched = frame.touched;
    if (touched.length >= FRAME_KEYS_MAX) return;
    for (const seen of touched) {
      if (seen.db === db && sameBytes(seen.key, key)) return;
    }
    touched.push({ db, key: key.slice() });
  }

  /**
   * Publishes `event` about `key` in `db` if class `type` is selected (Redis's
   * notifyKeyspaceEvent): keyspace channel first, then keyevent.
   */
  notify(type: number, event: string, key: Uint8Array, db: number): void {
    if ((this.flags & type) === 0) return;
    const eventBytes = encoder.encode(event);
    if (this.flags & NOTIFY_KEYSPACE) {
      this.#pubsub.publish(concat(`__keyspace@${db}__:`, key), eventBytes);
    }
    if (this.flags & NOTIFY_KEYEVENT) {
      this.#pubsub.publish(concat(`__keyevent@${db}__:`, eventBytes), key);
    }
  }
}

function concat(prefix: string, tail: Uint8Array): Uint8Array {
  const head = encoder.encode(prefix);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
