import { z } from 'zod';
import { AVATAR_URL_MAX, DISPLAY_NAME_MAX, isAvatarUrl, normaliseDisplayName, STATUS_TEXT_MAX } from '../commands/user/profileRules.js';

// Request and response shapes of the profile and password routes (userRoutes.ts, authRoutes.ts). The length and
// URL rules are profileRules.ts', the same ones the user decider applies, so the edge and the writer cannot differ.

const codePoints = (text: string): number => [...text].length;

/** What anybody signed in may see of a user: never the email, the role or anything of the password. */
export const publicProfileSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    displayName: z.string(),
    statusText: z.string(),
    avatarUrl: z.string().nullable(),
  })
  .meta({ id: 'PublicProfile' });

export const updateProfileBody = z
  .strictObject({
    displayName: z
      .string()
      .max(1000)
      .transform(normaliseDisplayName)
      .refine((name) => codePoints(name) >= 1 && codePoints(name) <= DISPLAY_NAME_MAX, {
        message: `1 to ${DISPLAY_NAME_MAX} characters after trimming`,
      })
      .optional()
      .meta({ description: `1 to ${DISPLAY_NAME_MAX} characters after trimming` }),
    statusText: z
      .string()
      .max(1000)
      .refine((text) => codePoints(text) <= STATUS_TEXT_MAX, { message: `at most ${STATUS_TEXT_MAX} characters` })
      .optional()
      .meta({ description: `0 to ${STATUS_TEXT_MAX} characters; "" clears it` }),
    avatarUrl: z
      .string()
      .max(AVATAR_URL_MAX)
      .refine(isAvatarUrl, { message: `an absolute http(s) URL of printable ASCII, at most ${AVATAR_URL_MAX} characters` })
      .nullable()
      .optional()
      .meta({ description: 'an absolute http(s) URL; null removes the avatar' }),
  })
  .refine((body) => body.displayName !== undefined || body.statusText !== undefined || body.avatarUrl !== undefined, {
    message: 'give at least one of displayName, statusText, avatarUrl',
  })
  .meta({ id: 'UpdateProfileRequest' });

export const changePasswordBody = z
  .strictObject({ currentPassword: z.string().min(1).max(256), newPassword: z.string().min(1).max(256) })
  .meta({ id: 'ChangePasswordRequest' });

export const userIdParams = z.strictObject({ userId: z.string().min(1).max(200) });
