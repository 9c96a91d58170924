import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  CHAT_EVENT_TYPES,
  EVENT_CATEGORIES,
  type DeliveriesEvent,
  type ReceiptEvent,
  type RoomEvent,
} from '../../src/events/chatEvents.js';
import type { RecordedEnvelope, RecordedEvent } from '../../src/events/envelope.js';
import { errorFrameOf } from '../../src/gateway/errorFrames.js';
import { chatEventFrame, receiptFrame, receiptMarkers } from '../../src/gateway/eventFrames.js';
import { serverFrameSchema, type ServerFrame } from '../../src/gateway/serverFrames.js';
import { sampleEvents } from '../support/sampleEvents.js';

// The frame types are inferred from serverFrames.ts' schemas, but a spread can still slip a field past the type
// checker. The schemas are what the AsyncAPI document shows clients, so each frame built from a real event must be
// exactly what its schema describes: parsing strips unknown fields, so a frame with an undocumented one differs.

function recorded<E extends RoomEvent | ReceiptEvent | DeliveriesEvent>(sample: E & Omit<RecordedEnvelope, 'partition' | 'position'>): RecordedEvent<E> {
  return { ...sample, partition: 0, position: 1 };
}

const roomEvents: Array<RecordedEvent<RoomEvent>> = [
  recorded(sampleEvents.RoomCreated),
  recorded(sampleEvents.MemberJoined),
  recorded(sampleEvents.MemberLeft),
  recorded(sampleEvents.MemberRemoved),
  recorded(sampleEvents.MemberRoleChanged),
  recorded(sampleEvents.MessageSent),
  recorded({ ...sampleEvents.MessageSent, data: { ...sampleEvents.MessageSent.data, text: '', erased: true } }),
  recorded(sampleEvents.MessageEdited),
  recorded(sampleEvents.MessageDeleted),
  recorded(sampleEvents.ReactionAdded),
  recorded(sampleEvents.ReactionRemoved),
  recorded(sampleEvents.RoomRenamed),
  recorded(sampleEvents.RoomTopicChanged),
  recorded(sampleEvents.MessagePinned),
  recorded(sampleEvents.MessageUnpinned),
];

function expectDocumented(frame: ServerFrame): void {
  expect(serverFrameSchema.parse(frame)).toEqual(frame);
}

describe('server frames match their schemas', () => {
  it('covers every room event type', () => {
    const roomTypes = CHAT_EVENT_TYPES.filter((type) => EVENT_CATEGORIES[type] === 'rooms');
    expect(new Set(roomEvents.map((event) => event.type))).toEqual(new Set(roomTypes));
  });

  it.each(roomEvents.map((event) => [event.type, event] as const))('chat.event %s, live and redacted', (_type, event) => {
    expectDocumented(chatEventFrame(event));
    expectDocumented(chatEventFrame(event, true));
  });

  it('chat.receipt', () => {
    for (const marker of receiptMarkers(recorded(sampleEvents.MessagesDelivered))) expectDocumented(receiptFrame(marker));
    for (const marker of receiptMarkers(recorded(sampleEvents.MessagesRead))) expectDocumented(receiptFrame(marker));
  });

  it('chat.receipt: one frame per member a room delivery report names, in the same shape as before', () => {
    const frames = receiptMarkers(recorded(sampleEvents.DeliveriesRecorded)).map(receiptFrame);
    expect(frames).toEqual([
      { type: 'chat.receipt', roomId: 'r-general', userId: 'u-bob', kind: 'delivered', seq: 8 },
      { type: 'chat.receipt', roomId: 'r-general', userId: 'u-carol', kind: 'delivered', seq: 2 ** 40 },
    ]);
    for (const frame of frames) expectDocumented(frame);
    // A per-user MessagesDelivered of an older log reads as the same frame a report's marker does.
    expect(receiptMarkers(recorded(sampleEvents.MessagesDelivered)).map(receiptFrame)).toEqual([
      { type: 'chat.receipt', roomId: 'r-general', userId: 'u-bob', kind: 'delivered', seq: 8 },
    ]);
  });

  it('chat.error, with and without ref and details', () => {
    expectDocumented(errorFrameOf(new ValidationError('bad', { field: 'text' }), 'c-1').frame);
    expectDocumented(errorFrameOf(new Error('boom'), undefined).frame);
  });

  it('refuses a frame with a field of the wrong type', () => {
    expect(serverFrameSchema.safeParse({ type: 'chat.ack', messageId: 'r.1', seq: 'one' }).success).toBe(false);
  });
});
