import { z } from 'zod';
import type { FriendCommands } from '../../commands/friends/friendCommands.js';
import type { FriendQueries } from '../../queries/friendQueries.js';
import { friendEntrySchema, friendListDto, friendRequestListDto } from '../friendPresenters.js';
import { publicProfileDto } from '../presenters.js';
import { publicProfileSchema, userIdParams } from '../profileSchemas.js';
import { codePointString } from '../schemas.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';

// Friends (seed 003): requests, accept, reject, cancel, list, remove, and finding people by email. Each change is
// an event on the pair's stream friendship-<a>-<b>; the answer comes once the lists show it.

const tags = ['friends'];

const requestBody = z.union([
  z.strictObject({ userId: codePointString(200, 1) }),
  z.strictObject({ username: codePointString(64, 1) }),
]);

// zod's own email pattern, so the document names the addresses the check takes (format: email admits more).
const searchQuery = z.strictObject({
  email: z.string().trim().max(254).pipe(z.email()).meta({ maxLength: 254, pattern: z.regexes.email.source }),
});

const noContent = { description: 'done' };
/** Nobody is their own friend: every friendship operation naming the caller is refused before anything is read. */
const SELF = { 400: { description: 'VALIDATION_FAILED: the user is the caller' } };

export function friendRoutes(friends: FriendCommands, queries: FriendQueries): Endpoint[] {
  return [
    authedRoute({
      method: 'get',
      path: '/api/friends',
      summary: 'Your friends, oldest friendship first',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the friends', schema: z.object({ friends: z.array(friendEntrySchema) }) } },
      async handler({ principal }) {
        return { status: 200, body: friendListDto(await queries.list(principal.userId, 'friends')) };
      },
    }),
    authedRoute({
      method: 'delete',
      path: '/api/friends/:userId',
      summary: 'End a friendship',
      description: 'Recorded as FriendRemoved; either of the two may then ask again.',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: userIdParams,
      responses: { 204: noContent, ...SELF, 404: { description: 'NOT_FRIENDS' } },
      async handler({ principal, params, requestId }) {
        await friends.remove(principal, params.userId, requestId);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/friends/requests',
      summary: 'Ask someone (by user id or username) to be friends',
      description:
        'If they have already asked you, this accepts their request instead (status "accepted"). Asking yourself is ' +
        'VALIDATION_FAILED, an unknown user NO_USER, asking again while your request is pending ' +
        'FRIEND_REQUEST_EXISTS, asking a friend ALREADY_FRIENDS.',
      tags,
      body: requestBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        201: {
          description: 'the request was sent (pending), or the two are now friends (accepted)',
          schema: z.object({ status: z.enum(['pending', 'accepted']), user: publicProfileSchema }),
        },
        ...SELF,
        404: { description: 'NO_USER' },
        409: { description: 'FRIEND_REQUEST_EXISTS, ALREADY_FRIENDS' },
      },
      async handler({ principal, body, requestId }) {
        const outcome = await friends.request(principal, body, requestId);
        return { status: 201, body: { status: outcome.status, user: publicProfileDto(outcome.user) } };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/friends/requests/pending',
      summary: 'Requests others sent you that wait for your answer, oldest first',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the requests', schema: z.object({ requests: z.array(friendEntrySchema) }) } },
      async handler({ principal }) {
        return { status: 200, body: friendRequestListDto(await queries.list(principal.userId, 'received')) };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/friends/requests/sent',
      summary: 'Your requests that wait for an answer, oldest first',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: { 200: { description: 'the requests', schema: z.object({ requests: z.array(friendEntrySchema) }) } },
      async handler({ principal }) {
        return { status: 200, body: friendRequestListDto(await queries.list(principal.userId, 'sent')) };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/friends/requests/:userId/accept',
      summary: "Accept that user's pending request to you",
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: userIdParams,
      responses: {
        200: { description: 'you are now friends', schema: z.object({ user: publicProfileSchema }) },
        ...SELF,
        404: { description: 'NO_FRIEND_REQUEST: they have no pending request to you' },
      },
      async handler({ principal, params, requestId }) {
        return { status: 200, body: { user: publicProfileDto(await friends.accept(principal, params.userId, requestId)) } };
      },
    }),
    authedRoute({
      method: 'post',
      path: '/api/friends/requests/:userId/reject',
      summary: "Turn down that user's pending request to you",
      description: 'Recorded as FriendRequestRejected; they are not told otherwise and may ask again.',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: userIdParams,
      responses: { 204: noContent, ...SELF, 404: { description: 'NO_FRIEND_REQUEST' } },
      async handler({ principal, params, requestId }) {
        await friends.reject(principal, params.userId, requestId);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'delete',
      path: '/api/friends/requests/:userId',
      summary: 'Withdraw your pending request to that user',
      tags,
      body: NO_BODY,
      query: NO_QUERY,
      params: userIdParams,
      responses: { 204: noContent, ...SELF, 404: { description: 'NO_FRIEND_REQUEST' } },
      async handler({ principal, params, requestId }) {
        await friends.cancel(principal, params.userId, requestId);
        return { status: 204 };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/users/search',
      summary: 'Find users by the email they registered with',
      description:
        'Exact match, case-insensitive. Answers public profiles only (never an email), an empty list when nobody ' +
        'matches. Rate-limited per user (RATE_LIMIT_EXCEEDED with Retry-After).',
      tags,
      body: NO_BODY,
      query: searchQuery,
      params: NO_PARAMS,
      responses: {
        200: { description: 'the users', schema: z.object({ users: z.array(publicProfileSchema) }) },
        400: { description: 'VALIDATION_FAILED: not an email address' },
        429: { description: 'RATE_LIMIT_EXCEEDED: too many searches' },
      },
      async handler({ principal, query }) {
        const users = await queries.searchByEmail(principal, query.email);
        return { status: 200, body: { users: users.map(publicProfileDto) } };
      },
    }),
  ];
}
