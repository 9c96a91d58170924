import type { AnalyticsQueries } from '../../projections/analytics/analyticsQueries.js';
import {
  activeUsersQuery,
  activeUsersSchema,
  assistantTokensSchema,
  messageSizesSchema,
  roomMessagesQuery,
  roomMessagesSchema,
  topRoomsQuery,
  topRoomsSchema,
} from '../analyticsSchemas.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';
import { roomIdParams } from '../schemas.js';

const FORBIDDEN = { 403: { description: 'FORBIDDEN: only the analyst and admin roles read analytics' } };

/** Counters of the analytics projection; times are UTC and buckets are named by their start. */
export function analyticsRoutes(analytics: AnalyticsQueries): Endpoint[] {
  const tags = ['analytics'];
  return [
    authedRoute({
      method: 'get',
      path: '/api/analytics/rooms/:roomId/messages',
      summary: 'Messages sent in a room per minute or per hour (analyst, admin)',
      description: 'Minutes are kept for 48 hours and hours for 90 days, counted back from the newest event.',
      tags,
      body: NO_BODY,
      query: roomMessagesQuery,
      params: roomIdParams,
      responses: {
        200: { description: 'the series', schema: roomMessagesSchema },
        400: { description: 'VALIDATION_FAILED: from is after to' },
        ...FORBIDDEN,
      },
      async handler({ principal, params, query }) {
        const body = await analytics.roomMessages(principal, params.roomId, {
          granularity: query.granularity,
          from: query.from === undefined ? undefined : Date.parse(query.from),
          to: query.to === undefined ? undefined : Date.parse(query.to),
        });
        return { status: 200, body };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/analytics/active-users',
      summary: 'Distinct senders per UTC day, today and the days before (analyst, admin)',
      tags,
      body: NO_BODY,
      query: activeUsersQuery,
      params: NO_PARAMS,
      responses: { 200: { description: 'one entry per day, oldest first', schema: activeUsersSchema }, ...FORBIDDEN },
      async handler({ principal, query }) {
        return { status: 200, body: await analytics.activeUsers(principal, { days: query.days }) };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/analytics/top-rooms',
      summary: 'Rooms with the most messages over the last hour, day or week (analyst, admin)',
      tags,
      body: NO_BODY,
      query: topRoomsQuery,
      params: NO_PARAMS,
      responses: { 200: { description: 'most messages first, ties by roomId', schema: topRoomsSchema }, ...FORBIDDEN },
      async handler({ principal, query }) {
        return { status: 200, body: await analytics.topRooms(principal, { window: query.window, limit: query.limit }) };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/analytics/message-sizes',
      summary: 'Messages by text length in code points (analyst, admin)',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'every bucket, empty ones included', schema: messageSizesSchema }, ...FORBIDDEN },
      async handler({ principal }) {
        return { status: 200, body: await analytics.messageSizes(principal) };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/analytics/assistants/tokens',
      summary: "Tokens used by assistants' answers, per assistant and model (analyst, admin)",
      description:
        'Summed from AssistantUsageRecorded (one per stored answer: the usage the model server reported, or characters / 4 ' +
        'when it reported none), since the analytics store was built; never pruned.',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'by assistant id, then model', schema: assistantTokensSchema }, ...FORBIDDEN },
      async handler({ principal }) {
        return { status: 200, body: await analytics.assistantTokens(principal) };
      },
    }),
  ];
}
