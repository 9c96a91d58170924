// Which store of a projection is the live one, shared by processes: a small value (a file name under DATA_DIR, a
// Redis key prefix) that a rebuild replaces atomically and serving processes poll.

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export interface StorePointer {
  /** The live store's name, or undefined when no rebuild ever set one (the default store is live). */
  read(): Promise<string | undefined>;
  /** Makes `name` the live store, all at once: a reader sees the old value or the new one, never a part. */
  write(name: string): Promise<void>;
}

/** A pointer in a file: written to a temporary file beside it, then renamed over it (atomic on POSIX). */
export function filePointer(file: string): StorePointer {
  return {
    async read() {
      try {
        const value = readFileSync(file, 'utf8').trim();
        return value === '' ? undefined : value;
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(name) {
      const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
      writeFileSync(temporary, `${name}\n`);
      renameSync(temporary, file);
    },
  };
}

export interface PointerWatch {
  stop(): Promise<void>;
}

/**
 * Polls a pointer and calls `onChange` with each new value, one call at a time. A failed `onChange` is logged and
 * tried again at the next poll (the value is only taken as seen once it succeeded).
 */
export function watchPointer(options: {
  pointer: StorePointer;
  /** The value the process started with. */
  initial: string | undefined;
  intervalMs: number;
  onChange: (value: string) => Promise<void>;
  logger?: Logger;
}): PointerWatch {
  let seen = options.initial;
  let running: Promise<void> | undefined;
  let stopped = false;
  const poll = async () => {
    const value = await options.pointer.read();
    if (value === undefined || value === seen || stopped) return;
    await options.onChange(value);
    seen = value;
  };
  const timer = setInterval(() => {
    if (running !== undefined) return;
    running = poll()
      .catch((error: unknown) => options.logger?.error({ err: error }, 'switching to the rebuilt projection store failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
