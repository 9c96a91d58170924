import { describe, expect, it } from 'vitest';
import type { ConfigureAssistant } from '../../../src/commands/commands.js';
import { answersIn, normaliseAssistantConfig } from '../../../src/commands/user/assistantConfig.js';
import { userDecider } from '../../../src/commands/user/userDecider.js';
import type { AssistantConfigured, PersonalDataErased, UserRegistered } from '../../../src/events/chatEvents.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// ConfigureAssistant on the user stream (issue #19): an admin makes an account an assistant.

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { userId: 'u-bot', username: 'helper', email: null, displayName: 'Helper', passwordHash: '', role: 'user' },
};
const configure: ConfigureAssistant = {
  type: 'ConfigureAssistant',
  userId: 'u-bot',
  systemPrompt: '  Answer briefly.  ',
  model: 'gpt-4o-mini',
  allowedRoomIds: ['r1', 'r2', 'r1'],
};
const configured: AssistantConfigured = {
  type: 'AssistantConfigured',
  data: { userId: 'u-bot', systemPrompt: 'Answer briefly.', model: 'gpt-4o-mini', allowedRoomIds: ['r1', 'r2'], configuredBy: 'u-admin' },
};
const admin = as('u-admin', { role: 'admin' });

describe('ConfigureAssistant', () => {
  it('records the whole configuration, the prompt trimmed and the rooms without repeats', () => {
    spec(userDecider).given([registered]).when(configure, admin).then([configured]);
  });

  it('appends nothing when the configuration would not change', () => {
    spec(userDecider).given([registered, configured]).when(configure, admin).then([]);
  });

  it('records a change of any one field', () => {
    spec(userDecider)
      .given([registered, configured])
      .when({ ...configure, model: '' }, admin)
      .then([{ ...configured, data: { ...configured.data, model: '' } }]);
  });

  it('is for admins only', () => {
    spec(userDecider).given([registered]).when(configure, as('u-alice')).thenThrows('FORBIDDEN');
  });

  it('needs an account, and one whose personal data was not erased', () => {
    spec(userDecider).given([]).when(configure, admin).thenThrows('NO_USER');
    const erased: PersonalDataErased = { type: 'PersonalDataErased', data: { userId: 'u-bot', erasedBy: 'u-admin' } };
    spec(userDecider).given([registered, erased]).when(configure, admin).thenThrows('ACCOUNT_ERASED');
  });

  it('refuses an empty prompt and a model name no provider uses', () => {
    spec(userDecider).given([registered]).when({ ...configure, systemPrompt: '   ' }, admin).thenThrows('VALIDATION_FAILED', { field: 'systemPrompt' });
    spec(userDecider).given([registered]).when({ ...configure, model: 'gpt 4; rm' }, admin).thenThrows('VALIDATION_FAILED', { field: 'model' });
  });

  it('makes the account of kind assistant in the state', () => {
    const state = stateAfter(userDecider, [registered, configured]);
    expect(state.registered && state.assistant).toEqual({ systemPrompt: 'Answer briefly.', model: 'gpt-4o-mini', allowedRoomIds: ['r1', 'r2'] });
    const plain = stateAfter(userDecider, [registered]);
    expect(plain.registered && plain.assistant).toBeNull();
  });
});

describe('answersIn', () => {
  it('answers in every room without a list, and only in the listed ones with one', () => {
    const anywhere = normaliseAssistantConfig({ systemPrompt: 'x', model: '', allowedRoomIds: [] });
    expect(answersIn(anywhere, 'r9')).toBe(true);
    const listed = normaliseAssistantConfig({ systemPrompt: 'x', model: 'llama3.1:8b', allowedRoomIds: ['r1'] });
    expect(answersIn(listed, 'r1')).toBe(true);
    expect(answersIn(listed, 'r9')).toBe(false);
  });
});
