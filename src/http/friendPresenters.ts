import { z } from 'zod';
import type { FriendEntry } from '../queries/friendQueries.js';
import { publicProfileDto } from './presenters.js';
import { publicProfileSchema } from './profileSchemas.js';

// What the friends routes send: other users only ever as public profiles (never their email).

export const friendEntrySchema = z
  .object({
    user: publicProfileSchema,
    since: z.iso.datetime().meta({ description: 'When the two became friends, or when the request was sent' }),
  })
  .meta({ id: 'FriendEntry' });

export function friendEntryDto(entry: FriendEntry) {
  return { user: publicProfileDto(entry.user), since: entry.since };
}

export function friendListDto(entries: FriendEntry[]) {
  return { friends: entries.map(friendEntryDto) };
}

export function friendRequestListDto(entries: FriendEntry[]) {
  return { requests: entries.map(friendEntryDto) };
}
