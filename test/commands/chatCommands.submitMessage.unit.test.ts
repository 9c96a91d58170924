import { describe, expect, it } from 'vitest';
import type { AccessPrincipal } from '../../src/auth/accessTokens.js';
import { ChatCommands, type ChatCommandsDeps } from '../../src/commands/chatCommands.js';
import type { CommandExecutor, CommandMetadata, CommandResult } from '../../src/commands/commandExecutor.js';
import type { RoomCommand } from '../../src/commands/commands.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { CommandRejectedError } from '../../src/domain/errors.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { MessageSent } from '../../src/events/roomEvents.js';
import { recorded } from '../support/deciderSpecification.js';

// ChatCommands.submitMessage resolves when the room's writer has fixed the message's place, before its outcome, so
// the gateway can hand a connection's next send over meanwhile (the distributed mode's pipelining, #14). Fakes for
// the executor and the view: what is checked is only the order of the promises.

const alice: AccessPrincipal = { userId: 'u-alice', role: 'user' } as AccessPrincipal;

/** An executor that queues each command at once and answers only when the test says so. */
class HeldExecutor implements CommandExecutor<RoomCommand> {
  readonly held: { metadata: CommandMetadata; answer: (result: CommandResult) => void; refuse: (error: unknown) => void }[] = [];
  /** False: behaves like the embedded writer, which decides before it answers and never calls onQueued. */
  constructor(private readonly queues: boolean) {}

  execute(_streamId: string, _command: RoomCommand, _context: unknown, metadata: CommandMetadata): Promise<CommandResult> {
    return new Promise((answer, refuse) => {
      this.held.push({ metadata, answer, refuse });
      if (this.queues) metadata.onQueued?.();
    });
  }
}

function sentAt(seq: number): CommandResult {
  const event: MessageSent = { type: 'MessageSent', data: { roomId: 'r1', messageId: `r1.${seq}`, senderId: alice.userId, text: 'hi', clientMessageId: `c${seq}` } };
  return { events: recorded([event], { streamId: 'room-r1', fromVersion: seq }), replayed: false };
}

function commandsWith(rooms: HeldExecutor, views: Checkpoint[]): ChatCommands {
  const deps = {
    log: { findByCommandId: async () => [] },
    history: { getUserByUsername: async () => undefined },
    rooms,
    sendLimiter: { consume: async () => undefined },
    limits: DEFAULT_LIMITS,
    waitForHistory: async (target: Checkpoint) => void views.push(target),
  } as unknown as ChatCommandsDeps;
  return new ChatCommands(deps);
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('ChatCommands.submitMessage', () => {
  it('resolves once the writer has queued the send, and its outcome follows with the message and its view wait', async () => {
    const rooms = new HeldExecutor(true);
    const views: Checkpoint[] = [];
    const commands = commandsWith(rooms, views);

    const submitted = await commands.submitMessage(alice, { roomId: 'r1', text: 'hi', clientMessageId: 'c7' }, 'corr');
    let settled = false;
    void submitted.accepted.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    expect(rooms.held).toHaveLength(1);
    expect(rooms.held[0]?.metadata.commandId).toBe('send:u-alice:c7');

    rooms.held[0]?.answer(sentAt(7));
    const accepted = await submitted.accepted;
    expect(accepted).toMatchObject({ roomId: 'r1', seq: 7, messageId: 'r1.7', replayed: false });
    await accepted.visible;
    expect(views).toHaveLength(1);
  });

  it('hands a rejection decided after queueing to `accepted`, not to the submit', async () => {
    const rooms = new HeldExecutor(true);
    const commands = commandsWith(rooms, []);
    const submitted = await commands.submitMessage(alice, { roomId: 'r1', text: 'hi', clientMessageId: 'c8' }, 'corr');
    rooms.held[0]?.refuse(new CommandRejectedError('NOT_MEMBER', 'not a member'));
    await expect(submitted.accepted).rejects.toMatchObject({ code: 'NOT_MEMBER' });
  });

  it('waits for the outcome when the writer never says it queued (the embedded writer decides first)', async () => {
    const rooms = new HeldExecutor(false);
    const commands = commandsWith(rooms, []);
    let submittedYet = false;
    const submitting = commands.submitMessage(alice, { roomId: 'r1', text: 'hi', clientMessageId: 'c9' }, 'corr').then((submitted) => {
      submittedYet = true;
      return submitted;
    });
    await flush();
    expect(submittedYet).toBe(false);
    rooms.held[0]?.answer(sentAt(9));
    await expect((await submitting).accepted).resolves.toMatchObject({ seq: 9 });
  });

  it('refuses the submit itself when the writer fails before queueing', async () => {
    const rooms = new HeldExecutor(false);
    const commands = commandsWith(rooms, []);
    const submitting = commands.submitMessage(alice, { roomId: 'r1', text: 'hi', clientMessageId: 'c10' }, 'corr');
    await flush();
    rooms.held[0]?.refuse(new CommandRejectedError('NO_ROOM', 'no such room'));
    await expect(submitting).rejects.toMatchObject({ code: 'NO_ROOM' });
  });
});
