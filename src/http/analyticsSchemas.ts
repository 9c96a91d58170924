import { z } from 'zod';
import { MESSAGE_SIZE_BUCKETS } from '../projections/analytics/analyticsProjection.js';
import { queryIntegerOr } from './queryInteger.js';

// Request and response shapes of the analytics API (see schemas.ts for why one schema serves both the edge and
// the OpenAPI document).

const isoTime = z.string().meta({ format: 'date-time' });
const isoInput = z.iso.datetime({ offset: true });

export const roomMessagesQuery = z
  .strictObject({
    granularity: z.enum(['minute', 'hour']).default('minute'),
    from: isoInput.optional().meta({ description: 'default: an hour (minute) or a day (hour) before `to`' }),
    to: isoInput.optional().meta({ description: 'default: now' }),
  })
  .refine((query) => query.from === undefined || query.to === undefined || Date.parse(query.from) <= Date.parse(query.to), {
    message: 'from must not be after to',
  });

export const activeUsersQuery = z.strictObject({
  days: queryIntegerOr(7, { min: 1, max: 90 }).meta({ description: 'today and the days before it' }),
});

export const topRoomsQuery = z.strictObject({
  window: z
    .enum(['hour', 'day', 'week'])
    .default('day')
    .meta({ description: 'hour: the last 60 minutes; day: the last 24 hours; week: the last 168 hours' }),
  limit: queryIntegerOr(10, { min: 1, max: 100 }),
});

export const roomMessagesSchema = z
  .object({
    roomId: z.string(),
    granularity: z.enum(['minute', 'hour']),
    from: isoTime,
    to: isoTime,
    total: z.number().int(),
    buckets: z
      .array(z.object({ start: isoTime, messages: z.number().int() }))
      .meta({ description: 'oldest first; buckets without messages are left out' }),
  })
  .meta({ id: 'RoomMessageSeries' });

export const activeUsersSchema = z
  .object({
    days: z.array(z.object({ day: z.string().meta({ format: 'date', example: '2025-01-31' }), activeUsers: z.number().int() })),
  })
  .meta({ id: 'ActiveUsers' });

export const topRoomsSchema = z
  .object({
    window: z.enum(['hour', 'day', 'week']),
    from: isoTime,
    to: isoTime,
    rooms: z.array(z.object({ roomId: z.string(), messages: z.number().int() })),
  })
  .meta({ id: 'TopRooms' });

export const messageSizesSchema = z
  .object({
    total: z.number().int(),
    buckets: z.array(
      z.object({
        bucket: z.enum(MESSAGE_SIZE_BUCKETS.map((range) => range.bucket)),
        min: z.number().int(),
        max: z.number().int().nullable().meta({ description: 'null: no upper bound' }),
        messages: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'MessageSizes' });

export const assistantTokensSchema = z
  .object({
    totalTokens: z.number().int().meta({ description: 'Prompt and answer tokens of every assistant together' }),
    assistants: z.array(
      z.object({
        assistantId: z.string(),
        model: z.string(),
        answers: z.number().int(),
        promptTokens: z.number().int(),
        completionTokens: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'AssistantTokens' });
