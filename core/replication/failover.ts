// FAILOVER: a coordinated switch of roles between this master and one of its replicas, with no
// acknowledged write lost. As Redis 7 does it:
//
//   FAILOVER ─▶ waiting-for-sync ──(target acked our whole stream)──▶ failover-in-progress ─▶ done
//                 writes paused         we REPLICAOF the target and       target accepted PSYNC
//                                       send it PSYNC <id> <off> FAILOVER (+CONTINUE): writes
//                                                                        resume, as a replica
//
// While waiting, client writes are paused (parked, not refused), so the stream stops growing and
// the target can catch up; when the switch is done they run and, this server being a replica
// now, get -READONLY (clients follow the new master). The target, on `PSYNC … FAILOVER` with our
// replication id, promotes itself first and then answers the PSYNC from its backlog, so we
// continue partially under its new id. A timeout aborts (or, with FORCE, switches anyway); a
// rejected PSYNC aborts and makes us a master again.

import type { Config } from "../config/table.ts";
import type { Logger } from "../log.ts";
import type { MasterLink } from "./link.ts";
import type { ReplicationMaster } from "./master.ts";
import { replicaIp } from "./identity.ts";
import { ReplicaState } from "../sessions/replica_state.ts";

/** What FAILOVER needs of the server (ServerState provides it): its replicas and its link. */
export interface FailoverHost {
  readonly config: Config;
  readonly log: Logger;
  readonly replication: ReplicationMaster;
  readonly replicaLink: MasterLink | null;
}

export const enum FailoverState {
  None = 0,
  WaitForSync = 1,
  InProgress = 2,
}

/** INFO replication's master_failover_state. */
export function failoverStateName(state: FailoverState): string {
  switch (state) {
    case FailoverState.None:
      return "no-failover";
    case FailoverState.WaitForSync:
      return "waiting-for-sync";
    case FailoverState.InProgress:
      return "failover-in-progress";
  }
}

export interface FailoverRequest {
  /** Target replica (`TO host port`), or null for the first one that catches up. */
  host: string | null;
  port: number;
  /** 0: wait forever (until FAILOVER ABORT). */
  timeoutMs: number;
  force: boolean;
}

export class CoordinatedFailover {
  readonly #server: FailoverHost;
  state: FailoverState = FailoverState.None;
  #targetHost: string | null = null;
  #targetPort = 0;
  #endMs = 0;
  #force = false;
  /** Writes wait on this while paused; resolving it lets them run. */
  #unpause: (() => void) | null = null;
  /** What paused writes wait for (null: writes are not paused). */
  writesPaused: Promise<void> | null = null;

  constructor(server: FailoverHost) {
    this.#server = server;
  }

  /** Starts waiting for a replica to catch up; the caller validated the request. */
  start(request: FailoverRequest, nowMs: number): void {
    this.#targetHost = request.host;
    this.#targetPort = request.port;
    this.#endMs = request.timeoutMs > 0 ? nowMs + request.timeoutMs : 0;
    this.#force = request.force;
    this.state = FailoverState.WaitForSync;
    this.writesPaused = new Promise<void>((resolve) => this.#unpause = resolve);
    this.#server.log.notice(
      request.host !== null
        ? `FAILOVER requested to ${request.host}:${request.port}.`
        : "FAILOVER requested to any replica.",
    );
  }

  /** Periodic check: a caught-up target starts the switch; the deadline aborts or forces it. */
  cron(nowMs: number): void {
    if (this.state !== FailoverState.WaitForSync) return;
    if (this.#endMs > 0 && nowMs >= this.#endMs) {
      if (!this.#force) return this.abort("Replica never caught up before timeout");
      this.#server.log.notice(
        `FAILOVER to ${this.#targetHost}:${this.#targetPort} time out exceeded, failing over.`,
      );
      return this.#switch();
    }
    const master = this.#server.replication;
    const offset = master.masterReplOffset;
    for (const replica of master.replicas) {
      if (replica.replState !== ReplicaState.Online) continue;
      const host = replicaIp(replica);
      const port = replica.replListeningPort;
      if (this.#targetHost !== null && (host !== this.#targetHost || port !== this.#targetPort)) {
        continue;
      }
      if (replica.replAckOffset !== offset) continue;
      this.#targetHost = host;
      this.#targetPort = port;
      this.#server.log.notice(`Failover target ${host}:${port} is synced, failing over.`);
      return this.#switch();
    }
  }

  /** Becomes a replica of the target; the link sends PSYNC … FAILOVER and reports back. */
  #switch(): void {
    this.state = FailoverState.InProgress;
    const link = this.#server.replicaLink;
    if (link === null) return this.abort("no replication link");
    void link.replicaOf(this.#targetHost!, this.#targetPort, true, true);
    this.#server.config.setText("replicaof", `${this.#targetHost} ${this.#targetPort}`, true);
  }

  /** The link's PSYNC FAILOVER was answered: accepted ends the failover, refused aborts it. */
  psyncAnswered(accepted: boolean): void {
    if (this.state !== FailoverState.InProgress) return;
    if (!accepted) return this.abort("Failover target rejected psync request");
    this.#clear();
  }

  /** FAILOVER ABORT, a timeout, or a refusal: back to a master that accepts writes. */
  abort(reason: string): void {
    if (this.state === FailoverState.None) return;
    this.#server.log.notice(
      this.#targetHost !== null
        ? `FAILOVER to ${this.#targetHost}:${this.#targetPort} aborted: ${reason}`
        : `FAILOVER to any replica aborted: ${reason}`,
    );
    const wasSwitching = this.state === FailoverState.InProgress;
    this.#clear();
    if (wasSwitching) {
      void this.#server.replicaLink?.promote();
      this.#server.config.setText("replicaof", "", true);
    }
  }

  #clear(): void {
    this.state = FailoverState.None;
    this.#targetHost = null;
    this.#targetPort = 0;
    this.#endMs = 0;
    this.#force = false;
    const unpause = this.#unpause;
    this.#unpause = null;
    this.writesPaused = null;
    unpause?.();
  }
}
