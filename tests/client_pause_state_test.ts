// ClientPause on its own (core/state/client_pause.ts): a second pause keeps the stricter type
// and the later end, the end is honoured by refresh(), expiry is off while paused and comes
// back as it was (unless a snapshot still holds it off), and postponed commands run on unpause.

import assert from "node:assert/strict";
import { ClientPause, PauseType } from "../core/state/client_pause.ts";

function fakeHost() {
  const host = {
    engine: {
      expireDeletes: true,
      setExpireDeletes(on: boolean) {
        host.engine.expireDeletes = on;
      },
    },
    saver: { snapshotRunning: false },
  };
  return host;
}

Deno.test("ClientPause keeps the stricter type and the later end when paused twice", () => {
  const pause = new ClientPause(fakeHost());
  pause.pause(PauseType.All, 1_500, 1_000);
  pause.pause(PauseType.Write, 9_000, 1_000);
  assert.equal(pause.type, PauseType.All);
  assert.equal(pause.endMs, 9_000);
  assert.ok(pause.holds(false));
  assert.ok(pause.refresh(8_999));
  assert.ok(!pause.refresh(9_001));
  assert.equal(pause.type, PauseType.Off);
  assert.ok(!pause.holds(true));
});

Deno.test("ClientPause WRITE holds only may-replicate commands; timeout 0 ends at once", () => {
  const pause = new ClientPause(fakeHost());
  pause.pause(PauseType.Write, 5_000, 1_000);
  assert.ok(pause.holds(true));
  assert.ok(!pause.holds(false));
  pause.unpause();
  pause.pause(PauseType.Write, 0, 1_000);
  assert.ok(!pause.active);
});

Deno.test("ClientPause turns expiry off while paused and restores it", () => {
  const host = fakeHost();
  const pause = new ClientPause(host);
  pause.pause(PauseType.Write, 5_000, 1_000);
  assert.equal(host.engine.expireDeletes, false);
  // A snapshot ending during the pause put its setting back: the next refresh turns it off.
  host.engine.expireDeletes = true;
  pause.refresh(1_100);
  assert.equal(host.engine.expireDeletes, false);
  pause.unpause();
  assert.equal(host.engine.expireDeletes, true);
  // Unpaused while a snapshot runs: the snapshot restores expiry when it ends.
  pause.pause(PauseType.Write, 5_000, 1_000);
  host.saver.snapshotRunning = true;
  pause.unpause();
  assert.equal(host.engine.expireDeletes, false);
});

Deno.test("ClientPause runs postponed commands on unpause and counts them meanwhile", async () => {
  const pause = new ClientPause(fakeHost());
  pause.pause(PauseType.All, 5_000, 1_000);
  const ran: number[] = [];
  const first = pause.postpone(() => void ran.push(1));
  const second = pause.postpone(() => void ran.push(2));
  assert.equal(pause.postponedCount, 2);
  await Promise.resolve();
  assert.deepEqual(ran, []);
  pause.unpause();
  await Promise.all([first, second]);
  assert.deepEqual(ran, [1, 2]);
  assert.equal(pause.postponedCount, 0);
});
