import { describe, expect, it } from 'vitest';

import {
  analyticsUpdates,
  bucketStart,
  dayStart,
  messageSizeBucket,
} from '../../../src/projections/analytics/analyticsProjection.js';
import { CHAT_EVENT_TYPES } from '../../../src/events/chatEvents.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';
import { sampleEvent } from '../../support/sampleEvents.js';

const AT = Date.UTC(2025, 5, 1, 8, 30, 42, 123);

describe('analyticsUpdates', () => {
  it('maps MessageSent to its minute and hour buckets, its sender-day and its size', () => {
    const log = new RecordedEventLog();
    log.createRoom('r-1', 'One', 'public', 'u-alice');
    const { event } = log.send('r-1', 'u-alice', 'hello, world', { at: AT });
    expect(analyticsUpdates(event)).toEqual([
      { op: 'roomMessageCounted', roomId: 'r-1', granularity: 'minute', bucketStart: Date.UTC(2025, 5, 1, 8, 30) },
      { op: 'roomMessageCounted', roomId: 'r-1', granularity: 'hour', bucketStart: Date.UTC(2025, 5, 1, 8) },
      { op: 'senderActive', userId: 'u-alice', dayStart: Date.UTC(2025, 5, 1) },
      { op: 'messageSized', bucket: '11-50' },
    ]);
  });

  it('maps every other event type to no update', () => {
    const others = CHAT_EVENT_TYPES.filter((type) => type !== 'MessageSent' && type !== 'AssistantUsageRecorded');
    for (const [index, type] of others.entries()) {
      const recorded: RecordedEvent = {
        ...sampleEvent(type),
        streamId: `stream-${type}`,
        streamVersion: 1,
        partition: 0,
        position: index + 1,
        previousHash: null,
      };
      expect(analyticsUpdates(recorded), type).toEqual([]);
    }
  });
});

describe('buckets', () => {
  it('starts minutes, hours and days on UTC boundaries', () => {
    expect(bucketStart(AT, 'minute')).toBe(Date.UTC(2025, 5, 1, 8, 30));
    expect(bucketStart(AT, 'hour')).toBe(Date.UTC(2025, 5, 1, 8));
    expect(dayStart(AT)).toBe(Date.UTC(2025, 5, 1));
    expect(dayStart(Date.UTC(2025, 5, 1) - 1)).toBe(Date.UTC(2025, 4, 31));
  });

  it('sizes text in code points, not UTF-16 units', () => {
    expect(messageSizeBucket('👋'.repeat(10))).toBe('1-10');
    expect(messageSizeBucket('👋'.repeat(11))).toBe('11-50');
    expect(messageSizeBucket('x'.repeat(1000))).toBe('501-1000');
    expect(messageSizeBucket('x'.repeat(5000))).toBe('1001+');
  });

  it("sums an assistant's answer tokens per assistant and model (issue #19)", () => {
    const recorded: RecordedEvent = { ...sampleEvent('AssistantUsageRecorded'), streamId: 'assistant-usage-u-helper', streamVersion: 1, partition: 0, position: 1, previousHash: null };
    expect(analyticsUpdates(recorded)).toEqual([
      { op: 'assistantTokensUsed', assistantId: 'u-helper', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 18 },
    ]);
  });
});
