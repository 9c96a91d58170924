import { describe, expect, it } from 'vitest';
import type {
  MemberJoined,
  MemberLeft,
  MemberRemoved,
  MemberRoleChanged,
  MessageDeleted,
  MessageEdited,
  MessagePinned,
  MessageSent,
  MessageUnpinned,
  ReactionAdded,
  ReactionRemoved,
  RoomCreated,
  RoomRenamed,
  RoomTopicChanged,
  RoomEvent,
  RoomKind,
  RoomRole,
} from '../../../src/events/chatEvents.js';
import type { RoomCommand } from '../../../src/commands/commands.js';
import { MAX_PINS_PER_ROOM, createRoomDecider, roomDecider } from '../../../src/commands/room/roomDecider.js';
import {
  DEFAULT_ROOM_MESSAGE_WINDOW,
  needsMessageLookup,
  withMessageFacts,
} from '../../../src/commands/room/roomState.js';
import type { RoomState } from '../../../src/commands/room/roomState.js';
import { directRoomId, messageIdOf } from '../../../src/domain/ids.js';
import { MAX_REACTIONS_PER_MESSAGE } from '../../../src/domain/reactionEmoji.js';
import { as, recorded, spec, stateAfter } from '../../support/deciderSpecification.js';

// ---- events, as the stream would hold them -------------------------------------------------------------------

const R = 'r1';
const created = (kind: RoomKind = 'private', createdBy = 'alice', roomId = R, name = 'Team'): RoomCreated => ({
  type: 'RoomCreated',
  data: { roomId, name, kind, createdBy },
});
const joined = (
  userId: string,
  role: RoomRole = 'member',
  addedBy: string | null = null,
  roomId = R,
): MemberJoined => ({
  type: 'MemberJoined',
  data: { roomId, userId, role, addedBy },
});
const left = (userId: string, roomId = R): MemberLeft => ({ type: 'MemberLeft', data: { roomId, userId } });
const removed = (userId: string, removedBy: string): MemberRemoved => ({
  type: 'MemberRemoved',
  data: { roomId: R, userId, removedBy },
});
const roleChanged = (userId: string, role: RoomRole, changedBy: string): MemberRoleChanged => ({
  type: 'MemberRoleChanged',
  data: { roomId: R, userId, role, changedBy },
});
/** `seq` must be the event's position in the given history: it is the message's stream version. */
const sent = (
  senderId: string,
  seq: number,
  text = `message ${seq}`,
  { clientMessageId = `client-${seq}`, roomId = R }: { clientMessageId?: string; roomId?: string } = {},
): MessageSent => ({
  type: 'MessageSent',
  data: { roomId, messageId: messageIdOf(roomId, seq), senderId, text, clientMessageId },
});
const edited = (seq: number, text: string, editedBy: string): MessageEdited => ({
  type: 'MessageEdited',
  data: { roomId: R, messageId: messageIdOf(R, seq), text, editedBy },
});
const deleted = (seq: number, deletedBy: string): MessageDeleted => ({
  type: 'MessageDeleted',
  data: { roomId: R, messageId: messageIdOf(R, seq), deletedBy },
});

// ---- histories ---------------------------------------------------------------------------------------------

/** A private room: alice owns it, mo moderates, bob is a member. Version 5. */
const team: RoomEvent[] = [
  created('private'),
  joined('alice', 'owner'),
  joined('mo', 'member', 'alice'),
  roleChanged('mo', 'moderator', 'alice'),
  joined('bob', 'member', 'alice'),
];
/** The same room with a message from bob (6), mo (7) and alice (8). */
const chat: RoomEvent[] = [...team, sent('bob', 6), sent('mo', 7), sent('alice', 8)];

/** A public room owned by alice, with bob joined by himself. Version 3. */
const lobby: RoomEvent[] = [created('public', 'alice', R, 'Lobby'), joined('alice', 'owner'), joined('bob')];

const DM = directRoomId('alice', 'bob');
/** A direct room between alice (who opened it) and bob. Version 3. */
const direct: RoomEvent[] = [
  created('direct', 'alice', DM, DM),
  joined('alice', 'member', null, DM),
  joined('bob', 'member', 'alice', DM),
];

const admin = as('root', { role: 'admin' });
const given = (events: RoomEvent[]) => spec(roomDecider).given(events);

const createRoom = (kind: RoomKind, memberIds: string[] = [], name = 'Team', roomId = R): RoomCommand => ({
  type: 'CreateRoom',
  roomId,
  name,
  kind,
  memberIds,
});

// ---- CreateRoom ----------------------------------------------------------------------------------------------

describe('CreateRoom', () => {
  it('creates a private room: the creator owns it, the others are added by the creator', () => {
    given([])
      .when(createRoom('private', ['bob', 'carol']), as('alice'))
      .then([
        created('private'),
        joined('alice', 'owner'),
        joined('bob', 'member', 'alice'),
        joined('carol', 'member', 'alice'),
      ]);
  });

  it('creates a public room with only its creator', () => {
    given([]).when(createRoom('public'), as('alice')).then([created('public'), joined('alice', 'owner')]);
  });

  it('drops duplicate member ids and the creator from the member list', () => {
    given([])
      .when(createRoom('private', ['bob', 'alice', 'bob']), as('alice'))
      .then([created('private'), joined('alice', 'owner'), joined('bob', 'member', 'alice')]);
  });

  it('stores the normalised name', () => {
    given([])
      .when(createRoom('public', [], '  Cafe\u0301   corner '), as('alice'))
      .then([created('public', 'alice', R, 'Caf\u00E9 corner'), joined('alice', 'owner')]);
  });

  it('refuses an invalid name with VALIDATION_FAILED', () => {
    given([]).when(createRoom('public', [], '   '), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'name' });
    given([])
      .when(createRoom('public', [], 'x'.repeat(11)), as('alice', { limits: { maxRoomNameLength: 10 } }))
      .thenThrows('VALIDATION_FAILED', { field: 'name', reason: 'too-long' });
  });

  it('refuses a room that exists with ROOM_EXISTS', () => {
    given(team).when(createRoom('private'), as('carol')).thenThrows('ROOM_EXISTS', { roomId: R });
    given(direct).when(createRoom('direct', ['bob'], '', DM), as('alice')).thenThrows('ROOM_EXISTS');
  });

  it('refuses more initial members than the limit with ROOM_FULL, and accepts exactly the limit', () => {
    const limits = { maxRoomMembers: 3 };
    given([])
      .when(createRoom('private', ['b', 'c', 'd']), as('alice', { limits }))
      .thenThrows('ROOM_FULL', { maxRoomMembers: 3, requested: 4 });
    given([])
      .when(createRoom('private', ['b', 'c', 'c']), as('alice', { limits }))
      .then([
        created('private'),
        joined('alice', 'owner'),
        joined('b', 'member', 'alice'),
        joined('c', 'member', 'alice'),
      ]);
  });

  it('refuses a group room whose id is in the direct rooms namespace with INVALID_ROOM', () => {
    given([]).when(createRoom('public', [], 'Squat', DM), as('mallory')).thenThrows('INVALID_ROOM', { roomId: DM });
  });

  describe('direct', () => {
    it('creates a room for the pair, named by its id, with both as plain members', () => {
      given([]).when(createRoom('direct', ['bob'], 'anything', DM), as('alice')).then(direct);
    });

    it('accepts the same other member listed twice', () => {
      given([]).when(createRoom('direct', ['bob', 'bob', 'alice'], '', DM), as('alice')).then(direct);
    });

    it('is created the same way by either participant (the id is the sorted pair)', () => {
      given([])
        .when(createRoom('direct', ['alice'], '', DM), as('bob'))
        .then([
          created('direct', 'bob', DM, DM),
          joined('bob', 'member', null, DM),
          joined('alice', 'member', 'bob', DM),
        ]);
    });

    it('refuses an id that is not the pair id with INVALID_ROOM', () => {
      given([])
        .when(createRoom('direct', ['bob'], '', 'dm_bob_carol'), as('alice'))
        .thenThrows('INVALID_ROOM', { expected: DM });
    });

    it('refuses no other member, or only yourself, with INVALID_ROOM', () => {
      given([]).when(createRoom('direct', [], '', DM), as('alice')).thenThrows('INVALID_ROOM', { otherMembers: 0 });
      given([]).when(createRoom('direct', ['alice'], '', DM), as('alice')).thenThrows('INVALID_ROOM');
    });

    it('refuses two other members with INVALID_ROOM', () => {
      given([])
        .when(createRoom('direct', ['bob', 'carol'], '', DM), as('alice'))
        .thenThrows('INVALID_ROOM', { otherMembers: 2 });
    });
  });
});

// ---- JoinRoom ------------------------------------------------------------------------------------------------

describe('JoinRoom', () => {
  const join: RoomCommand = { type: 'JoinRoom', roomId: R };

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(join, as('carol')).thenThrows('NO_ROOM', { roomId: R });
  });

  it('lets anyone join a public room by themself', () => {
    given(lobby).when(join, as('carol')).then([joined('carol')]);
  });

  it('is idempotent for a member', () => {
    given(lobby).when(join, as('bob')).then([]);
    given(team).when(join, as('bob')).then([]);
  });

  it('refuses a full public room with ROOM_FULL', () => {
    given(lobby)
      .when(join, as('carol', { limits: { maxRoomMembers: 2 } }))
      .thenThrows('ROOM_FULL', { maxRoomMembers: 2 });
  });

  it('refuses a private room with FORBIDDEN', () => {
    given(team).when(join, as('carol')).thenThrows('FORBIDDEN');
  });

  it('lets a private member who left come back only when added', () => {
    given([...team, left('bob')]).when(join, as('bob')).thenThrows('FORBIDDEN');
  });

  describe('direct', () => {
    const joinDm: RoomCommand = { type: 'JoinRoom', roomId: DM };

    it('refuses anyone but the pair with FORBIDDEN', () => {
      given(direct).when(joinDm, as('carol')).thenThrows('FORBIDDEN');
    });

    it('lets either participant come back after leaving', () => {
      given([...direct, left('bob', DM)]).when(joinDm, as('bob')).then([joined('bob', 'member', null, DM)]);
      given([...direct, left('alice', DM)]).when(joinDm, as('alice')).then([joined('alice', 'member', null, DM)]);
    });
  });
});

// ---- LeaveRoom -----------------------------------------------------------------------------------------------

describe('LeaveRoom', () => {
  const leave: RoomCommand = { type: 'LeaveRoom', roomId: R };

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(leave, as('bob')).thenThrows('NO_ROOM');
  });

  it('refuses a non-member with NOT_MEMBER', () => {
    given(team).when(leave, as('carol')).thenThrows('NOT_MEMBER', { userId: 'carol' });
    given([...team, left('bob')]).when(leave, as('bob')).thenThrows('NOT_MEMBER');
  });

  it('lets a member leave', () => {
    given(team).when(leave, as('bob')).then([left('bob')]);
    given(team).when(leave, as('mo')).then([left('mo')]);
  });

  it('hands ownership to the longest-standing moderator before the owner leaves', () => {
    const state = given(team).when(leave, as('alice')).then([roleChanged('mo', 'owner', 'alice'), left('alice')]);
    // The new owner acts as owner straight away.
    spec(roomDecider)
      .givenState(state)
      .when({ type: 'ChangeMemberRole', roomId: R, userId: 'bob', role: 'moderator' }, as('mo'))
      .then([roleChanged('bob', 'moderator', 'mo')]);
  });

  it('prefers a moderator who joined later over an earlier plain member', () => {
    given([
      created('private'),
      joined('alice', 'owner'),
      joined('bob'),
      joined('mo'),
      roleChanged('mo', 'moderator', 'alice'),
    ])
      .when(leave, as('alice'))
      .then([roleChanged('mo', 'owner', 'alice'), left('alice')]);
  });

  it('picks the moderator who joined first when there are several', () => {
    given([
      created('private'),
      joined('alice', 'owner'),
      joined('m1'),
      joined('m2'),
      roleChanged('m2', 'moderator', 'alice'),
      roleChanged('m1', 'moderator', 'alice'),
    ])
      .when(leave, as('alice'))
      .then([roleChanged('m1', 'owner', 'alice'), left('alice')]);
  });

  it('hands ownership to the longest-standing member when there is no moderator', () => {
    given([...lobby, joined('carol')])
      .when(leave, as('alice'))
      .then([roleChanged('bob', 'owner', 'alice'), left('alice')]);
  });

  it('counts seniority from the last join: leaving and rejoining puts a member last', () => {
    given([...lobby, joined('carol'), left('bob'), joined('bob')])
      .when(leave, as('alice'))
      .then([roleChanged('carol', 'owner', 'alice'), left('alice')]);
  });

  it('lets the last member, the owner, leave an empty room', () => {
    given([created('public'), joined('alice', 'owner')]).when(leave, as('alice')).then([left('alice')]);
  });

  it('lets a participant leave a direct room, with no ownership to hand over', () => {
    given(direct).when({ type: 'LeaveRoom', roomId: DM }, as('alice')).then([left('alice', DM)]);
  });
});

// ---- AddMember -----------------------------------------------------------------------------------------------

describe('AddMember', () => {
  const add = (userId: string, roomId = R): RoomCommand => ({ type: 'AddMember', roomId, userId });

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(add('carol'), as('alice')).thenThrows('NO_ROOM');
  });

  it('lets the owner add a member', () => {
    given(team).when(add('carol'), as('alice')).then([joined('carol', 'member', 'alice')]);
  });

  it('lets a moderator add a member', () => {
    given(team).when(add('carol'), as('mo')).then([joined('carol', 'member', 'mo')]);
  });

  it('lets a moderator add back someone who left', () => {
    given([...team, left('bob')]).when(add('bob'), as('mo')).then([joined('bob', 'member', 'mo')]);
  });

  it('refuses a public room with FORBIDDEN: people join those themselves', () => {
    given(lobby).when(add('carol'), as('alice')).thenThrows('FORBIDDEN', { kind: 'public' });
  });

  it('refuses a direct room with FORBIDDEN', () => {
    given(direct).when(add('carol', DM), as('alice')).thenThrows('FORBIDDEN', { kind: 'direct' });
  });

  it('refuses a plain member with FORBIDDEN', () => {
    given(team).when(add('carol'), as('bob')).thenThrows('FORBIDDEN');
  });

  it('refuses a non-member with NOT_MEMBER, global admins included', () => {
    given(team).when(add('carol'), as('dave')).thenThrows('NOT_MEMBER');
    given(team).when(add('carol'), admin).thenThrows('NOT_MEMBER');
  });

  it('is idempotent for someone already a member', () => {
    given(team).when(add('bob'), as('alice')).then([]);
  });

  it('refuses a full room with ROOM_FULL', () => {
    given(team).when(add('carol'), as('alice', { limits: { maxRoomMembers: 3 } })).thenThrows('ROOM_FULL', {
      maxRoomMembers: 3,
    });
  });
});

// ---- RemoveMember --------------------------------------------------------------------------------------------

describe('RemoveMember', () => {
  const remove = (userId: string, roomId = R): RoomCommand => ({ type: 'RemoveMember', roomId, userId });
  /** team plus a second moderator, max. */
  const twoModerators = [...team, joined('max', 'member', 'alice'), roleChanged('max', 'moderator', 'alice')];

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(remove('bob'), as('alice')).thenThrows('NO_ROOM');
  });

  it('lets the owner remove a member or a moderator', () => {
    given(team).when(remove('bob'), as('alice')).then([removed('bob', 'alice')]);
    given(team).when(remove('mo'), as('alice')).then([removed('mo', 'alice')]);
  });

  it('lets a moderator remove a plain member', () => {
    given(team).when(remove('bob'), as('mo')).then([removed('bob', 'mo')]);
  });

  it('works in public rooms too', () => {
    given(lobby).when(remove('bob'), as('alice')).then([removed('bob', 'alice')]);
  });

  it('refuses a moderator removing the owner with FORBIDDEN', () => {
    given(team).when(remove('alice'), as('mo')).thenThrows('FORBIDDEN', { userId: 'alice' });
  });

  it('refuses a moderator removing another moderator with FORBIDDEN', () => {
    given(twoModerators).when(remove('max'), as('mo')).thenThrows('FORBIDDEN', { userId: 'max' });
  });

  it('refuses a plain member with FORBIDDEN', () => {
    given(team).when(remove('mo'), as('bob')).thenThrows('FORBIDDEN');
  });

  it('refuses removing yourself with FORBIDDEN (LeaveRoom is for that)', () => {
    given(team).when(remove('mo'), as('mo')).thenThrows('FORBIDDEN');
  });

  it('refuses a non-member actor with NOT_MEMBER', () => {
    given(team).when(remove('bob'), as('dave')).thenThrows('NOT_MEMBER', { userId: 'dave' });
  });

  it('refuses a target who is not a member with NOT_MEMBER', () => {
    given(team).when(remove('carol'), as('alice')).thenThrows('NOT_MEMBER', { userId: 'carol' });
    given([...team, left('bob')]).when(remove('bob'), as('alice')).thenThrows('NOT_MEMBER');
  });

  it('lets a global admin who is not a member remove anyone', () => {
    given(twoModerators).when(remove('max'), admin).then([removed('max', 'root')]);
  });

  it('hands ownership on when an admin removes the owner', () => {
    given(team).when(remove('alice'), admin).then([roleChanged('mo', 'owner', 'root'), removed('alice', 'root')]);
  });

  it('refuses a direct room with FORBIDDEN, even for an admin', () => {
    given(direct).when(remove('bob', DM), as('alice')).thenThrows('FORBIDDEN', { kind: 'direct' });
    given(direct).when(remove('bob', DM), admin).thenThrows('FORBIDDEN');
  });
});

// ---- ChangeMemberRole ----------------------------------------------------------------------------------------

describe('ChangeMemberRole', () => {
  const change = (userId: string, role: 'moderator' | 'member', roomId = R): RoomCommand => ({
    type: 'ChangeMemberRole',
    roomId,
    userId,
    role,
  });

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(change('bob', 'moderator'), as('alice')).thenThrows('NO_ROOM');
  });

  it('lets the owner promote a member and demote a moderator', () => {
    given(team).when(change('bob', 'moderator'), as('alice')).then([roleChanged('bob', 'moderator', 'alice')]);
    given(team).when(change('mo', 'member'), as('alice')).then([roleChanged('mo', 'member', 'alice')]);
  });

  it('lets a global admin who is not a member change roles', () => {
    given(team).when(change('bob', 'moderator'), admin).then([roleChanged('bob', 'moderator', 'root')]);
  });

  it('refuses a moderator or a member with FORBIDDEN', () => {
    given(team).when(change('bob', 'moderator'), as('mo')).thenThrows('FORBIDDEN');
    given(team).when(change('mo', 'member'), as('bob')).thenThrows('FORBIDDEN');
  });

  it('refuses a non-member actor with NOT_MEMBER', () => {
    given(team).when(change('bob', 'moderator'), as('dave')).thenThrows('NOT_MEMBER');
  });

  it('refuses a target who is not a member with NOT_MEMBER', () => {
    given(team).when(change('carol', 'moderator'), as('alice')).thenThrows('NOT_MEMBER', { userId: 'carol' });
  });

  it("refuses changing the owner's role with FORBIDDEN, even their own or by an admin", () => {
    given(team).when(change('alice', 'member'), as('alice')).thenThrows('FORBIDDEN');
    given(team).when(change('alice', 'moderator'), admin).thenThrows('FORBIDDEN');
  });

  it('is idempotent when the member already has the role', () => {
    given(team).when(change('mo', 'moderator'), as('alice')).then([]);
  });

  it('refuses a direct room with FORBIDDEN', () => {
    given(direct).when(change('bob', 'moderator', DM), as('alice')).thenThrows('FORBIDDEN', { kind: 'direct' });
  });
});

// ---- SendMessage ---------------------------------------------------------------------------------------------

describe('SendMessage', () => {
  const send = (text: string, clientMessageId = 'c-1', roomId = R): RoomCommand => ({
    type: 'SendMessage',
    roomId,
    text,
    clientMessageId,
  });

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(send('hi'), as('alice')).thenThrows('NO_ROOM');
  });

  it('emits MessageSent whose id names the room and the seq the event will get', () => {
    given(team)
      .when(send('hello'), as('bob'))
      .then([
        {
          type: 'MessageSent',
          data: { roomId: R, messageId: 'r1.6', senderId: 'bob', text: 'hello', clientMessageId: 'c-1' },
        },
      ]);
  });

  it('numbers consecutive messages by stream version', () => {
    const afterFirst = given(team)
      .when(send('one', 'c-1'), as('bob'))
      .then([sent('bob', 6, 'one', { clientMessageId: 'c-1' })]);
    spec(roomDecider)
      .givenState(afterFirst)
      .when(send('two', 'c-2'), as('mo'))
      .then([sent('mo', 7, 'two', { clientMessageId: 'c-2' })]);
  });

  it('stores the normalised text', () => {
    given(team)
      .when(send('  cafe\u0301\u200B \r\n'), as('bob'))
      .then([sent('bob', 6, 'caf\u00E9', { clientMessageId: 'c-1' })]);
  });

  it('refuses a non-member with NOT_MEMBER, in a public room too (join first)', () => {
    given(team).when(send('hi'), as('carol')).thenThrows('NOT_MEMBER');
    given(lobby).when(send('hi'), as('carol')).thenThrows('NOT_MEMBER');
    given([...team, removed('bob', 'alice')]).when(send('hi'), as('bob')).thenThrows('NOT_MEMBER');
  });

  it('refuses empty, invisible and bad text', () => {
    given(team).when(send('   '), as('bob')).thenThrows('EMPTY_CONTENT');
    given(team).when(send('\u200B\u200D'), as('bob')).thenThrows('EMPTY_CONTENT');
    given(team).when(send('a\u202Eb'), as('bob')).thenThrows('INVALID_CONTENT', { reason: 'bidi-control' });
    given(team).when(send('a\u0000b'), as('bob')).thenThrows('INVALID_CONTENT', { reason: 'control-character' });
  });

  it('refuses text over the configured limit with MESSAGE_TOO_LONG', () => {
    const context = as('bob', { limits: { maxMessageLength: 5 } });
    given(team)
      .when(send('😀'.repeat(5)), context)
      .then([sent('bob', 6, '😀'.repeat(5), { clientMessageId: 'c-1' })]);
    given(team).when(send('😀'.repeat(6)), context).thenThrows('MESSAGE_TOO_LONG', { maxLength: 5, length: 6 });
  });

  it('lets either participant write in a direct room', () => {
    given(direct)
      .when(send('hey', 'c-9', DM), as('bob'))
      .then([sent('bob', 4, 'hey', { clientMessageId: 'c-9', roomId: DM })]);
  });
});

// ---- EditMessage ---------------------------------------------------------------------------------------------

describe('SendMessage with attachments (issue #16)', () => {
  const file = (fileId: string, uploadedBy: string, readableByActor: boolean) => ({
    fileId,
    name: `${fileId}.png`,
    contentType: 'image/png',
    size: 10,
    sha256: 'a'.repeat(64),
    width: 2,
    height: 1,
    thumbnail: true,
    uploadedBy,
    readableByActor,
  });
  const ref = (fileId: string) => ({
    fileId,
    name: `${fileId}.png`,
    contentType: 'image/png',
    size: 10,
    sha256: 'a'.repeat(64),
    width: 2,
    height: 1,
    thumbnail: true,
  });
  const send = (text: string, attachments: ReturnType<typeof file>[]): RoomCommand => ({
    type: 'SendMessage',
    roomId: R,
    text,
    clientMessageId: 'c-1',
    attachments,
  });

  it("lets the uploader attach their own files, the text may then be empty, and the event carries the files' facts", () => {
    given(team)
      .when(send('   ', [file('f1', 'bob', false), file('f2', 'bob', false)]), as('bob'))
      .then([
        {
          type: 'MessageSent',
          data: { roomId: R, messageId: 'r1.6', senderId: 'bob', text: '', clientMessageId: 'c-1', attachments: [ref('f1'), ref('f2')] },
        },
      ]);
  });

  it('lets a reader of the file attach it (a forward)', () => {
    given(team)
      .when(send('look', [file('f1', 'alice', true)]), as('bob'))
      .then([
        {
          type: 'MessageSent',
          data: { roomId: R, messageId: 'r1.6', senderId: 'bob', text: 'look', clientMessageId: 'c-1', attachments: [ref('f1')] },
        },
      ]);
  });

  it('refuses a file the sender neither uploaded nor may read with NO_FILE, as if it did not exist', () => {
    given(team).when(send('look', [file('f1', 'alice', false)]), as('bob')).thenThrows('NO_FILE', { fileId: 'f1' });
  });

  it('refuses a file twice, and more files than the limit, with VALIDATION_FAILED', () => {
    given(team).when(send('x', [file('f1', 'bob', false), file('f1', 'bob', false)]), as('bob')).thenThrows('VALIDATION_FAILED');
    const three = [file('f1', 'bob', false), file('f2', 'bob', false), file('f3', 'bob', false)];
    given(team).when(send('x', three), as('bob', { limits: { maxAttachments: 2 } })).thenThrows('VALIDATION_FAILED', { max: 2 });
  });

  it('still wants words without files, and membership with them', () => {
    given(team).when(send('  ', []), as('bob')).thenThrows('EMPTY_CONTENT');
    given(team).when(send('', [file('f1', 'mallory', false)]), as('mallory')).thenThrows('NOT_MEMBER');
  });
});

describe('EditMessage', () => {
  const edit = (seq: number, text: string): RoomCommand => ({ type: 'EditMessage', roomId: R, seq, text });

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(edit(1, 'x'), as('bob')).thenThrows('NO_ROOM');
  });

  it('lets the sender edit, with the text normalised', () => {
    given(chat).when(edit(6, ' fixed\u200B '), as('bob')).then([edited(6, 'fixed', 'bob')]);
  });

  it('allows several edits and emits even when the text is unchanged', () => {
    given([...chat, edited(6, 'v2', 'bob')]).when(edit(6, 'v2'), as('bob')).then([edited(6, 'v2', 'bob')]);
  });

  it('refuses a seq that is not a message of the room with NO_MESSAGE', () => {
    given(chat).when(edit(2, 'x'), as('bob')).thenThrows('NO_MESSAGE', { messageId: 'r1.2' });
    given(chat).when(edit(99, 'x'), as('bob')).thenThrows('NO_MESSAGE', { messageId: 'r1.99' });
  });

  it('refuses anyone but the sender with NOT_SENDER, owners and admins included', () => {
    given(chat).when(edit(6, 'x'), as('mo')).thenThrows('NOT_SENDER', { messageId: 'r1.6' });
    given(chat).when(edit(6, 'x'), as('alice')).thenThrows('NOT_SENDER');
    given([...chat, joined('root')]).when(edit(6, 'x'), admin).thenThrows('NOT_SENDER');
  });

  it('refuses a deleted message with MESSAGE_DELETED', () => {
    given([...chat, deleted(6, 'mo')])
      .when(edit(6, 'x'), as('bob'))
      .thenThrows('MESSAGE_DELETED', { messageId: 'r1.6' });
  });

  it('refuses a sender who is no longer a member with NOT_MEMBER', () => {
    given([...chat, left('bob')]).when(edit(6, 'x'), as('bob')).thenThrows('NOT_MEMBER');
  });

  it('refuses a non-member before saying anything about the message', () => {
    given(chat).when(edit(99, 'x'), as('carol')).thenThrows('NOT_MEMBER');
  });

  it('refuses bad text like SendMessage does', () => {
    given(chat).when(edit(6, '  '), as('bob')).thenThrows('EMPTY_CONTENT');
    given(chat).when(edit(6, 'a\u2066b'), as('bob')).thenThrows('INVALID_CONTENT');
    given(chat)
      .when(edit(6, 'abcd'), as('bob', { limits: { maxMessageLength: 3 } }))
      .thenThrows('MESSAGE_TOO_LONG', { maxLength: 3, length: 4 });
  });
});

// ---- DeleteMessage -------------------------------------------------------------------------------------------

describe('DeleteMessage', () => {
  const del = (seq: number): RoomCommand => ({ type: 'DeleteMessage', roomId: R, seq });

  it('refuses a room that does not exist with NO_ROOM', () => {
    given([]).when(del(1), as('bob')).thenThrows('NO_ROOM');
  });

  it('lets the sender delete', () => {
    given(chat).when(del(6), as('bob')).then([deleted(6, 'bob')]);
  });

  it('lets the owner and a moderator delete anyone’s message', () => {
    given(chat).when(del(6), as('alice')).then([deleted(6, 'alice')]);
    given(chat).when(del(8), as('mo')).then([deleted(8, 'mo')]);
  });

  it('lets a global admin delete without being a member', () => {
    given(chat).when(del(7), admin).then([deleted(7, 'root')]);
  });

  it('refuses a plain member deleting someone else’s message with FORBIDDEN', () => {
    given(chat).when(del(7), as('bob')).thenThrows('FORBIDDEN', { messageId: 'r1.7' });
  });

  it('refuses a non-member with NOT_MEMBER', () => {
    given(chat).when(del(6), as('carol')).thenThrows('NOT_MEMBER');
    given([...chat, left('bob')]).when(del(6), as('bob')).thenThrows('NOT_MEMBER');
  });

  it('refuses a seq that is not a message with NO_MESSAGE', () => {
    given(chat).when(del(3), as('alice')).thenThrows('NO_MESSAGE', { messageId: 'r1.3' });
    given(chat).when(del(42), admin).thenThrows('NO_MESSAGE');
  });

  it('is idempotent for a deleted message', () => {
    given([...chat, deleted(6, 'bob')]).when(del(6), as('bob')).then([]);
    given([...chat, deleted(6, 'bob')]).when(del(6), as('mo')).then([]);
  });

  it('still refuses someone who may not delete, even when it is already deleted', () => {
    given([...chat, deleted(7, 'mo')]).when(del(7), as('bob')).thenThrows('FORBIDDEN');
  });
});

// ---- AddReaction / RemoveReaction ----------------------------------------------------------------------------

const reacted = (seq: number, userId: string, emoji: string): ReactionAdded => ({
  type: 'ReactionAdded',
  data: { roomId: R, messageId: messageIdOf(R, seq), userId, emoji },
});
const unreacted = (seq: number, userId: string, emoji: string): ReactionRemoved => ({
  type: 'ReactionRemoved',
  data: { roomId: R, messageId: messageIdOf(R, seq), userId, emoji },
});

describe('AddReaction', () => {
  const react = (seq: number, emoji = '👍'): RoomCommand => ({ type: 'AddReaction', roomId: R, seq, emoji });

  it('adds the actor’s reaction to a message of the room', () => {
    given(chat).when(react(6), as('mo')).then([reacted(6, 'mo', '👍')]);
    given(chat).when(react(6, ':party_parrot:'), as('bob')).then([reacted(6, 'bob', ':party_parrot:')]);
  });

  it('is idempotent: a reaction the actor already has appends nothing', () => {
    given([...chat, reacted(6, 'mo', '👍')]).when(react(6), as('mo')).then([]);
  });

  it('lets others join an emoji, and the actor react again after taking it back', () => {
    given([...chat, reacted(6, 'mo', '👍')]).when(react(6), as('bob')).then([reacted(6, 'bob', '👍')]);
    given([...chat, reacted(6, 'mo', '👍'), unreacted(6, 'mo', '👍')]).when(react(6), as('mo')).then([reacted(6, 'mo', '👍')]);
  });

  it('refuses a room that does not exist, a non-member, and then a missing or deleted message, in that order', () => {
    given([]).when(react(6), as('bob')).thenThrows('NO_ROOM');
    given(chat).when(react(6), as('carol')).thenThrows('NOT_MEMBER');
    given(chat).when(react(99, 'not an emoji'), as('carol')).thenThrows('NOT_MEMBER');
    given(chat).when(react(3), as('bob')).thenThrows('NO_MESSAGE', { messageId: 'r1.3' });
    given([...chat, deleted(6, 'bob')]).when(react(6), as('mo')).thenThrows('NO_MESSAGE', { messageId: 'r1.6' });
  });

  it('takes one emoji grapheme or a :short_name:, and refuses anything else with VALIDATION_FAILED', () => {
    for (const emoji of ['👩🏽‍💻', '🇫🇷', '1️⃣', '❤️', ':+1:', ':a_b-c:']) {
      given(chat).when(react(6, emoji), as('bob')).then([reacted(6, 'bob', emoji)]);
    }
    for (const emoji of ['', 'a', 'ok', '👍👍', ' 👍', '👍\u0000', ':Caps:', '::', `:${'x'.repeat(33)}:`, '\ud83d']) {
      given(chat).when(react(6, emoji), as('bob')).thenThrows('VALIDATION_FAILED', { field: 'emoji' });
    }
  });

  it(`caps a message at ${MAX_REACTIONS_PER_MESSAGE} different emoji; existing ones may still be joined`, () => {
    const emoji = (i: number): string => `:e${i}:`;
    const full = [...chat, ...Array.from({ length: MAX_REACTIONS_PER_MESSAGE }, (_, i) => reacted(6, 'mo', emoji(i)))];
    given(full).when(react(6, ':one_more:'), as('bob')).thenThrows('VALIDATION_FAILED', {
      maxReactionsPerMessage: MAX_REACTIONS_PER_MESSAGE,
    });
    given(full).when(react(6, emoji(3)), as('bob')).then([reacted(6, 'bob', emoji(3))]);
    // An emoji nobody holds any more frees its place.
    given([...full, unreacted(6, 'mo', emoji(0))]).when(react(6, ':one_more:'), as('bob')).then([reacted(6, 'bob', ':one_more:')]);
  });
});

describe('RemoveReaction', () => {
  const unreact = (seq: number, emoji = '👍'): RoomCommand => ({ type: 'RemoveReaction', roomId: R, seq, emoji });

  it('takes back the actor’s own reaction only', () => {
    const withReactions = [...chat, reacted(6, 'mo', '👍'), reacted(6, 'bob', '👍')];
    given(withReactions).when(unreact(6), as('mo')).then([unreacted(6, 'mo', '👍')]);
    given([...withReactions, unreacted(6, 'mo', '👍')]).when(unreact(6), as('bob')).then([unreacted(6, 'bob', '👍')]);
  });

  it('is idempotent: a reaction the actor does not have appends nothing', () => {
    given(chat).when(unreact(6), as('mo')).then([]);
    given([...chat, reacted(6, 'bob', '👍')]).when(unreact(6), as('mo')).then([]);
    given([...chat, reacted(6, 'mo', '👍'), unreacted(6, 'mo', '👍')]).when(unreact(6), as('mo')).then([]);
  });

  it('refuses like AddReaction: no room, not a member, no message or a deleted one, not an emoji', () => {
    given([]).when(unreact(6), as('bob')).thenThrows('NO_ROOM');
    given(chat).when(unreact(6), as('carol')).thenThrows('NOT_MEMBER');
    given(chat).when(unreact(42), as('bob')).thenThrows('NO_MESSAGE');
    given([...chat, reacted(6, 'bob', '👍'), deleted(6, 'bob')]).when(unreact(6), as('bob')).thenThrows('NO_MESSAGE');
    given(chat).when(unreact(6, 'text'), as('bob')).thenThrows('VALIDATION_FAILED', { field: 'emoji' });
  });
});

// ---- UpdateRoomSettings -------------------------------------------------------------------------------------

const renamed = (name: string, renamedBy: string): RoomRenamed => ({ type: 'RoomRenamed', data: { roomId: R, name, renamedBy } });
const topicSet = (topic: string, changedBy: string): RoomTopicChanged => ({
  type: 'RoomTopicChanged',
  data: { roomId: R, topic, changedBy },
});

describe('UpdateRoomSettings', () => {
  const settings = (changes: { name?: string; topic?: string }, roomId = R): RoomCommand => ({
    type: 'UpdateRoomSettings',
    roomId,
    ...changes,
  });

  it('lets the owner and a moderator rename a group room and set its topic, normalised', () => {
    given(team).when(settings({ name: '  Core   team ' }), as('alice')).then([renamed('Core team', 'alice')]);
    given(team).when(settings({ topic: ' Ship it   fast ' }), as('mo')).then([topicSet('Ship it fast', 'mo')]);
    given(lobby).when(settings({ name: 'Hall', topic: 'Say hi' }), as('alice')).then([
      { type: 'RoomRenamed', data: { roomId: R, name: 'Hall', renamedBy: 'alice' } },
      { type: 'RoomTopicChanged', data: { roomId: R, topic: 'Say hi', changedBy: 'alice' } },
    ]);
  });

  it('appends only what changed, and nothing when nothing did', () => {
    given(team).when(settings({ name: 'Team', topic: 'New' }), as('alice')).then([topicSet('New', 'alice')]);
    given([...team, topicSet('New', 'alice')]).when(settings({ name: 'Team', topic: ' New ' }), as('mo')).then([]);
    given([...team, renamed('Core', 'alice')]).when(settings({ name: 'Core' }), as('alice')).then([]);
    given(team).when(settings({}), as('alice')).then([]);
    // The state follows the events: a rename and a topic are the current values afterwards.
    given([...team, renamed('Core', 'alice'), topicSet('X', 'mo')]).when(settings({ name: 'Team', topic: 'X' }), as('alice')).then([
      renamed('Team', 'alice'),
    ]);
  });

  it('clears the topic with an empty one', () => {
    given([...team, topicSet('Old', 'alice')]).when(settings({ topic: '  ' }), as('alice')).then([topicSet('', 'alice')]);
    given(team).when(settings({ topic: '' }), as('alice')).then([]);
  });

  it('refuses a plain member with FORBIDDEN, a non-member with NOT_MEMBER, a missing room with NO_ROOM', () => {
    given(team).when(settings({ name: 'Mine' }), as('bob')).thenThrows('FORBIDDEN');
    given(team).when(settings({ name: 'Mine' }), as('carol')).thenThrows('NOT_MEMBER');
    given([]).when(settings({ name: 'Mine' }), as('alice')).thenThrows('NO_ROOM');
  });

  it('refuses a direct room with FORBIDDEN: it has no settings', () => {
    given(direct).when(settings({ topic: 'us' }, DM), as('alice')).thenThrows('FORBIDDEN', { kind: 'direct' });
  });

  it('refuses a name or topic that breaks the rules with VALIDATION_FAILED naming the field', () => {
    given(team).when(settings({ name: '' }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'name' });
    given(team).when(settings({ name: 'two\nlines' }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'name' });
    given(team).when(settings({ name: 'x'.repeat(101) }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'name' });
    given(team).when(settings({ topic: 'two\nlines' }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'topic' });
    given(team).when(settings({ topic: 'x'.repeat(251) }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'topic' });
    given(team).when(settings({ topic: 'bidi \u202e' }), as('alice')).thenThrows('VALIDATION_FAILED', { field: 'topic' });
    given(team).when(settings({ topic: '\u200b' }), as('alice')).then([]);
  });
});

// ---- PinMessage / UnpinMessage --------------------------------------------------------------------------------

const pinned = (seq: number, pinnedBy: string): MessagePinned => ({
  type: 'MessagePinned',
  data: { roomId: R, messageId: messageIdOf(R, seq), pinnedBy },
});
const unpinned = (seq: number, unpinnedBy: string): MessageUnpinned => ({
  type: 'MessageUnpinned',
  data: { roomId: R, messageId: messageIdOf(R, seq), unpinnedBy },
});

describe('PinMessage and UnpinMessage', () => {
  const pin = (seq: number): RoomCommand => ({ type: 'PinMessage', roomId: R, seq });
  const unpin = (seq: number): RoomCommand => ({ type: 'UnpinMessage', roomId: R, seq });

  it('lets the owner and a moderator pin and unpin, idempotently', () => {
    given(chat).when(pin(6), as('alice')).then([pinned(6, 'alice')]);
    given([...chat, pinned(6, 'alice')]).when(pin(6), as('mo')).then([]);
    given([...chat, pinned(6, 'alice')]).when(unpin(6), as('mo')).then([unpinned(6, 'mo')]);
    given(chat).when(unpin(6), as('alice')).then([]);
    given([...chat, pinned(6, 'alice'), unpinned(6, 'mo')]).when(pin(6), as('alice')).then([pinned(6, 'alice')]);
  });

  it('refuses a plain member with FORBIDDEN, a non-member with NOT_MEMBER, a missing room with NO_ROOM', () => {
    given(chat).when(pin(6), as('bob')).thenThrows('FORBIDDEN');
    given(chat).when(unpin(6), as('bob')).thenThrows('FORBIDDEN');
    given(chat).when(pin(6), as('carol')).thenThrows('NOT_MEMBER');
    given([]).when(pin(6), as('alice')).thenThrows('NO_ROOM');
  });

  it('refuses a seq that is no message, and pinning a deleted one, with NO_MESSAGE; a deleted message is unpinned', () => {
    given(chat).when(pin(3), as('alice')).thenThrows('NO_MESSAGE', { messageId: 'r1.3' });
    given(chat).when(unpin(42), as('alice')).thenThrows('NO_MESSAGE');
    given([...chat, deleted(6, 'bob')]).when(pin(6), as('alice')).thenThrows('NO_MESSAGE');
    given([...chat, pinned(6, 'alice'), deleted(6, 'bob')]).when(unpin(6), as('alice')).then([]);
  });

  it(`caps a room at ${MAX_PINS_PER_ROOM} pinned messages; a delete or an unpin frees a place`, () => {
    const messages = Array.from({ length: MAX_PINS_PER_ROOM + 1 }, (_, i) => sent('bob', 6 + i));
    const pins = Array.from({ length: MAX_PINS_PER_ROOM }, (_, i) => pinned(6 + i, 'alice'));
    const full = [...team, ...messages, ...pins];
    const last = 6 + MAX_PINS_PER_ROOM;
    given(full).when(pin(last), as('alice')).thenThrows('VALIDATION_FAILED', { maxPinsPerRoom: MAX_PINS_PER_ROOM });
    given([...full, unpinned(6, 'alice')]).when(pin(last), as('alice')).then([pinned(last, 'alice')]);
    given([...full, deleted(7, 'bob')]).when(pin(last), as('alice')).then([pinned(last, 'alice')]);
  });
});

// ---- state: the bounded message window -----------------------------------------------------------------------

describe('the message window', () => {
  const small = createRoomDecider({ messageWindow: 3 });
  /** team (version 5) plus messages 6..10 from bob, mo, bob, alice, bob. */
  const busy: RoomEvent[] = [...team, sent('bob', 6), sent('mo', 7), sent('bob', 8), sent('alice', 9), sent('bob', 10)];
  const existing = (state: RoomState) => {
    if (!state.exists) throw new Error('expected an existing room');
    return state;
  };
  const edit = (seq: number): RoomCommand => ({ type: 'EditMessage', roomId: R, seq, text: 'edited' });

  it('defaults to 10 000 messages', () => {
    expect(DEFAULT_ROOM_MESSAGE_WINDOW).toBe(10_000);
    expect(roomDecider.initialState().messageWindow).toBe(10_000);
  });

  it('refuses a window that is not a positive integer', () => {
    expect(() => createRoomDecider({ messageWindow: 0 })).toThrow(RangeError);
    expect(() => createRoomDecider({ messageWindow: 1.5 })).toThrow(RangeError);
  });

  it('keeps the window exact over a long stream with other events between the messages', () => {
    // 3,000 messages, each followed by an edit of itself: the start walks over the edits' versions too.
    const long: RoomEvent[] = [...team];
    for (let i = 0; i < 3_000; i++) {
      const seq = 6 + 2 * i;
      long.push(sent(i % 2 === 0 ? 'bob' : 'mo', seq), edited(seq, `edit ${i}`, i % 2 === 0 ? 'bob' : 'mo'));
    }
    const state = existing(stateAfter(small, long));
    const newest = 6 + 2 * 2_999;
    expect([...state.ledger.messages.keys()]).toEqual([newest - 4, newest - 2, newest]);
    // Just past the last evicted message: the edit after it is inside the window.
    expect(state.ledger.messageWindowStart).toBe(newest - 5);
    expect(state.version).toBe(newest + 1);
  });

  it('keeps the facts of the most recent messages only, evicting the oldest', () => {
    const state = existing(stateAfter(small, busy));
    expect([...state.ledger.messages.keys()]).toEqual([8, 9, 10]);
    expect(state.ledger.messageWindowStart).toBe(8);
    expect(state.version).toBe(10);
    expect(state.ledger.messages.get(9)).toEqual({ senderId: 'alice', deleted: false });
  });

  it('stays bounded over a long stream with the default window', () => {
    const messages = Array.from({ length: 12_000 }, (_, i) => sent('bob', 6 + i));
    const state = existing(stateAfter(roomDecider, [...team, ...messages]));
    expect(state.ledger.messages.size).toBe(10_000);
    expect(state.ledger.messageWindowStart).toBe(6 + 2_000);
  });

  it('keeps reactions only for the messages whose facts it holds, and forgets them with those facts', () => {
    const state = existing(stateAfter(small, [...busy, reacted(9, 'bob', '👍'), reacted(6, 'bob', '👍')]));
    expect([...state.ledger.reactions.keys()]).toEqual([9]);
    const later = existing(stateAfter(small, [...busy, reacted(9, 'bob', '👍'), sent('bob', 12), sent('bob', 13)]));
    expect([...later.ledger.messages.keys()]).toEqual([10, 12, 13]);
    expect(later.ledger.reactions.size).toBe(0);
  });

  it('decides reactions to an older message on its injected facts and reactions', () => {
    const state = withMessageFacts(stateAfter(small, busy), 6, {
      senderId: 'bob',
      deleted: false,
      reactions: new Map([['👍', new Set(['mo'])]]),
    });
    const react: RoomCommand = { type: 'AddReaction', roomId: R, seq: 6, emoji: '👍' };
    spec(small).givenState(state).when(react, as('mo')).then([]);
    spec(small).givenState(state).when(react, as('bob')).then([reacted(6, 'bob', '👍')]);
  });

  it('tracks deletions inside the window', () => {
    const state = existing(stateAfter(small, [...busy, deleted(9, 'alice')]));
    expect(state.ledger.messages.get(9)).toEqual({ senderId: 'alice', deleted: true });
    expect(state.version).toBe(11);
  });

  it('says which seqs need a look-up: older than the window, within the stream, not injected', () => {
    const state = stateAfter(small, busy);
    expect(needsMessageLookup(state, 6)).toBe(true);
    expect(needsMessageLookup(state, 7)).toBe(true);
    expect(needsMessageLookup(state, 1)).toBe(true); // unknown: could be anything below the window
    expect(needsMessageLookup(state, 8)).toBe(false); // in the window
    expect(needsMessageLookup(state, 11)).toBe(false); // beyond the stream
    expect(needsMessageLookup(state, 0)).toBe(false);
    expect(needsMessageLookup(state, 1.5)).toBe(false);
    expect(needsMessageLookup(small.initialState(), 1)).toBe(false);
    // Before any eviction the window covers every message, including non-message seqs after RoomCreated.
    expect(needsMessageLookup(stateAfter(small, team), 3)).toBe(false);
  });

  it('answers NO_MESSAGE for a message older than the window when no facts were injected', () => {
    spec(small).given(busy).when(edit(6), as('bob')).thenThrows('NO_MESSAGE', { messageId: 'r1.6' });
  });

  it('decides on injected facts of an older message', () => {
    const state = withMessageFacts(stateAfter(small, busy), 6, { senderId: 'bob', deleted: false });
    expect(needsMessageLookup(state, 6)).toBe(false);
    spec(small).givenState(state).when(edit(6), as('bob')).then([edited(6, 'edited', 'bob')]);
    spec(small).givenState(state).when(edit(6), as('mo')).thenThrows('NOT_SENDER');
    spec(small)
      .givenState(withMessageFacts(stateAfter(small, busy), 6, { senderId: 'bob', deleted: true }))
      .when(edit(6), as('bob'))
      .thenThrows('MESSAGE_DELETED');
  });

  it('does not change the state it was given', () => {
    const state = existing(stateAfter(small, busy));
    const injected = existing(withMessageFacts(state, 6, { senderId: 'bob', deleted: false }));
    expect(state.ledger.messages.has(6)).toBe(false);
    expect(injected.ledger.messages.get(6)).toEqual({ senderId: 'bob', deleted: false });
  });

  it('ignores facts for a seq the window already covers or the stream has not reached', () => {
    const state = stateAfter(small, busy);
    expect(withMessageFacts(state, 8, { senderId: 'mallory', deleted: true })).toBe(state);
    expect(withMessageFacts(state, 11, { senderId: 'mallory', deleted: false })).toBe(state);
    const absent = small.initialState();
    expect(withMessageFacts(absent, 1, { senderId: 'bob', deleted: false })).toBe(absent);
  });

  it('keeps injected facts up to date as events fold in, and within the bound', () => {
    const injected = withMessageFacts(stateAfter(small, busy), 6, { senderId: 'bob', deleted: false });
    // Injecting into a full map makes room by moving the window on.
    expect(existing(injected).ledger.messages.size).toBe(3);
    expect(existing(injected).ledger.messageWindowStart).toBe(9);
    expect(needsMessageLookup(injected, 8)).toBe(true);

    const afterDelete = spec(small)
      .givenState(injected)
      .when({ type: 'DeleteMessage', roomId: R, seq: 6 }, as('bob'))
      .then([deleted(6, 'bob')]);
    expect(existing(afterDelete).ledger.messages.get(6)).toEqual({ senderId: 'bob', deleted: true });
    spec(small).givenState(afterDelete).when(edit(6), as('bob')).thenThrows('MESSAGE_DELETED');

    const later = recorded([sent('mo', 12), sent('mo', 13)], { fromVersion: 12 }).reduce(small.evolve, afterDelete);
    const state = existing(later);
    // Eviction goes by insertion order: window messages 9 and 10 go first, the injected fact for 6 stays for now.
    expect([...state.ledger.messages.keys()]).toEqual([6, 12, 13]);
    expect(state.ledger.messageWindowStart).toBe(11);
    expect(needsMessageLookup(state, 10)).toBe(true);
    expect(needsMessageLookup(state, 11)).toBe(false); // the MessageDeleted event: in the window, not a message
  });
});

// ---- state: folding ------------------------------------------------------------------------------------------

describe('evolve', () => {
  it('builds the room from its events', () => {
    const state = stateAfter(roomDecider, [...chat, removed('bob', 'alice'), edited(7, 'changed', 'mo')]);
    if (!state.exists) throw new Error('expected an existing room');
    expect(state).toMatchObject({ roomId: R, kind: 'private', name: 'Team', createdBy: 'alice', version: 10 });
    expect([...state.ledger.members]).toEqual([
      ['alice', 'owner'],
      ['mo', 'moderator'],
    ]);
    expect(state.ledger.messages.get(7)).toEqual({ senderId: 'mo', deleted: false });
  });

  it('ignores events that make no sense for the state, but counts their versions', () => {
    const state = stateAfter(roomDecider, [
      joined('ghost'),
      created('public'),
      created('private', 'eve'),
      roleChanged('nobody', 'owner', 'eve'),
    ]);
    if (!state.exists) throw new Error('expected an existing room');
    expect(state).toMatchObject({ kind: 'public', createdBy: 'alice', version: 4 });
    expect(state.ledger.members.size).toBe(0);
  });

  it('leaves an older state object harmless when it is evolved again over events already folded', () => {
    // A cache may keep a state, evolve it to the head, drop the result (the command was refused) and later
    // evolve the same object over the same events again: the shared ledger must not apply them twice.
    const small = createRoomDecider({ messageWindow: 2 });
    const stale = stateAfter(small, chat); // version 8, messages 7 and 8
    const newer = recorded(
      [left('bob'), sent('mo', 10), joined('bob'), sent('alice', 12), sent('mo', 13), deleted(12, 'mo')],
      { fromVersion: 9 },
    );
    const first = newer.reduce(small.evolve, stale);
    const again = newer.reduce(small.evolve, stale);
    for (const state of [first, again]) {
      if (!state.exists) throw new Error('expected an existing room');
      expect(state.version).toBe(14);
      expect([...state.ledger.members]).toEqual([
        ['alice', 'owner'],
        ['mo', 'moderator'],
        ['bob', 'member'],
      ]);
      expect([...state.ledger.messages]).toEqual([
        [12, { senderId: 'alice', deleted: true }],
        [13, { senderId: 'mo', deleted: false }],
      ]);
      expect(state.ledger.messageWindowStart).toBe(11);
      expect(needsMessageLookup(state, 10)).toBe(true);
      expect(needsMessageLookup(state, 11)).toBe(false);
    }
  });
});
