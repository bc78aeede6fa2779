// What ACL enforcement costs per command, measured through the dispatcher without sockets:
// GET and SET as an internal client (no user: the pre-ACL path), as the default user (the one
// `unrestricted` boolean), and as a restricted user (~cache:* +get +set: bitmap test plus key
// extraction and a glob per key). The first two should be indistinguishable.

import { executeCommand } from "../core/commands/dispatch.ts";
import { buildCommandTable } from "../core/commands/registry.ts";
import { Config } from "../core/config/table.ts";
import { Engine } from "../core/engine/mod.ts";
import { Logger } from "../core/log.ts";
import { ReplyWriter, RespReader } from "../core/resp/mod.ts";
import { ClientState } from "../core/sessions/client.ts";
import { ServerState } from "../core/state/server_state.ts";

const encoder = new TextEncoder();
const state = new ServerState(Engine.create(), new Config(), new Logger("nothing"));
const table = buildCommandTable();
state.acl.attachCommandTable(table);

function client(id: number): ClientState {
  return new ClientState(id, "bench", "bench", new RespReader(), new ReplyWriter(), true, 0);
}

const internal = client(1);
const asDefault = client(2);
asDefault.user = state.acl.defaultUser;
const restricted = client(3);
const cacher = state.acl.newUser("cacher");
for (const rule of ["on", "nopass", "~cache:*", "+get", "+set"]) state.acl.applyRule(cacher, rule);
cacher.refresh();
state.acl.users.set("cacher", cacher);
restricted.user = cacher;

const setArgv = ["SET", "cache:000000000001", "xxx"].map((a) => encoder.encode(a));
const getArgv = ["GET", "cache:000000000001"].map((a) => encoder.encode(a));

function run(who: ClientState, argv: Uint8Array[]): void {
  void executeCommand(table, state, who, argv);
  who.writer.reset();
}

for (const [label, who] of [["no user", internal], ["default user", asDefault]] as const) {
  Deno.bench({
    name: `dispatch SET + GET as ${label}`,
    group: "acl",
    baseline: who === internal,
    fn() {
      run(who, setArgv);
      run(who, getArgv);
    },
  });
}

Deno.bench({
  name: "dispatch SET + GET as a restricted user (~cache:* +get +set)",
  group: "acl",
  fn() {
    run(restricted, setArgv);
    run(restricted, getArgv);
  },
});
