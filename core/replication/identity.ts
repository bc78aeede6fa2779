// How replication names things: a history by a 40-hex id (Redis's replid, a new one at each
// promotion or full sync from nothing) and a replica by the address it is reported under (ROLE,
// INFO, FAILOVER's target matching). Apart from master.ts so that the failover, the commands and
// the replica's link read them without reaching into the master's stream.

import type { ClientState } from "../sessions/client.ts";

/** master_replid2 while no previous id is kept. */
export const REPL_ID_NONE = "0000000000000000000000000000000000000000";

/** 40 random hex characters, as Redis's replication ids. */
export function randomReplId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The IP a replica is reported under: its announced ip-address, else its peer address. */
export function replicaIp(client: ClientState): string {
  if (client.replAnnouncedIp !== "") return client.replAnnouncedIp;
  const colon = client.addr.lastIndexOf(":");
  const host = colon >= 0 ? client.addr.slice(0, colon) : client.addr;
  return host.startsWith("[") ? host.slice(1, -1) : host;
}
