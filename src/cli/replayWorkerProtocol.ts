// The messages between `chat events replay` and its worker threads (replayWorkers.ts, replayWorker.ts): checked
// with zod on arrival, as anything crossing a thread boundary arrives untyped.

import { z } from 'zod';
import { CHAT_EVENT_TYPES } from '../events/chatEvents.js';
import { checkpointFromEntries } from '../eventlog/checkpoint.js';

const checkpoint = z.record(z.string(), z.number()).transform((value) => checkpointFromEntries(Object.entries(value).map(([p, n]) => [Number(p), n])));

/** What the pool hands a worker at start: the data directory and the query, Set-free so it can be cloned. */
export const replayWorkerData = z.object({
  dataDir: z.string().optional(),
  query: z.object({
    after: checkpoint.optional(),
    until: checkpoint.optional(),
    sinceMs: z.number().optional(),
    untilMs: z.number().optional(),
    roomId: z.string().optional(),
    userId: z.string().optional(),
    types: z.array(z.enum(CHAT_EVENT_TYPES)),
    format: z.enum(['jsonl', 'csv']),
  }),
});
export type ReplayWorkerData = z.input<typeof replayWorkerData>;

export const sliceMessage = z.object({ index: z.number(), after: z.number(), until: z.number() });

const sliceResult = z.object({
  kind: z.literal('slice'),
  index: z.number(),
  bytes: z.instanceof(Uint8Array),
  read: z.number(),
  written: z.number(),
  /** The last position of partition 0 the slice covered. */
  reached: z.number(),
});
export type SliceResult = z.infer<typeof sliceResult>;

/** What a worker posts: a replayed slice, or why it could not. */
export const replayWorkerResult = z.discriminatedUnion('kind', [sliceResult, z.object({ kind: z.literal('failed'), message: z.string() })]);
export type ReplayWorkerResult = z.infer<typeof replayWorkerResult>;
