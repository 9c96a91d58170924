import { z } from 'zod';
import type { AssistantAdministration } from '../../assistants/assistantAdministration.js';
import { MAX_ALLOWED_ROOMS, MAX_SYSTEM_PROMPT_LENGTH } from '../../commands/user/assistantConfig.js';
import { ForbiddenError } from '../../domain/errors.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../route.js';
import { codePointString, displayNameSchema, usernameSchema } from '../schemas.js';

// Admin routes on assistants (issue #19): the same use cases as `chat assistants create|configure|show`
// (src/assistants/assistantAdministration.ts). Members then add the assistant to rooms like anyone.

const systemPrompt = codePointString(MAX_SYSTEM_PROMPT_LENGTH, 1).meta({
  description: 'The instructions sent first with every question (the system message).',
});
const model = codePointString(200).meta({ description: 'The model at the provider; "" uses ASSISTANT_MODEL.' });
const allowedRoomIds = z
  .array(codePointString(200, 1))
  .max(MAX_ALLOWED_ROOMS)
  .meta({ description: 'The rooms it answers in (it must also be a member); empty or absent: every room it is in.' });

const createBody = z
  .strictObject({ username: usernameSchema, displayName: displayNameSchema.optional(), systemPrompt, model: model.optional(), allowedRoomIds: allowedRoomIds.optional() })
  .meta({ id: 'CreateAssistantRequest' });
const changeBody = z
  .strictObject({ systemPrompt: systemPrompt.optional(), model: model.optional(), allowedRoomIds: allowedRoomIds.optional() })
  .meta({ id: 'ChangeAssistantRequest' });
const params = z.strictObject({ userId: codePointString(200, 1) });
const assistantResponse = z
  .object({
    userId: z.string(),
    username: z.string(),
    kind: z.literal('assistant'),
    systemPrompt: z.string(),
    model: z.string(),
    effectiveModel: z.string().meta({ description: 'The model its requests name (model, or ASSISTANT_MODEL).' }),
    allowedRoomIds: z.array(z.string()),
  })
  .meta({ id: 'Assistant' });

const FORBIDDEN = { 403: { description: 'FORBIDDEN: only admins manage assistants' } };

function requireAdmin(role: string): void {
  if (role !== 'admin') throw new ForbiddenError('FORBIDDEN', 'only an admin manages assistants');
}

export function assistantRoutes(assistants: AssistantAdministration): Endpoint[] {
  return [
    authedRoute({
      method: 'post',
      path: '/api/admin/assistants',
      summary: 'Create an assistant account (admin only)',
      description:
        'Registers an account of kind `assistant` (no password: nobody signs in as it) and records its configuration ' +
        '(AssistantConfigured on its stream). Add it to rooms like any member; it answers messages that mention ' +
        '`@username`, and every message of a direct room with it, streaming its answer (`chat.stream`).',
      tags: ['admin'],
      body: createBody,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        201: { description: 'the assistant', schema: assistantResponse },
        ...FORBIDDEN,
        409: { description: 'USERNAME_TAKEN' },
      },
      async handler({ principal, body, requestId }) {
        requireAdmin(principal.role);
        return { status: 201, body: await assistants.create(principal, body, requestId) };
      },
    }),
    authedRoute({
      method: 'get',
      path: '/api/admin/assistants/:userId',
      summary: "An assistant's configuration (admin only)",
      tags: ['admin'],
      body: NO_BODY,
      query: NO_QUERY,
      params,
      responses: {
        200: { description: 'the assistant', schema: assistantResponse },
        ...FORBIDDEN,
        404: { description: 'NO_USER; NOT_ASSISTANT: the account is a person' },
      },
      async handler({ principal, params: { userId } }) {
        requireAdmin(principal.role);
        return { status: 200, body: await assistants.get(userId) };
      },
    }),
    authedRoute({
      method: 'patch',
      path: '/api/admin/assistants/:userId',
      summary: "Change an assistant's system prompt, model or allowed rooms (admin only)",
      description: 'Fields left out keep their value; a change that changes nothing records nothing.',
      tags: ['admin'],
      body: changeBody,
      query: NO_QUERY,
      params,
      responses: {
        200: { description: 'the assistant now', schema: assistantResponse },
        ...FORBIDDEN,
        404: { description: 'NO_USER; NOT_ASSISTANT: the account is a person' },
      },
      async handler({ principal, params: { userId }, body, requestId }) {
        requireAdmin(principal.role);
        return { status: 200, body: await assistants.update(principal, userId, body, requestId) };
      },
    }),
  ];
}
