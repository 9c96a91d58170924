import { describe, expect, it } from 'vitest';
import { payloadOf, toCsvLine, toJsonLine } from '../../src/analysis/replayRecord.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { sampleEvent } from '../support/sampleEvents.js';

const recorded = (event: ReturnType<typeof sampleEvent<'PasswordChanged'>>): RecordedEvent => ({
  ...event,
  streamId: 'user-u-alice',
  streamVersion: 3,
  partition: 0,
  position: 9,
  previousHash: null,
});

describe('replay records of a password change', () => {
  it('never carry the new password hash, in any format', () => {
    const event = recorded(sampleEvent('PasswordChanged'));
    expect(payloadOf(event)).toEqual({ userId: 'u-alice' });
    expect(toJsonLine(event)).not.toContain('argon2');
    expect(toCsvLine(event)).not.toContain('argon2');
    expect(JSON.parse(toJsonLine(event))).toMatchObject({ type: 'PasswordChanged', data: { userId: 'u-alice' } });
  });
});
