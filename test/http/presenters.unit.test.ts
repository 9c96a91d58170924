import { describe, expect, it } from 'vitest';
import { messageDto } from '../../src/http/presenters.js';
import type { MessageView } from '../../src/projections/history/historyStore.js';
import { messageViewOf } from '../../src/projections/history/messageViews.js';

// A message's body is what every client parses: its fields, which ones are left out, and their order stay exactly
// as they were when messageDto was built from spreads (the strings below are what that version answered).

// A message as the history view builds it from its row (no reactions, reply, mentions or files yet).
const plain: MessageView = messageViewOf({
  messageId: 'r1.7',
  roomId: 'r1',
  seq: 7,
  senderId: 'u1',
  text: 'hello',
  createdAt: Date.parse('2026-12-08T01:02:03.004Z'),
  editedAt: null,
  deleted: false,
  erased: false,
});

describe('messageDto', () => {
  it('a plain message: no optional field, empty reactions and mentions', () => {
    expect(JSON.stringify(messageDto(plain))).toBe(
      '{"messageId":"r1.7","roomId":"r1","seq":7,"senderId":"u1","text":"hello","createdAt":"2026-12-08T01:02:03.004Z",' +
        '"deleted":false,"reactions":[],"mentions":[]}',
    );
  });

  it('every optional field, in order', () => {
    const full: MessageView = {
      ...plain,
      editedAt: '2026-12-08T01:05:00.000Z',
      reactions: [{ emoji: '👍', count: 2, userIds: ['u2', 'u3'] }],
      replyTo: 'r1.3',
      threadId: 'r1.3',
      replyCount: 1,
      lastReplyAt: '2026-12-08T01:06:00.000Z',
      mentions: ['u2'],
      attachments: [
        { fileId: 'f1', contentType: 'image/png', size: 10, sha256: 'ab', name: 'a.png', width: 2, height: 3, thumbnail: true, erased: false },
      ],
    };
    expect(JSON.stringify(messageDto(full))).toBe(
      '{"messageId":"r1.7","roomId":"r1","seq":7,"senderId":"u1","text":"hello","createdAt":"2026-12-08T01:02:03.004Z",' +
        '"editedAt":"2026-12-08T01:05:00.000Z","deleted":false,"reactions":[{"emoji":"👍","count":2,"userIds":["u2","u3"]}],' +
        '"replyTo":"r1.3","threadId":"r1.3","replyCount":1,"lastReplyAt":"2026-12-08T01:06:00.000Z","mentions":["u2"],' +
        '"attachments":[{"fileId":"f1","name":"a.png","contentType":"image/png","size":10,"sha256":"ab","width":2,"height":3,' +
        '"url":"/api/files/f1","thumbnailUrl":"/api/files/f1/thumbnail"}]}',
    );
  });

  it('deleted: text null, no files; erased: flagged', () => {
    const gone: MessageView = { ...plain, text: null, deleted: true, erased: true, attachments: [{ fileId: 'f1', contentType: 'text/plain', size: 1, sha256: 'cd', name: 'a.txt', width: null, height: null, thumbnail: false, erased: true }] };
    expect(JSON.stringify(messageDto(gone))).toBe(
      '{"messageId":"r1.7","roomId":"r1","seq":7,"senderId":"u1","text":null,"createdAt":"2026-12-08T01:02:03.004Z",' +
        '"deleted":true,"erased":true,"reactions":[],"mentions":[]}',
    );
  });

  it('a copy: changing the answer never changes the view', () => {
    const view: MessageView = { ...plain, mentions: ['u2'], reactions: [{ emoji: '👍', count: 1, userIds: ['u2'] }] };
    const dto = messageDto(view);
    expect(dto.mentions).not.toBe(view.mentions);
    expect(dto.reactions[0]).not.toBe(view.reactions[0]);
  });
});
