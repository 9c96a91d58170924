// What this connection last wrote to the log, remembered so that the reads which follow every append need not ask
// SQLite again: each stream's tip (its version and the hash the next event chains to), and the bodies of the
// latest events in position order. A send used to pay three statements for facts it had just written: the tip
// read inside the write transaction, the command bus's catch-up read of the stream (empty), and the subscribers'
// read of the events just appended.
//
// The memory is only as good as the knowledge that nobody else wrote. Another connection (the CLI's `chat users
// erase`, an operator tool) may append to the same file at any time, so every use first asks SQLite's
// `PRAGMA data_version`, which changes exactly when another connection has committed: then everything remembered
// is dropped and the caller reads the file as before (support/sqliteDataVersion.ts). That check costs a fraction
// of the statements it saves.
//
// It also remembers the command ids it was lately asked for and did not find: a send asks twice (chatCommands,
// for the rate limit, and the command bus, under its stream's lock), and the second answer is the first unless an
// append of this connection carried the id since, which `committed` forgets it for.

import type Database from 'better-sqlite3';
import { OtherConnectionsWatch } from '../../support/sqliteDataVersion.js';

/** A stream's last event as stored: what the next append checks its version against and chains its hash to. */
export interface StreamTip {
  version: number;
  /** Of the last event's stored bytes (GENESIS_HASH for an empty stream). */
  hash: string;
}

/** One event as this connection committed it: its position and its stored bytes. */
export interface WrittenEvent {
  position: number;
  body: Buffer;
  commandId: string;
}

/** Streams whose tip is remembered; the least recently written are forgotten first. */
const MAX_TIPS = 10_000;
/** Latest bodies kept (up to a quarter more between trims). */
const MAX_BODIES = 4_096;
/** Command ids remembered as absent; the oldest asked are forgotten first. */
const MAX_ABSENT_COMMANDS = 4_096;

export class RecentWrites {
  private readonly otherWriters: OtherConnectionsWatch;
  private readonly tips = new Map<string, StreamTip>();
  /** Bodies at consecutive positions from `firstPosition`: every event committed since, none missing. */
  private bodies: Buffer[] = [];
  private firstPosition = 0;
  private readonly absentCommands = new Set<string>();

  constructor(db: Database.Database) {
    this.otherWriters = new OtherConnectionsWatch(db);
  }

  /**
   * True when no other connection has committed since the memory was last brought up to date; otherwise forgets
   * everything (and starts trusting what is remembered from now on). Inside a write transaction this is exact: the
   * transaction holds the write lock, so nobody can commit between this check and the commit.
   */
  current(): boolean {
    if (!this.otherWriters.committedSinceLastLook()) return true;
    this.tips.clear();
    this.bodies = [];
    this.absentCommands.clear();
    return false;
  }

  /** True when no event of the log carries the command id, as far as memory knows (call `current()` first). */
  knownAbsent(commandId: string): boolean {
    return this.absentCommands.has(commandId);
  }

  /** The file was just asked for the command id, after `current()`, and holds no event of it. */
  absent(commandId: string): void {
    this.absentCommands.add(commandId);
    if (this.absentCommands.size > MAX_ABSENT_COMMANDS) {
      const oldest = this.absentCommands.values().next().value;
      if (oldest !== undefined) this.absentCommands.delete(oldest);
    }
  }

  /** The stream's tip as this connection left it, if remembered (call `current()` first). */
  tipOf(streamId: string): StreamTip | undefined {
    return this.tips.get(streamId);
  }

  /**
   * Called after a write transaction of this connection committed (and never after one that rolled back), with the
   * tips it left and the events it inserted in position order. A transaction that began with `current()` false
   * leaves the bodies starting at its own first event.
   */
  committed(tips: ReadonlyMap<string, StreamTip>, written: readonly WrittenEvent[]): void {
    for (const [streamId, tip] of tips) {
      this.tips.delete(streamId);
      this.tips.set(streamId, tip);
    }
    while (this.tips.size > MAX_TIPS) {
      const oldest = this.tips.keys().next().value;
      if (oldest === undefined) break;
      this.tips.delete(oldest);
    }
    for (const event of written) this.absentCommands.delete(event.commandId);
    const first = written[0];
    if (first === undefined) return;
    if (this.bodies.length === 0 || first.position !== this.firstPosition + this.bodies.length) {
      this.bodies = [];
      this.firstPosition = first.position;
    }
    for (const event of written) this.bodies.push(event.body);
    if (this.bodies.length > MAX_BODIES * 1.25) {
      const excess = this.bodies.length - MAX_BODIES;
      this.bodies = this.bodies.slice(excess);
      this.firstPosition += excess;
    }
  }

  /**
   * The stored bodies after `after`, at most `limit`, with their positions, when memory can answer: it holds every
   * event since `after` (an empty page: the log's head is `after`). Undefined: read the file. Call `current()`
   * first.
   */
  bodiesAfter(after: number, limit: number): Array<Pick<WrittenEvent, 'position' | 'body'>> | undefined {
    if (this.bodies.length === 0 || after < this.firstPosition - 1) return undefined;
    const end = this.firstPosition + this.bodies.length;
    const page: Array<Pick<WrittenEvent, 'position' | 'body'>> = [];
    for (let position = after + 1; position < end && page.length < limit; position++) {
      const body = this.bodies[position - this.firstPosition];
      if (body !== undefined) page.push({ position, body });
    }
    return page;
  }
}
