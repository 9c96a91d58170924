import type { CategoryExecutors } from '../../src/commands/commandExecutors.js';
import type { ChatCommand } from '../../src/commands/commands.js';
import type { CommandResult } from '../../src/commands/commandExecutor.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../../src/commands/decider.js';
import type { CategoryName, CommandOf } from '../../src/commands/streamCategories.js';
import { GATEWAY_REPORTER } from '../../src/commands/deliveries/gatewayReporter.js';
import { FILE_SWEEPER } from '../../src/commands/files/fileDecider.js';
import {
  deliveriesStreamId,
  fileStreamId,
  friendshipStreamId,
  receiptsStreamId,
  roomStreamId,
  userStreamId,
  usernameStreamId,
} from '../../src/domain/ids.js';
import { identityStreamId } from '../../src/domain/identities.js';
import type { ChatEvent } from '../../src/events/chatEvents.js';
import type { UserRole } from '../../src/events/chatEvents.js';

// One sample of every command type, keyed by the type: a command added to src/commands/commands.ts without a
// sample here fails the typecheck, and test/commands/everyCommand.int.test.ts runs each sample through the
// embedded command bus and through the Kafka command processor (the commands topic, its schema, the category's
// writer). Each sample says what it needs first (`given`) and which events it appends.

/** One command sent to its category's single writer, by an actor of some role. */
export type CommandStep = {
  [K in CategoryName]: { category: K; streamId: string; command: CommandOf<K>; actor: { userId: string; role: UserRole } };
}[CategoryName];

export interface CommandSample {
  given: CommandStep[];
  when: CommandStep;
  then: ChatEvent['type'][];
}

/** Every command type's sample; `id` makes the users, rooms and streams of one run its own. */
export function sampleCommands(id: (name: string) => string): { [T in ChatCommand['type']]: CommandSample } {
  const alice = id('alice');
  const bob = id('bob');
  const admin = { userId: id('admin'), role: 'admin' } as const;
  const auditor = { userId: id('auditor'), role: 'auditor' } as const;
  const asAlice = { userId: alice, role: 'user' } as const;
  const asBob = { userId: bob, role: 'user' } as const;
  const room = id('room');

  const register = (userId: string, username: string): CommandStep => ({
    category: 'users',
    streamId: userStreamId(userId),
    actor: { userId, role: 'user' },
    command: { type: 'RegisterUser', userId, username, email: `${username}@example.com`, displayName: username, passwordHash: '$argon2id$v=19$sample', role: 'user' },
  });
  const user = (actor: CommandStep['actor'], command: CommandOf<'users'>): CommandStep => ({
    category: 'users',
    streamId: userStreamId(command.userId),
    actor,
    command,
  });
  const inRoom = (actor: CommandStep['actor'], command: CommandOf<'rooms'>): CommandStep => ({
    category: 'rooms',
    streamId: roomStreamId(command.roomId),
    actor,
    command,
  });
  const receipt = (command: CommandOf<'receipts'>): CommandStep => ({
    category: 'receipts',
    streamId: receiptsStreamId(command.userId),
    actor: { userId: command.userId, role: 'user' },
    command,
  });
  const friends = (command: CommandOf<'friendships'>): CommandStep => ({
    category: 'friendships',
    streamId: friendshipStreamId(command.userId, command.otherUserId),
    actor: { userId: command.userId, role: 'user' },
    command,
  });

  const createPublic = inRoom(asAlice, { type: 'CreateRoom', roomId: room, name: 'General', kind: 'public', memberIds: [] });
  const createPrivate = inRoom(asAlice, { type: 'CreateRoom', roomId: room, name: 'Team', kind: 'private', memberIds: [] });
  const addBob = inRoom(asAlice, { type: 'AddMember', roomId: room, userId: bob });
  // RoomCreated is version 1 and the owner's MemberJoined version 2, so the first message is seq 3.
  const hello = inRoom(asAlice, { type: 'SendMessage', roomId: room, text: 'hello', clientMessageId: id('m1') });
  const askBob = friends({ type: 'RequestFriend', userId: alice, otherUserId: bob });
  const aliceAtGitHub = { provider: 'github', subject: id('alice-at-github') };
  const identityStep = (command: CommandOf<'identities'>): CommandStep => ({
    category: 'identities',
    streamId: identityStreamId(command),
    actor: { userId: command.userId, role: 'user' },
    command,
  });
  const claimAlicesIdentity = identityStep({ type: 'ClaimIdentity', ...aliceAtGitHub, userId: alice });
  const linkAlicesIdentity = user(asAlice, { type: 'LinkIdentity', userId: alice, ...aliceAtGitHub });
  const file = id('file');
  const sha256 = 'ab'.repeat(32);
  const upload: CommandStep = {
    category: 'files',
    streamId: fileStreamId(file),
    actor: asAlice,
    command: {
      type: 'RecordFileUpload',
      fileId: file,
      name: 'cat photo.png',
      contentType: 'image/png',
      size: 1234,
      sha256,
      width: 640,
      height: 480,
      thumbnail: true,
    },
  };

  return {
    ClaimUsername: {
      given: [],
      when: { category: 'usernames', streamId: usernameStreamId(alice), actor: asAlice, command: { type: 'ClaimUsername', username: alice, userId: alice } },
      then: ['UsernameClaimed'],
    },
    RegisterUser: { given: [], when: register(alice, alice), then: ['UserRegistered'] },
    ChangeUserRole: {
      given: [register(bob, bob)],
      when: user(admin, { type: 'ChangeUserRole', userId: bob, role: 'analyst' }),
      then: ['UserRoleChanged'],
    },
    RevokeUserRole: {
      given: [register(bob, bob), user(admin, { type: 'ChangeUserRole', userId: bob, role: 'analyst' })],
      when: user(admin, { type: 'RevokeUserRole', userId: bob, role: 'analyst' }),
      then: ['UserRoleChanged'],
    },
    ErasePersonalData: {
      given: [register(bob, bob)],
      when: user(admin, { type: 'ErasePersonalData', userId: bob }),
      then: ['PersonalDataErased'],
    },
    UpdateProfile: {
      given: [register(alice, alice)],
      when: user(asAlice, { type: 'UpdateProfile', userId: alice, statusText: 'here', avatarFileId: file }),
      then: ['ProfileUpdated'],
    },
    ChangePassword: {
      given: [register(alice, alice)],
      when: user(asAlice, { type: 'ChangePassword', userId: alice, passwordHash: '$argon2id$v=19$new' }),
      then: ['PasswordChanged'],
    },
    LinkIdentity: {
      given: [register(alice, alice), claimAlicesIdentity],
      when: linkAlicesIdentity,
      then: ['IdentityLinked'],
    },
    UnlinkIdentity: {
      given: [register(alice, alice), claimAlicesIdentity, linkAlicesIdentity],
      when: user(asAlice, { type: 'UnlinkIdentity', userId: alice, provider: 'github' }),
      then: ['IdentityUnlinked'],
    },
    ClaimIdentity: { given: [], when: claimAlicesIdentity, then: ['IdentityClaimed'] },
    ReleaseIdentity: {
      given: [claimAlicesIdentity],
      when: identityStep({ type: 'ReleaseIdentity', ...aliceAtGitHub, userId: alice }),
      then: ['IdentityReleased'],
    },
    CreateRoom: { given: [], when: createPublic, then: ['RoomCreated', 'MemberJoined'] },
    JoinRoom: { given: [createPublic], when: inRoom(asBob, { type: 'JoinRoom', roomId: room }), then: ['MemberJoined'] },
    LeaveRoom: {
      given: [createPublic, inRoom(asBob, { type: 'JoinRoom', roomId: room })],
      when: inRoom(asBob, { type: 'LeaveRoom', roomId: room }),
      then: ['MemberLeft'],
    },
    AddMember: { given: [createPrivate], when: addBob, then: ['MemberJoined'] },
    RemoveMember: {
      given: [createPrivate, addBob],
      when: inRoom(asAlice, { type: 'RemoveMember', roomId: room, userId: bob }),
      then: ['MemberRemoved'],
    },
    ChangeMemberRole: {
      given: [createPrivate, addBob],
      when: inRoom(asAlice, { type: 'ChangeMemberRole', roomId: room, userId: bob, role: 'moderator' }),
      then: ['MemberRoleChanged'],
    },
    SendMessage: {
      given: [createPublic],
      // A picture with no words: the attachment's facts are what the edge looked up in the history view.
      when: inRoom(asAlice, {
        type: 'SendMessage',
        roomId: room,
        text: '',
        clientMessageId: id('m-picture'),
        attachments: [
          {
            fileId: file,
            name: 'cat photo.png',
            contentType: 'image/png',
            size: 1234,
            sha256,
            width: 640,
            height: 480,
            thumbnail: true,
            uploadedBy: alice,
            readableByActor: false,
          },
        ],
      }),
      then: ['MessageSent'],
    },
    EditMessage: {
      given: [createPublic, hello],
      when: inRoom(asAlice, { type: 'EditMessage', roomId: room, seq: 3, text: 'hello again' }),
      then: ['MessageEdited'],
    },
    DeleteMessage: {
      given: [createPublic, hello],
      when: inRoom(asAlice, { type: 'DeleteMessage', roomId: room, seq: 3 }),
      then: ['MessageDeleted'],
    },
    AddReaction: {
      given: [createPublic, hello],
      when: inRoom(asAlice, { type: 'AddReaction', roomId: room, seq: 3, emoji: '👍' }),
      then: ['ReactionAdded'],
    },
    RemoveReaction: {
      given: [createPublic, hello, inRoom(asAlice, { type: 'AddReaction', roomId: room, seq: 3, emoji: '👍' })],
      when: inRoom(asAlice, { type: 'RemoveReaction', roomId: room, seq: 3, emoji: '👍' }),
      then: ['ReactionRemoved'],
    },
    UpdateRoomSettings: {
      given: [createPublic],
      when: inRoom(asAlice, { type: 'UpdateRoomSettings', roomId: room, name: 'renamed', topic: 'a topic' }),
      then: ['RoomRenamed', 'RoomTopicChanged'],
    },
    PinMessage: {
      given: [createPublic, hello],
      when: inRoom(asAlice, { type: 'PinMessage', roomId: room, seq: 3 }),
      then: ['MessagePinned'],
    },
    UnpinMessage: {
      given: [createPublic, hello, inRoom(asAlice, { type: 'PinMessage', roomId: room, seq: 3 })],
      when: inRoom(asAlice, { type: 'UnpinMessage', roomId: room, seq: 3 }),
      then: ['MessageUnpinned'],
    },
    AdvanceDeliveryMarker: {
      given: [],
      when: receipt({ type: 'AdvanceDeliveryMarker', userId: bob, roomId: room, seq: 3 }),
      then: ['MessagesDelivered'],
    },
    AdvanceReadMarker: {
      given: [],
      when: receipt({ type: 'AdvanceReadMarker', userId: bob, roomId: room, seq: 3 }),
      then: ['MessagesRead'],
    },
    RecordDeliveries: {
      given: [],
      when: {
        category: 'deliveries',
        streamId: deliveriesStreamId(room),
        actor: GATEWAY_REPORTER,
        command: { type: 'RecordDeliveries', roomId: room, markers: [{ userId: alice, seq: 4 }, { userId: bob, seq: 3 }] },
      },
      then: ['DeliveriesRecorded'],
    },
    RecordAuditRead: {
      given: [],
      when: {
        category: 'audit',
        streamId: `audit-${auditor.userId}`,
        actor: auditor,
        command: {
          type: 'RecordAuditRead',
          read: { auditorId: auditor.userId, kind: 'streamEvents', streamId: roomStreamId(room), messageId: null, fromVersion: 1, limit: 50, returned: 0 },
        },
      },
      then: ['AuditLogRead'],
    },
    RequestFriend: { given: [], when: askBob, then: ['FriendRequested'] },
    AcceptFriendRequest: {
      given: [askBob],
      when: friends({ type: 'AcceptFriendRequest', userId: bob, otherUserId: alice }),
      then: ['FriendRequestAccepted'],
    },
    RejectFriendRequest: {
      given: [askBob],
      when: friends({ type: 'RejectFriendRequest', userId: bob, otherUserId: alice }),
      then: ['FriendRequestRejected'],
    },
    CancelFriendRequest: {
      given: [askBob],
      when: friends({ type: 'CancelFriendRequest', userId: alice, otherUserId: bob }),
      then: ['FriendRequestCancelled'],
    },
    RemoveFriend: {
      given: [askBob, friends({ type: 'AcceptFriendRequest', userId: bob, otherUserId: alice })],
      when: friends({ type: 'RemoveFriend', userId: alice, otherUserId: bob }),
      then: ['FriendRemoved'],
    },
    RecordFileUpload: { given: [], when: upload, then: ['FileUploaded'] },
    DiscardFile: {
      given: [upload],
      when: { category: 'files', streamId: fileStreamId(file), actor: FILE_SWEEPER, command: { type: 'DiscardFile', fileId: file } },
      then: ['FileDiscarded'],
    },
    RecordAssistantUsage: {
      given: [],
      when: {
        category: 'assistantUsage',
        streamId: 'assistant-usage-u-helper',
        actor: { userId: 'u-helper', role: 'user' },
        command: { type: 'RecordAssistantUsage', assistantId: 'u-helper', roomId: 'r1', messageId: 'r1.2', askerId: alice, model: 'gpt-4o-mini', promptTokens: 10, completionTokens: 3 },
      },
      then: ['AssistantUsageRecorded'],
    },
    ConfigureAssistant: {
      given: [register(bob, bob)],
      when: user(admin, { type: 'ConfigureAssistant', userId: bob, systemPrompt: 'Be brief.', model: '', allowedRoomIds: [] }),
      then: ['AssistantConfigured'],
    },
    BlockUser: {
      given: [register(alice, alice)],
      when: user(asAlice, { type: 'BlockUser', userId: alice, blockedUserId: bob }),
      then: ['UserBlocked'],
    },
    UnblockUser: {
      given: [register(alice, alice), user(asAlice, { type: 'BlockUser', userId: alice, blockedUserId: bob })],
      when: user(asAlice, { type: 'UnblockUser', userId: alice, blockedUserId: bob }),
      then: ['UserUnblocked'],
    },
  };
}

/** Runs one step on its category's executor, as the use cases do. */
export function runStep(executors: CategoryExecutors, step: CommandStep, commandId: string): Promise<CommandResult> {
  return runOn(executors, step, commandId);
}

function runOn<K extends CategoryName>(
  executors: CategoryExecutors,
  step: { category: K; streamId: string; command: CommandOf<K>; actor: CommandStep['actor'] },
  commandId: string,
): Promise<CommandResult> {
  const context: DecisionContext = { actor: step.actor, limits: DEFAULT_LIMITS };
  const executor: CategoryExecutors[K] = executors[step.category];
  return executor.execute(step.streamId, step.command, context, { commandId, correlationId: commandId });
}
