import { describe, expect, it } from 'vitest';

import { historyChanges, type HistoryChange } from '../../../../src/projections/history/historyChanges.js';
import { statementsFor } from '../../../../src/projections/history/oracle/changeBinds.js';
import { checkpointSql, placeholdersOf, readSql, usersByIdSql, writeSql } from '../../../../src/projections/history/oracle/oracleSql.js';
import { oracleTables } from '../../../../src/projections/history/oracle/oracleTables.js';
import { RecordedEventLog } from '../../../support/recordedEvents.js';

const T0 = Date.UTC(2025, 0, 1, 12);

/** One recorded event of every type the history projection handles, through the real pure mapping. */
function everyChangeKind() {
  const log = new RecordedEventLog({ startAt: T0 });
  log.registerUser('u-alice', 'Alice', { email: null });
  log.registerUser('u-bob', 'bob');
  log.createRoom('r-1', 'General', 'public', 'u-alice');
  const root = log.send('r-1', 'u-alice', 'root');
  log.send('r-1', 'u-alice', 'reply @bob', { thread: { replyTo: root.messageId, threadId: root.messageId }, mentions: ['u-bob'] });
  return { log, changes: log.since({}).flatMap((event) => historyChanges(event)) };
}

describe('bind rows per change kind', () => {
  const sql = writeSql(oracleTables('t_'));

  it('holds exactly the bind variables of its statement (node-oracledb refuses unused names with ORA-01036)', () => {
    const { changes } = everyChangeKind();
    const kinds = new Set<string>();
    for (const change of changes) {
      for (const { statement, binds } of statementsFor(change)) {
        kinds.add(change.op);
        expect(new Set(Object.keys(binds)), `${change.op} → ${statement}`).toEqual(placeholdersOf(sql[statement]));
      }
    }
    expect(kinds.size).toBeGreaterThan(2);
  });

  it('covers every change kind with the values of the change, times as epoch milliseconds', () => {
    const attachment = { fileId: 'f', name: 'a.png', contentType: 'image/png', size: 10, sha256: 'a'.repeat(64), width: 2, height: 1, thumbnail: true };
    const samples: HistoryChange[] = [
      { op: 'userUpserted', userId: 'u', username: 'U', usernameNormalised: 'u', email: null, displayName: '', passwordHash: 'h', role: 'user', createdAt: T0 },
      { op: 'roomCreated', roomId: 'r', name: '', kind: 'direct', createdBy: 'u', createdAt: T0, seq: 1 },
      { op: 'memberAdded', roomId: 'r', userId: 'u', role: 'owner', addedBy: null, joinedAt: T0 },
      { op: 'memberRemoved', roomId: 'r', userId: 'u', reason: 'removed', removedBy: 'v', at: T0 },
      { op: 'memberRoleChanged', roomId: 'r', userId: 'u', role: 'moderator' },
      { op: 'messageInserted', messageId: 'r.2', roomId: 'r', seq: 2, senderId: 'u', text: 'hi', clientMessageId: 'c', createdAt: T0, erased: false, attachments: [attachment] },
      { op: 'messageEdited', roomId: 'r', messageId: 'r.2', editSeq: 3, text: 'hey', editedBy: 'u', editedAt: T0 + 1, erased: false },
      { op: 'messageDeleted', roomId: 'r', messageId: 'r.2', deletedBy: 'u', deletedAt: T0 + 2 },
      { op: 'roomAdvanced', roomId: 'r', headSeq: 4, at: T0 + 3 },
      { op: 'markersAdvanced', userId: 'u', roomId: 'r', deliveredSeq: 4, readSeq: 0, at: T0 + 4 },
      { op: 'userRoleChanged', userId: 'u', role: 'auditor' },
      { op: 'personalDataErased', userId: 'u' },
      { op: 'reactionAdded', roomId: 'r', messageId: 'r.2', seq: 2, emoji: '👍', userId: 'u', reactionSeq: 5, at: T0 + 5 },
      { op: 'reactionRemoved', roomId: 'r', messageId: 'r.2', seq: 2, emoji: '👍', userId: 'u' },
      { op: 'roomSettingChanged', roomId: 'r', setting: 'name', value: 'Renamed' },
      { op: 'roomSettingChanged', roomId: 'r', setting: 'topic', value: '' },
      { op: 'messagePinned', roomId: 'r', messageId: 'r.2', seq: 2, pinnedBy: 'u', pinSeq: 6, at: T0 + 6 },
      { op: 'messageUnpinned', roomId: 'r', messageId: 'r.2', seq: 2 },
      { op: 'fileRecorded', fileId: 'f', uploadedBy: 'u', name: '', contentType: 'text/plain', size: 3, sha256: 'b'.repeat(64), width: null, height: null, thumbnail: false, uploadedAt: T0, erased: false },
      { op: 'fileDiscarded', fileId: 'f', discardedAt: T0 + 5 },
      { op: 'threadReplyAdded', roomId: 'r', seq: 3, replyToSeq: 2, threadSeq: 1 },
      { op: 'mentionsAdded', roomId: 'r', seq: 3, senderId: 'u', userIds: ['v', 'w'], at: T0 + 7 },
      { op: 'blockChanged', userId: 'u', blockedUserId: 'v', blocked: true, at: T0 + 8 },
      { op: 'blockChanged', userId: 'u', blockedUserId: 'v', blocked: false, at: T0 + 9 },
    ] as const;
    const bound = samples.map((change) => statementsFor(change));
    for (const [i, statements] of bound.entries()) {
      for (const { statement, binds } of statements) {
        expect(new Set(Object.keys(binds)), `${samples[i]?.op} → ${statement}`).toEqual(placeholdersOf(sql[statement]));
      }
    }
    expect(bound.map((statements) => statements.map((s) => s.statement))).toEqual([
      ['upsertUser'],
      ['insertRoom'],
      ['upsertMember'],
      ['deleteMember'],
      ['changeMemberRole'],
      ['insertMessage', 'noteLastMessage', 'insertAttachment'],
      // The previous text is copied before the new one is set.
      ['copyTextToEdits', 'editMessage'],
      // A deleted message's reactions leave the view with its text.
      // A deleted reply stops counting in its thread.
      ['deleteMessage', 'deleteMessageReactions', 'deleteMessagePin', 'recountThreadOfMessage'],
      ['advanceRoom'],
      ['advanceMarkers'],
      ['changeUserRole'],
      // The edit history finds the sender's messages before they are blanked.
      // The erased user's reactions go, and none of theirs is inserted again (a rebuild may meet it later).
      // Their uploads are marked erased, and the names their messages recorded for them blanked.
      [
        'eraseUserEmail',
        'eraseUserEdits',
        'eraseUserMessages',
        'eraseUserReactions',
        'noteErasedReactor',
        'eraseUserFiles',
        'eraseUserAttachmentNames',
      ],
      ['insertReaction'],
      ['deleteReaction'],
      ['renameRoom'],
      ['changeRoomTopic'],
      ['insertPin'],
      ['deletePin'],
      ['insertFile'],
      ['discardFile'],
      // The reply's row, then its root's replies counted again from the rows.
      ['insertReply', 'recountThread'],
      // One row per mentioned user, in the order named.
      ['insertMention', 'insertMention'],
      ['insertBlock'],
      ['deleteBlock'],
    ]);
    expect(bound[22]?.[0]?.binds).toEqual({ userId: 'u', blockedUserId: 'v', at: T0 + 8 });
    expect(bound[21]?.[1]?.binds).toEqual({ userId: 'w', roomId: 'r', seq: 3, senderId: 'u', at: T0 + 7, position: 1 });
    expect(bound[20]?.[0]?.binds).toEqual({ roomId: 'r', seq: 3, replyToSeq: 2, threadSeq: 1 });
    expect(bound[20]?.[1]?.binds).toEqual({ roomId: 'r', threadSeq: 1 });
    expect(bound[16]?.[0]?.binds).toEqual({ roomId: 'r', seq: 2, pinnedBy: 'u', pinSeq: 6, at: T0 + 6 });
    expect(bound[15]?.[0]?.binds).toEqual({ roomId: 'r', value: '' });
    expect(bound[12]?.[0]?.binds).toEqual({ roomId: 'r', seq: 2, emoji: '👍', userId: 'u', reactionSeq: 5, at: T0 + 5 });
    expect(bound[5]?.[2]?.binds).toEqual({
      roomId: 'r', seq: 2, itemNo: 0, fileId: 'f', name: 'a.png', contentType: 'image/png', byteSize: 10, sha256: 'a'.repeat(64),
      width: 2, height: 1, thumbnail: 1,
    });
    expect(bound[18]?.[0]?.binds).toMatchObject({ fileId: 'f', name: '', byteSize: 3, width: null, thumbnail: 0, uploadedAt: T0, erased: 0 });
    expect(bound[0]?.[0]?.binds).toMatchObject({ userId: 'u', email: null, displayName: '', createdAt: T0 });
    expect(bound[5]?.[0]?.binds).toMatchObject({ roomId: 'r', seq: 2, messageId: 'r.2', text: 'hi', createdAt: T0 });
    expect(bound[6]?.[1]?.binds).toEqual({ roomId: 'r', messageId: 'r.2', text: 'hey', editedAt: T0 + 1, editedBy: 'u', erased: 0 });
    expect(bound[10]?.[0]?.binds).toEqual({ userId: 'u', role: 'auditor' });
    expect(bound[9]?.[0]?.binds).toEqual({ userId: 'u', roomId: 'r', deliveredSeq: 4, readSeq: 0, at: T0 + 4 });
  });

  it('binds every value of reads and checkpoints (no literal from input in the text)', () => {
    const t = oracleTables();
    const reads = readSql(t);
    expect(placeholdersOf(reads.roomsOfUserAfter)).toEqual(new Set(['userId', 'after', 'limit']));
    expect(placeholdersOf(reads.messagesBetween)).toEqual(new Set(['roomId', 'after', 'before', 'limit']));
    expect(placeholdersOf(reads.latestMessages)).toEqual(new Set(['roomId', 'limit']));
    expect(placeholdersOf(reads.reactions)).toEqual(new Set(['roomId', 'fromSeq', 'toSeq']));
    expect(placeholdersOf(checkpointSql(t).save)).toEqual(new Set(['projection', 'partitionNo', 'position']));
    expect(placeholdersOf(usersByIdSql(t, 3))).toEqual(new Set(['u0', 'u1', 'u2']));
    for (const text of Object.values(reads)) expect(text).not.toMatch(/OFFSET/i);
  });
});

describe('oracleTables', () => {
  it('prefixes every table and keeps names within 30 characters', () => {
    const t = oracleTables('T1234567');
    expect(t.messages).toBe('t1234567messages');
    for (const name of Object.values(t)) expect(name.length).toBeLessThanOrEqual(30);
  });

  it('refuses a prefix that could inject SQL or exceed the name limit', () => {
    for (const bad of ['x; DROP TABLE users', '1abc', 'a-b', 'abcdefghi', "a'"]) {
      expect(() => oracleTables(bad), bad).toThrow(/prefix/);
    }
  });
});

describe('friendship changes on Oracle', () => {
  const sql = writeSql(oracleTables('t_'));

  it('clear the pair, then write one row per direction (sent/received, or accepted twice), with exactly their binds', () => {
    const change = (status: 'pending' | 'accepted' | 'none') =>
      statementsFor({ op: 'friendshipChanged', userId: 'u-a', friendId: 'u-b', status, at: T0 });
    for (const status of ['pending', 'accepted', 'none'] as const) {
      for (const { statement, binds } of change(status)) {
        expect(new Set(Object.keys(binds)), `${status} → ${statement}`).toEqual(placeholdersOf(sql[statement]));
      }
    }
    expect(change('pending').map((s) => [s.statement, s.binds])).toEqual([
      ['deleteFriendshipPair', { userId: 'u-a', friendId: 'u-b' }],
      ['insertFriendshipRow', { userId: 'u-a', friendId: 'u-b', status: 'sent', since: T0 }],
      ['insertFriendshipRow', { userId: 'u-b', friendId: 'u-a', status: 'received', since: T0 }],
    ]);
    expect(change('accepted').map((s) => s.binds['status'])).toEqual([undefined, 'accepted', 'accepted']);
    expect(change('none').map((s) => s.statement)).toEqual(['deleteFriendshipPair']);
    const reads = readSql(oracleTables('t_'));
    expect(placeholdersOf(reads.friendships)).toEqual(new Set(['userId', 'status']));
    expect(placeholdersOf(reads.userIdsByEmail)).toEqual(new Set(['email']));
  });
});
