import { describe, it } from 'vitest';
import type { MessageDeleted, MessageSent, RoomEvent } from '../../../src/events/chatEvents.js';
import type { RoomCommand } from '../../../src/commands/commands.js';
import { createRoomDecider, roomDecider } from '../../../src/commands/room/roomDecider.js';
import { withMessageFacts } from '../../../src/commands/room/roomState.js';
import { messageIdOf } from '../../../src/domain/ids.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// Replies and threads (#17), decided by the room stream's SendMessage: given events / when command / then events.

const R = 'r1';
const sent = (senderId: string, seq: number, thread?: { replyTo: number; threadId: number }): MessageSent => ({
  type: 'MessageSent',
  data: {
    roomId: R,
    messageId: messageIdOf(R, seq),
    senderId,
    text: `message ${seq}`,
    clientMessageId: `client-${seq}`,
    ...(thread === undefined
      ? {}
      : { replyTo: messageIdOf(R, thread.replyTo), threadId: messageIdOf(R, thread.threadId) }),
  },
});
const deleted = (seq: number, deletedBy: string): MessageDeleted => ({
  type: 'MessageDeleted',
  data: { roomId: R, messageId: messageIdOf(R, seq), deletedBy },
});

/** alice owns a private room with bob; bob said 4, alice replied 5 to it, bob replied 6 to alice's reply. */
const threaded: RoomEvent[] = [
  { type: 'RoomCreated', data: { roomId: R, name: 'Team', kind: 'private', createdBy: 'alice' } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'alice', role: 'owner', addedBy: null } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'bob', role: 'member', addedBy: 'alice' } },
  sent('bob', 4),
  sent('alice', 5, { replyTo: 4, threadId: 4 }),
  sent('bob', 6, { replyTo: 5, threadId: 4 }),
];

const reply = (replyTo: number, text = 'reply', clientMessageId = 'c-1'): RoomCommand => ({
  type: 'SendMessage',
  roomId: R,
  text,
  clientMessageId,
  replyTo,
});
const replyEvent = (senderId: string, seq: number, replyTo: number, threadId: number): MessageSent => ({
  type: 'MessageSent',
  data: {
    roomId: R,
    messageId: messageIdOf(R, seq),
    senderId,
    text: 'reply',
    clientMessageId: 'c-1',
    replyTo: messageIdOf(R, replyTo),
    threadId: messageIdOf(R, threadId),
  },
});

describe('SendMessage with replyTo', () => {
  it('starts a thread under a message that is no reply: the thread is that message', () => {
    spec(roomDecider).given(threaded.slice(0, 4)).when(reply(4), as('alice')).then([replyEvent('alice', 5, 4, 4)]);
  });

  it('puts a reply to a reply in the thread of its root', () => {
    spec(roomDecider).given(threaded).when(reply(6), as('alice')).then([replyEvent('alice', 7, 6, 4)]);
    spec(roomDecider).given(threaded).when(reply(5), as('bob')).then([replyEvent('bob', 7, 5, 4)]);
  });

  it('refuses a reply to a message the room does not have, or to a deleted one, with NO_MESSAGE', () => {
    spec(roomDecider).given(threaded).when(reply(99), as('bob')).thenThrows('NO_MESSAGE', { messageId: 'r1.99' });
    // Seq 2 is a MemberJoined, not a message.
    spec(roomDecider).given(threaded).when(reply(2), as('bob')).thenThrows('NO_MESSAGE');
    spec(roomDecider).given([...threaded, deleted(5, 'alice')]).when(reply(5), as('bob')).thenThrows('NO_MESSAGE');
  });

  it("keeps a thread going under a deleted root: a reply to its standing reply joins the root's thread", () => {
    spec(roomDecider)
      .given([...threaded, deleted(4, 'bob')])
      .when(reply(6), as('alice'))
      .then([replyEvent('alice', 8, 6, 4)]);
  });

  it('refuses a non-member with NOT_MEMBER before saying anything about the message', () => {
    spec(roomDecider).given(threaded).when(reply(99), as('carol')).thenThrows('NOT_MEMBER');
  });

  it('checks the text of a reply like any other', () => {
    spec(roomDecider).given(threaded).when(reply(4, '   '), as('bob')).thenThrows('EMPTY_CONTENT');
  });

  it("answers a message older than the state's window on its injected facts, thread included", () => {
    const small = createRoomDecider({ messageWindow: 1 });
    // Only message 6's facts are held; 5 (a reply in 4's thread) and 4 are older than the window.
    const state = stateAfter(small, threaded);
    spec(small).givenState(state).when(reply(5), as('bob')).thenThrows('NO_MESSAGE');
    const injected = withMessageFacts(state, 5, { senderId: 'alice', deleted: false, threadSeq: 4 });
    spec(small).givenState(injected).when(reply(5), as('bob')).then([replyEvent('bob', 7, 5, 4)]);
  });
});

describe('SendMessage with mentions', () => {
  const mentioning = (mentions: string[]): RoomCommand => ({
    type: 'SendMessage',
    roomId: R,
    text: 'hi all',
    clientMessageId: 'c-m',
    mentions,
  });
  const sentWith = (mentions?: string[]): MessageSent => ({
    type: 'MessageSent',
    data: {
      roomId: R,
      messageId: messageIdOf(R, 7),
      senderId: 'bob',
      text: 'hi all',
      clientMessageId: 'c-m',
      ...(mentions === undefined ? {} : { mentions }),
    },
  });

  it('keeps the named users who are members now, each once, in the order named', () => {
    spec(roomDecider).given(threaded).when(mentioning(['alice', 'alice']), as('bob')).then([sentWith(['alice'])]);
  });

  it('leaves out non-members and the sender: naming them is plain text', () => {
    spec(roomDecider).given(threaded).when(mentioning(['carol', 'bob']), as('bob')).then([sentWith()]);
    const aliceLeft: RoomEvent[] = [...threaded, { type: 'MemberLeft', data: { roomId: R, userId: 'alice' } }];
    spec(roomDecider)
      .given(aliceLeft)
      .when(mentioning(['alice']), as('bob'))
      .then([{ ...sentWith(), data: { ...sentWith().data, messageId: messageIdOf(R, 8) } }]);
  });
});
