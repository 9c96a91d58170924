import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../auth/passwordPolicy.js';
import { AVATAR_URL_MAX, AVATAR_URL_PATTERN, isAvatarUrl, STATUS_TEXT_MAX } from '../commands/user/profileRules.js';
import { codePointString, displayNameSchema } from './schemas.js';

// Request and response shapes of the profile and password routes (userRoutes.ts, authRoutes.ts). The length and
// URL rules are profileRules.ts', the same ones the user decider applies, so the edge and the writer cannot differ.

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
    // The document says what the refine does: "" and "   " are refused (the profile keeps its name).
    displayName: displayNameSchema.optional(),
    statusText: codePointString(STATUS_TEXT_MAX)
      .optional()
      .meta({ description: `0 to ${STATUS_TEXT_MAX} characters; "" clears it` }),
    avatarUrl: z
      .string()
      .max(AVATAR_URL_MAX)
      .refine(isAvatarUrl, { message: `an absolute http(s) URL of printable ASCII, at most ${AVATAR_URL_MAX} characters` })
      // isAvatarUrl is this pattern within the length limit (profileRules.ts)
      .meta({ pattern: AVATAR_URL_PATTERN })
      .nullable()
      .optional()
      .meta({ description: 'an absolute http(s) URL; null removes the avatar' }),
  })
  .refine((body) => body.displayName !== undefined || body.statusText !== undefined || body.avatarUrl !== undefined, {
    message: 'give at least one of displayName, statusText, avatarUrl',
  })
  // The refine above, as the document can say it: every property is one of the three.
  .meta({ id: 'UpdateProfileRequest', minProperties: 1 });

/** `newPassword` is newPasswordSchema's (schemas.ts), as registration takes it. */
export function changePasswordBody(newPassword: z.ZodType<string>) {
  return z
    .strictObject({ currentPassword: codePointString(MAX_PASSWORD_LENGTH, 1), newPassword })
    .meta({ id: 'ChangePasswordRequest' });
}

export const userIdParams = z.strictObject({ userId: codePointString(200, 1) });
