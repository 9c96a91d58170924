import { describe, expect, it } from 'vitest';

import { CHAT_EVENT_TYPES } from '../../../src/events/chatEvents.js';
import { historyChanges } from '../../../src/projections/history/historyChanges.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

const AT = Date.UTC(2025, 5, 1, 8, 30, 0);

describe('historyChanges', () => {
  function roomLog(): RecordedEventLog {
    const log = new RecordedEventLog({ startAt: AT });
    log.createRoom('r-1', 'One', 'private', 'u-alice', { at: AT });
    return log;
  }

  it('maps UsernameClaimed to no change', () => {
    const log = new RecordedEventLog();
    const [claimed] = log.registerUser('u-alice', 'Alice');
    expect(historyChanges(claimed!)).toEqual([]);
  });

  it('maps UserRegistered to a user upsert with the normalised username and occurredAt', () => {
    const log = new RecordedEventLog();
    const [, registered] = log.registerUser(
      'u-alice',
      'Ａlice',
      { email: null, displayName: 'Alice A.', role: 'analyst', passwordHash: 'h' },
      { at: AT },
    );
    expect(historyChanges(registered!)).toEqual([
      {
        op: 'userUpserted',
        userId: 'u-alice',
        username: 'Ａlice',
        usernameNormalised: 'alice',
        email: null,
        displayName: 'Alice A.',
        passwordHash: 'h',
        role: 'analyst',
        createdAt: AT,
      },
    ]);
  });

  it('maps RoomCreated to a room with seq 1, and advances the room', () => {
    const log = new RecordedEventLog();
    const [created] = log.createRoom('r-1', 'One', 'public', 'u-alice', { at: AT });
    expect(historyChanges(created!)).toEqual([
      { op: 'roomCreated', roomId: 'r-1', name: 'One', kind: 'public', createdBy: 'u-alice', createdAt: AT, seq: 1 },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 1, at: AT },
    ]);
  });

  it('maps MemberJoined to a member with role, adder and join time', () => {
    const log = roomLog();
    const joined = log.join('r-1', 'u-bob', 'moderator', 'u-alice', { at: AT + 5 });
    expect(historyChanges(joined)).toEqual([
      { op: 'memberAdded', roomId: 'r-1', userId: 'u-bob', role: 'moderator', addedBy: 'u-alice', joinedAt: AT + 5 },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 3, at: AT + 5 },
    ]);
  });

  it('maps MemberLeft and MemberRemoved to a member removal with its reason', () => {
    const log = roomLog();
    log.join('r-1', 'u-bob');
    log.join('r-1', 'u-carol');
    const left = log.leave('r-1', 'u-bob', { at: AT + 10 });
    const removed = log.remove('r-1', 'u-carol', 'u-alice', { at: AT + 20 });
    expect(historyChanges(left)).toEqual([
      { op: 'memberRemoved', roomId: 'r-1', userId: 'u-bob', reason: 'left', removedBy: null, at: AT + 10 },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 5, at: AT + 10 },
    ]);
    expect(historyChanges(removed)).toEqual([
      { op: 'memberRemoved', roomId: 'r-1', userId: 'u-carol', reason: 'removed', removedBy: 'u-alice', at: AT + 20 },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 6, at: AT + 20 },
    ]);
  });

  it('maps MemberRoleChanged to a role change', () => {
    const log = roomLog();
    log.join('r-1', 'u-bob');
    const changed = log.changeRole('r-1', 'u-bob', 'moderator', 'u-alice', { at: AT + 7 });
    expect(historyChanges(changed)).toEqual([
      { op: 'memberRoleChanged', roomId: 'r-1', userId: 'u-bob', role: 'moderator' },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 4, at: AT + 7 },
    ]);
  });

  it('maps MessageSent to a message whose seq is the stream version', () => {
    const log = roomLog();
    log.join('r-1', 'u-bob');
    const sent = log.send('r-1', 'u-bob', 'hi', { clientMessageId: 'c-1', at: AT + 9 });
    expect(historyChanges(sent.event)).toEqual([
      {
        op: 'messageInserted',
        messageId: 'r-1.4',
        roomId: 'r-1',
        seq: 4,
        senderId: 'u-bob',
        text: 'hi',
        clientMessageId: 'c-1',
        createdAt: AT + 9,
        erased: false,
        attachments: [],
      },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 4, at: AT + 9 },
    ]);
  });

  it("maps MessageEdited to an edit ordered by the edit event's own seq", () => {
    const log = roomLog();
    const sent = log.send('r-1', 'u-alice', 'hi');
    const edited = log.edit('r-1', sent.seq, 'hello', 'u-alice', { at: AT + 60 });
    expect(historyChanges(edited)).toEqual([
      {
        op: 'messageEdited',
        roomId: 'r-1',
        messageId: 'r-1.3',
        editSeq: 4,
        text: 'hello',
        editedBy: 'u-alice',
        editedAt: AT + 60,
        erased: false,
      },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 4, at: AT + 60 },
    ]);
  });

  it('maps an erased MessageSent and MessageEdited (read after the key was destroyed) to erased changes', () => {
    const log = roomLog();
    const sent = log.send('r-1', 'u-alice', 'hi');
    if (sent.event.type !== 'MessageSent') throw new Error('not a send');
    const erasedSend = { ...sent.event, data: { ...sent.event.data, text: '', erased: true } };
    expect(historyChanges(erasedSend)[0]).toMatchObject({ op: 'messageInserted', text: '', erased: true });
    const edited = log.edit('r-1', sent.seq, 'hello', 'u-alice');
    if (edited.type !== 'MessageEdited') throw new Error('not an edit');
    const erasedEdit = { ...edited, data: { ...edited.data, text: '', erased: true } };
    expect(historyChanges(erasedEdit)[0]).toMatchObject({ op: 'messageEdited', text: '', erased: true });
  });

  it('maps UserRoleChanged to a role change and PersonalDataErased to an erasure of the user', () => {
    const log = roomLog();
    expect(historyChanges(log.changeUserRole('u-alice', 'analyst'))).toEqual([
      { op: 'userRoleChanged', userId: 'u-alice', role: 'analyst' },
    ]);
    expect(historyChanges(log.erasePersonalData('u-alice'))).toEqual([{ op: 'personalDataErased', userId: 'u-alice' }]);
  });

  it('maps ProfileUpdated to the whole new profile and PasswordChanged to the new hash', () => {
    const log = roomLog();
    const profile = { displayName: 'Al', statusText: 'away', avatarUrl: 'https://example.com/a.png' };
    expect(historyChanges(log.updateProfile('u-alice', profile))).toEqual([
      { op: 'userProfileUpdated', userId: 'u-alice', ...profile, avatarFileId: null },
    ]);
    expect(historyChanges(log.changePassword('u-alice', '$argon2id$new'))).toEqual([
      { op: 'userPasswordChanged', userId: 'u-alice', passwordHash: '$argon2id$new' },
    ]);
  });

  it('maps MessageDeleted to a deletion', () => {
    const log = roomLog();
    const sent = log.send('r-1', 'u-alice', 'hi');
    const deleted = log.delete('r-1', sent.seq, 'u-alice', { at: AT + 61 });
    expect(historyChanges(deleted)).toEqual([
      { op: 'messageDeleted', roomId: 'r-1', messageId: 'r-1.3', deletedBy: 'u-alice', deletedAt: AT + 61 },
      { op: 'roomAdvanced', roomId: 'r-1', headSeq: 4, at: AT + 61 },
    ]);
  });

  it('maps MessagesDelivered to a delivery marker upsert', () => {
    const log = roomLog();
    const delivered = log.delivered('u-bob', 'r-1', 7, { at: AT + 70 });
    expect(historyChanges(delivered)).toEqual([
      { op: 'markersAdvanced', userId: 'u-bob', roomId: 'r-1', deliveredSeq: 7, readSeq: 0, at: AT + 70 },
    ]);
  });

  it("maps a room's DeliveriesRecorded to one delivery marker upsert per member, as a MessagesDelivered each would", () => {
    const log = roomLog();
    const reported = log.deliveries(
      'r-1',
      [
        { userId: 'u-bob', seq: 7 },
        { userId: 'u-carol', seq: 5 },
      ],
      { at: AT + 72 },
    );
    expect(historyChanges(reported)).toEqual([
      { op: 'markersAdvanced', userId: 'u-bob', roomId: 'r-1', deliveredSeq: 7, readSeq: 0, at: AT + 72 },
      { op: 'markersAdvanced', userId: 'u-carol', roomId: 'r-1', deliveredSeq: 5, readSeq: 0, at: AT + 72 },
    ]);
    // The same marker, written the old way to the user's receipts stream, asks for the same change.
    const old = log.delivered('u-bob', 'r-1', 7, { at: AT + 72 });
    expect(historyChanges(old)).toEqual(historyChanges(reported).slice(0, 1));
  });

  it('maps MessagesRead to a marker upsert that also covers delivery (reading implies delivery)', () => {
    const log = roomLog();
    const read = log.read('u-bob', 'r-1', 5, { at: AT + 71 });
    expect(historyChanges(read)).toEqual([
      { op: 'markersAdvanced', userId: 'u-bob', roomId: 'r-1', deliveredSeq: 5, readSeq: 5, at: AT + 71 },
    ]);
  });

  it('advances the room for every room event, and only for room events', () => {
    const log = roomLog();
    log.registerUser('u-bob', 'bob');
    log.join('r-1', 'u-bob');
    const sent = log.send('r-1', 'u-bob', 'x');
    log.changeRole('r-1', 'u-bob', 'moderator', 'u-alice');
    log.edit('r-1', sent.seq, 'y', 'u-bob');
    log.react('r-1', sent.seq, 'u-bob', '👍');
    log.react('r-1', sent.seq, 'u-bob', '👍', false);
    log.changeSetting('r-1', 'name', 'Renamed');
    log.changeSetting('r-1', 'topic', 'A topic');
    log.pin('r-1', sent.seq);
    log.pin('r-1', sent.seq, false);
    log.delete('r-1', sent.seq, 'u-bob');
    log.remove('r-1', 'u-bob', 'u-alice');
    log.join('r-1', 'u-bob');
    log.leave('r-1', 'u-bob');
    log.delivered('u-bob', 'r-1', 4);
    log.deliveries('r-1', [{ userId: 'u-bob', seq: 5 }]);
    log.read('u-bob', 'r-1', 4);
    log.changeUserRole('u-bob', 'auditor');
    log.erasePersonalData('u-bob');
    log.updateProfile('u-bob', { displayName: 'Bob B.' });
    log.changePassword('u-bob', '$argon2id$new');
    log.record('audit-u-audrey', {
      type: 'AuditLogRead',
      data: { auditorId: 'u-audrey', kind: 'streamEvents', streamId: 'room-r-1', messageId: null, fromVersion: 1, limit: 10, returned: 9 },
    });
    const pair = 'friendship-u-alice-u-bob';
    log.record(pair, { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } });
    log.record(pair, { type: 'FriendRequestRejected', data: { from: 'u-alice', to: 'u-bob' } });
    log.record(pair, { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } });
    log.record(pair, { type: 'FriendRequestCancelled', data: { from: 'u-alice', to: 'u-bob' } });
    log.record(pair, { type: 'FriendRequested', data: { from: 'u-bob', to: 'u-alice' } });
    log.record(pair, { type: 'FriendRequestAccepted', data: { from: 'u-bob', to: 'u-alice' } });
    log.record(pair, { type: 'FriendRemoved', data: { removedBy: 'u-alice', friendId: 'u-bob' } });
    const atGitHub = { provider: 'github', subject: '583231' };
    log.record('identity-github-x', { type: 'IdentityClaimed', data: { ...atGitHub, userId: 'u-bob' } });
    log.record('user-u-bob', { type: 'IdentityLinked', data: { ...atGitHub, userId: 'u-bob' } });
    log.record('user-u-bob', { type: 'IdentityUnlinked', data: { ...atGitHub, userId: 'u-bob' } });
    log.record('identity-github-x', { type: 'IdentityReleased', data: { ...atGitHub, userId: 'u-bob' } });
    const file = { fileId: 'f-1', uploadedBy: 'u-bob', name: 'a.txt', contentType: 'text/plain', size: 3, sha256: 'a'.repeat(64), width: null, height: null };
    log.record('file-f-1', { type: 'FileUploaded', data: file });
    log.record('file-f-1', { type: 'FileDiscarded', data: { fileId: 'f-1', discardedBy: 'system:files' } });
    log.record('user-u-bob', { type: 'UserBlocked', data: { userId: 'u-bob', blockedUserId: 'u-alice' } });
    log.record('user-u-bob', { type: 'UserUnblocked', data: { userId: 'u-bob', blockedUserId: 'u-alice' } });
    log.record('user-u-helper', {
      type: 'AssistantConfigured',
      data: { userId: 'u-helper', systemPrompt: 'Answer briefly.', model: 'gpt-4o-mini', allowedRoomIds: ['r-1'], configuredBy: 'u-alice' },
    });
    log.record('assistant-usage-u-helper', {
      type: 'AssistantUsageRecorded',
      data: { assistantId: 'u-helper', roomId: 'r-1', messageId: 'r-1.3', askerId: 'u-bob', model: 'gpt-4o-mini', promptTokens: 12, completionTokens: 3 },
    });
    expect(new Set(log.events.map((event) => event.type))).toEqual(new Set(CHAT_EVENT_TYPES));
    for (const event of log.events) {
      const advances = historyChanges(event).filter((change) => change.op === 'roomAdvanced');
      if (event.streamId.startsWith('room-')) {
        expect(advances, event.type).toEqual([
          { op: 'roomAdvanced', roomId: 'r-1', headSeq: event.streamVersion, at: event.metadata.occurredAt },
        ]);
      } else {
        expect(advances, event.type).toEqual([]);
      }
    }
  });

  it('is pure: the same event always gives the same changes and is not modified', () => {
    const log = roomLog();
    const sent = log.send('r-1', 'u-alice', 'hi');
    const copy = structuredClone(sent.event);
    expect(historyChanges(sent.event)).toEqual(historyChanges(sent.event));
    expect(sent.event).toEqual(copy);
  });
});

describe('historyChanges of replies, mentions and blocks (#17)', () => {
  it("adds a reply's place in its thread and its mentions after the message, and a block as a pair", () => {
    const log = new RecordedEventLog();
    log.createRoom('r-1', 'One', 'private', 'u-alice');
    const root = log.send('r-1', 'u-alice', 'root');
    const reply = log.send('r-1', 'u-alice', 'hi @bob', { thread: { replyTo: root.messageId, threadId: root.messageId }, mentions: ['u-bob'] });
    expect(historyChanges(reply.event).map((change) => change.op)).toEqual(['messageInserted', 'threadReplyAdded', 'mentionsAdded', 'roomAdvanced']);
    expect(historyChanges(reply.event)[1]).toEqual({ op: 'threadReplyAdded', roomId: 'r-1', seq: reply.seq, replyToSeq: root.seq, threadSeq: root.seq });
    expect(historyChanges(reply.event)[2]).toMatchObject({ op: 'mentionsAdded', seq: reply.seq, senderId: 'u-alice', userIds: ['u-bob'] });
    const block = log.record('user-u-bob', { type: 'UserBlocked', data: { userId: 'u-bob', blockedUserId: 'u-alice' } });
    expect(historyChanges(block)).toEqual([
      { op: 'blockChanged', userId: 'u-bob', blockedUserId: 'u-alice', blocked: true, at: block.metadata.occurredAt },
    ]);
  });
});

describe('historyChanges of friendships', () => {
  it('sets the pair to pending, accepted or none, naming the asker first', () => {
    const log = new RecordedEventLog();
    const pair = 'friendship-u-alice-u-bob';
    const statuses = [
      log.record(pair, { type: 'FriendRequested', data: { from: 'u-bob', to: 'u-alice' } }),
      log.record(pair, { type: 'FriendRequestAccepted', data: { from: 'u-bob', to: 'u-alice' } }),
      log.record(pair, { type: 'FriendRemoved', data: { removedBy: 'u-alice', friendId: 'u-bob' } }),
      log.record(pair, { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } }),
      log.record(pair, { type: 'FriendRequestRejected', data: { from: 'u-alice', to: 'u-bob' } }),
      log.record(pair, { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } }),
      log.record(pair, { type: 'FriendRequestCancelled', data: { from: 'u-alice', to: 'u-bob' } }),
    ].map((event) => historyChanges(event));
    expect(statuses.map((changes) => changes.map((c) => (c.op === 'friendshipChanged' ? [c.userId, c.friendId, c.status] : c.op)))).toEqual([
      [['u-bob', 'u-alice', 'pending']],
      [['u-bob', 'u-alice', 'accepted']],
      [['u-alice', 'u-bob', 'none']],
      [['u-alice', 'u-bob', 'pending']],
      [['u-alice', 'u-bob', 'none']],
      [['u-alice', 'u-bob', 'pending']],
      [['u-alice', 'u-bob', 'none']],
    ]);
  });
});
