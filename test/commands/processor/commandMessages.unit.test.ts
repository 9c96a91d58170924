import { describe, expect, it } from 'vitest';
import { MAX_MARKERS_PER_COMMAND, type UserCommand } from '../../../src/commands/commands.js';
import { DEFAULT_LIMITS } from '../../../src/commands/decider.js';
import {
  encodeCommand,
  encodeReply,
  parseCommand,
  parseReply,
  type CommandEnvelope,
  type CommandReply,
} from '../../../src/commands/processor/commandMessages.js';

const envelope: CommandEnvelope = {
  v: 1,
  commandId: 'c-1',
  correlationId: 'k-1',
  streamId: 'room-r1',
  context: { actor: { userId: 'alice', role: 'user' }, limits: DEFAULT_LIMITS },
  body: { category: 'rooms', command: { type: 'EditMessage', roomId: 'r1', seq: 3, text: 'fixed' } },
};

describe('command messages', () => {
  it('carry a command through JSON unchanged', () => {
    expect(parseCommand(encodeCommand(envelope))).toEqual({ ok: true, envelope });
  });

  it('carry the self-service user commands: a partial profile (a null avatar stays null) and a password hash', () => {
    const user = (command: UserCommand): CommandEnvelope => ({ ...envelope, streamId: 'user-alice', body: { category: 'users', command } });
    const commands: UserCommand[] = [
      { type: 'UpdateProfile', userId: 'alice', avatarUrl: null },
      { type: 'UpdateProfile', userId: 'alice', displayName: 'Alice', statusText: '' },
      { type: 'ChangePassword', userId: 'alice', passwordHash: '$argon2id$v=19$x' },
    ];
    for (const command of commands) {
      expect(parseCommand(encodeCommand(user(command)))).toEqual({ ok: true, envelope: user(command) });
    }
    const bad = { ...user({ type: 'UpdateProfile', userId: 'alice' }), body: { category: 'users', command: { type: 'UpdateProfile', userId: 'alice', statusText: 7 } } };
    expect(parseCommand(Buffer.from(JSON.stringify(bad)))).toMatchObject({ ok: false, commandId: 'c-1' });
  });

  it('carry every friendship command, and refuse one without the other user', () => {
    const types = ['RequestFriend', 'AcceptFriendRequest', 'RejectFriendRequest', 'CancelFriendRequest', 'RemoveFriend'] as const;
    for (const type of types) {
      const friend: CommandEnvelope = {
        ...envelope,
        streamId: 'friendship-alice-bob',
        body: { category: 'friendships', command: { type, userId: 'alice', otherUserId: 'bob' } },
      };
      expect(parseCommand(encodeCommand(friend))).toEqual({ ok: true, envelope: friend });
    }
    const bad = { ...envelope, body: { category: 'friendships', command: { type: 'RequestFriend', userId: 'alice' } } };
    expect(parseCommand(Buffer.from(JSON.stringify(bad)))).toMatchObject({ ok: false, commandId: 'c-1' });
  });

  it("carry a room's delivery report, and refuse an empty, oversized or repetitive one or a bad seq", () => {
    const deliveries = (markers: { userId: string; seq: number }[]): CommandEnvelope => ({
      ...envelope,
      streamId: 'deliveries-r1',
      context: { actor: { userId: 'system:gateway', role: 'user' }, limits: DEFAULT_LIMITS },
      body: { category: 'deliveries', command: { type: 'RecordDeliveries', roomId: 'r1', markers } },
    });
    const good = deliveries([
      { userId: 'alice', seq: 3 },
      { userId: 'bob', seq: 2 ** 40 },
    ]);
    expect(parseCommand(encodeCommand(good))).toEqual({ ok: true, envelope: good });
    const many = (count: number) => Array.from({ length: count }, (_, index) => ({ userId: `u-${index}`, seq: 1 }));
    expect(parseCommand(encodeCommand(deliveries(many(MAX_MARKERS_PER_COMMAND))))).toMatchObject({ ok: true });
    for (const markers of [
      [],
      many(MAX_MARKERS_PER_COMMAND + 1),
      [
        { userId: 'alice', seq: 3 },
        { userId: 'alice', seq: 4 },
      ],
      [{ userId: 'alice', seq: 0 }],
      [{ userId: 'alice', seq: 1.5 }],
      [{ userId: 'alice', seq: 2 ** 53 }],
    ]) {
      expect(parseCommand(encodeCommand(deliveries(markers))), JSON.stringify(markers).slice(0, 80)).toMatchObject({
        ok: false,
        commandId: 'c-1',
      });
    }
  });

  it('refuse a command of one category dressed as another, naming the problem and keeping the id', () => {
    const wrong = { ...envelope, body: { category: 'receipts', command: envelope.body.command } };
    const parsed = parseCommand(Buffer.from(JSON.stringify(wrong)));
    expect(parsed).toMatchObject({ ok: false, commandId: 'c-1' });
    expect(parsed.ok ? '' : parsed.problem).toMatch(/body\.command/);
  });

  it('refuse bad shapes: a non-integer seq, an unknown role, extra-long ids', () => {
    const cases = [
      { ...envelope, body: { category: 'rooms', command: { type: 'DeleteMessage', roomId: 'r1', seq: 1.5 } } },
      { ...envelope, context: { ...envelope.context, actor: { userId: 'alice', role: 'root' } } },
      { ...envelope, streamId: 'x'.repeat(201) },
      { ...envelope, v: 2 },
    ];
    for (const value of cases) expect(parseCommand(Buffer.from(JSON.stringify(value)))).toMatchObject({ ok: false, commandId: 'c-1' });
  });

  it('refuse what is not JSON or has no command id, with no id to answer', () => {
    expect(parseCommand(Buffer.from('{"v":1'))).toMatchObject({ ok: false, commandId: undefined });
    expect(parseCommand(null)).toMatchObject({ ok: false, commandId: undefined });
    expect(parseCommand(Buffer.from('{"v":1}'))).toMatchObject({ ok: false, commandId: undefined });
  });

  it('carry both kinds of reply, and read anything else as no reply', () => {
    const accepted: CommandReply = {
      v: 1,
      commandId: 'c-1',
      streamId: 'room-r1',
      replayed: false,
      outcome: { status: 'accepted', events: [{ partition: 2, position: 17 }] },
    };
    const rejected: CommandReply = {
      v: 1,
      commandId: 'c-2',
      streamId: 'room-r1',
      replayed: true,
      outcome: { status: 'rejected', code: 'NOT_SENDER', message: 'only the sender edits a message', details: { roomId: 'r1' } },
    };
    expect(parseReply(encodeReply(accepted))).toEqual(accepted);
    expect(parseReply(encodeReply(rejected))).toEqual(rejected);
    expect(parseReply(Buffer.from('nope'))).toBeUndefined();
    expect(parseReply(Buffer.from(JSON.stringify({ ...rejected, outcome: { ...rejected.outcome, code: 'not a code' } })))).toBeUndefined();
    expect(parseReply(Buffer.from(JSON.stringify({ ...accepted, outcome: { status: 'accepted', events: [{ partition: 0, position: 0 }] } })))).toBeUndefined();
  });
});
