// The replica side's link to its master, as the layers below the network see it. The link
// itself (core/network/master_link.ts) owns a socket and runs the master's stream through the
// command dispatcher, so it stands above the commands; the server state, FAILOVER and the
// replication commands hold it through this interface instead, as Redis's server.master and
// server.repl_state are read everywhere while only replication.c drives them.

/** ROLE's replica fields: the link state's name and the offset applied (-1 while down). */
export interface LinkRoleFields {
  state: string;
  offset: number;
}

export interface MasterLink {
  /** REPLICAOF's target; "" and 0 while this server is a master. */
  readonly masterHost: string;
  readonly masterPort: number;
  /** The link is connected and streaming (master_link_status:up). */
  readonly linkUp: boolean;
  /** The database the master's stream has selected, for repl-stream-db in a snapshot. */
  readonly streamDb: number;
  /**
   * Follows `host`:`port`. `cacheMyself`: offer our own history to PSYNC (a master turned
   * replica keeps its dataset); `failoverPsync`: send `PSYNC … FAILOVER` (FAILOVER's switch).
   */
  replicaOf(
    host: string,
    port: number,
    cacheMyself: boolean,
    failoverPsync?: boolean,
  ): Promise<void>;
  /** REPLICAOF NO ONE: stops the link and makes this server a master, keeping its history. */
  promote(): Promise<void>;
  /** CLIENT KILL TYPE master: closes a connected link (it reconnects); false when none was. */
  dropLink(): boolean;
  /** Stops the link for good (SHUTDOWN). */
  shutdown(): Promise<void>;
  /** Before the link starts: the history a restart read from its RDB (replid, offset, db). */
  restoreHistory(replId: string, offset: number, streamDb: number): void;
  roleFields(): LinkRoleFields;
  /** INFO replication's replica lines. */
  infoLines(nowMs: number): string[];
  /** A swapdb full sync is loading while clients read the old dataset (INFO async_loading). */
  readonly asyncLoading: boolean;
  /** INFO persistence lines on the two datasets' memory while a swapdb load runs, else []. */
  loadInfoLines(): string[];
}
