// The part of node-oracledb (Thin mode) this adapter uses. The package ships no types and @types/oracledb lags its
// releases; declaring only what we call keeps the surface honest: every row still comes back as `unknown` and is
// checked with zod (oracleRows.ts), so a wrong declaration here cannot smuggle an unchecked value in.

declare module 'oracledb' {
  export type BindValue = string | number | null;
  export type BindRow = Readonly<Record<string, BindValue>>;

  export interface ExecuteOptions {
    outFormat?: number;
    autoCommit?: boolean;
  }

  export interface ExecuteManyOptions {
    autoCommit?: boolean;
  }

  export interface Result {
    rows?: unknown[];
    rowsAffected?: number;
  }

  export interface Connection {
    execute(sql: string, binds?: BindRow | readonly BindValue[], options?: ExecuteOptions): Promise<Result>;
    executeMany(sql: string, binds: readonly BindRow[], options?: ExecuteManyOptions): Promise<Result>;
    commit(): Promise<void>;
    rollback(): Promise<void>;
    /** drop: take the session out of the pool instead of returning it (after a lost connection). */
    close(): Promise<void>;
    close(options: { drop: boolean }): Promise<void>;
  }

  export interface PoolAttributes {
    user: string;
    password: string;
    connectString: string;
    poolMin: number;
    poolMax: number;
    poolIncrement: number;
    /** Milliseconds a getConnection() waits in the queue before failing with NJS-040. */
    queueTimeout: number;
    /** Runs on every new session (and on tagged ones), before the pool hands it out. */
    sessionCallback?: (connection: Connection, requestedTag: string, callback: (error?: Error) => void) => void;
  }

  export interface Pool {
    getConnection(): Promise<Connection>;
    /** drainTime in seconds: how long in-use connections may keep working before the pool is closed. */
    close(drainTime?: number): Promise<void>;
  }

  export function createPool(attributes: PoolAttributes): Promise<Pool>;

  /** True while no Oracle Client library was loaded (Thin mode), which this service requires. */
  export const thin: boolean;
  export const OUT_FORMAT_OBJECT: number;

  const oracledb: {
    createPool: typeof createPool;
    readonly thin: boolean;
    readonly OUT_FORMAT_OBJECT: number;
  };
  export default oracledb;
}
