import { z } from 'zod';

// Request and response shapes of the presence API (see schemas.ts for why one schema serves both the edge and
// the OpenAPI document).

export const MAX_PRESENCE_USER_IDS = 100;

/** The ids of a comma-separated list, blanks dropped. */
export function splitUserIds(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
}

export const presenceQuery = z.strictObject({
  userIds: z
    .string()
    .min(1)
    .meta({ description: `comma-separated user ids, 1 to ${MAX_PRESENCE_USER_IDS}`, example: 'u-1,u-2' })
    .refine(
      (value) => {
        const ids = splitUserIds(value);
        return ids.length >= 1 && ids.length <= MAX_PRESENCE_USER_IDS && ids.every((id) => id.length <= 200);
      },
      { message: `give 1 to ${MAX_PRESENCE_USER_IDS} comma-separated user ids of at most 200 characters` },
    ),
});

export const presenceSchema = z
  .object({
    userId: z.string(),
    online: z.boolean(),
    lastSeenAt: z
      .string()
      .nullable()
      .meta({
        format: 'date-time',
        description: 'online: the last heartbeat; offline: when the last connection closed or stopped answering; null if never seen',
      }),
  })
  .meta({ id: 'Presence' });

export const presenceListSchema = z.object({ presence: z.array(presenceSchema) }).meta({ id: 'PresenceList' });
