/**
 * Where a piece sits in a process, which decides when it stops (src/roles/roleRunner.ts): the edges that take
 * requests first, then what flushes what they left behind, then the writer that decides the commands, then the
 * views everything above reads.
 */
export type RoleLayer = 'edge' | 'drain' | 'writer' | 'view';

/** The order layers stop in. */
export const STOP_ORDER: readonly RoleLayer[] = ['edge', 'drain', 'writer', 'view'];

/** One piece a role starts (the HTTP edge, a projector, the gateway, ...). */
export interface RoleComponent {
  /** Names the piece in logs and in a failed start. */
  readonly name: string;
  readonly layer: RoleLayer;
  start(): Promise<void>;
  /** Stops gracefully; called only after start() resolved. */
  stop(): Promise<void>;
}
