// The states a replica's connection passes through on the master, in order. Kept apart from
// master.ts so ClientState can hold one without importing the replication machinery.

/** Where a client stands as a replica of this master (Redis's SLAVE_STATE_*), in order. */
export const enum ReplicaState {
  /** An ordinary client: never asked for SYNC/PSYNC. */
  None = 0,
  /** Asked for a full sync; the snapshot is being produced (wait_bgsave). */
  WaitBgsave = 1,
  /** The snapshot is being sent (send_bulk). */
  SendBulk = 2,
  /** Snapshot or backlog sent: fed every stream byte from now on (online). */
  Online = 3,
}

/** The name INFO replication's slaveN `state=` field gives a state. */
export function replicaStateName(state: ReplicaState): string {
  switch (state) {
    case ReplicaState.None:
      return "none";
    case ReplicaState.WaitBgsave:
      return "wait_bgsave";
    case ReplicaState.SendBulk:
      return "send_bulk";
    case ReplicaState.Online:
      return "online";
  }
}
