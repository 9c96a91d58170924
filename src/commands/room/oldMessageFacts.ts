import { messageIdOf, parseMessageId } from '../../domain/ids.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { PrepareState } from '../commandExecutor.js';
import type { RoomCommand } from '../commands.js';
import { needsMessageLookup, withMessageFacts, type RoomState } from './roomState.js';

/** The commands about one existing message, whose facts an old message needs looked up. */
const NEEDS_FACTS: ReadonlySet<RoomCommand['type']> = new Set([
  'EditMessage',
  'DeleteMessage',
  'AddReaction',
  'RemoveReaction',
  'PinMessage',
  'UnpinMessage',
  'SendMessage',
]);

/** Events read per page while looking for a delete of an old message. */
const PAGE = 1000;

/**
 * The room state keeps facts of recent messages only; an edit or delete of an older one looks them up here. From
 * the log, never from the history view: the writer (embedded bus or Kafka command processor) must not depend on a
 * read model, which may lag behind or run in another process. The message's seq is its stream version, so its
 * MessageSent is one indexed read; whether it was deleted since needs the events after it (rare: older than the
 * state's window, typically thousands of messages back). A reaction to an old message also folds that message's
 * reactions from the same walk, so the decider knows whether the reaction exists and how many emoji it has.
 */
export function oldMessageFactsFromLog(log: Pick<EventLog, 'readStream'>): PrepareState<RoomCommand, RoomState> {
  return async (state, command, streamId) => {
    const seq = messageSeqOf(command);
    if (!NEEDS_FACTS.has(command.type) || seq === undefined) return state;
    if (!state.exists || !needsMessageLookup(state, seq)) return state;
    const [sent] = await log.readStream(streamId, { fromVersion: seq, limit: 1 });
    if (sent?.type !== 'MessageSent' || sent.streamVersion !== seq) return state;
    const messageId = messageIdOf(state.roomId, seq);
    // Reactions matter only to reaction commands, and only while the message stands: a delete ends the walk.
    const foldReactions = command.type === 'AddReaction' || command.type === 'RemoveReaction';
    const reactions = new Map<string, Set<string>>();
    let deleted = false;
    for (let from = seq + 1; from <= state.version && !deleted; from += PAGE) {
      const page = await log.readStream(streamId, { fromVersion: from, limit: PAGE });
      if (page.length === 0) break;
      for (const event of page) {
        if (event.type === 'MessageDeleted' && event.data.messageId === messageId) deleted = true;
        if (!foldReactions || deleted) continue;
        if ((event.type === 'ReactionAdded' || event.type === 'ReactionRemoved') && event.data.messageId === messageId) {
          const users = reactions.get(event.data.emoji) ?? new Set<string>();
          if (event.type === 'ReactionAdded') users.add(event.data.userId);
          else users.delete(event.data.userId);
          if (users.size > 0) reactions.set(event.data.emoji, users);
          else reactions.delete(event.data.emoji);
        }
      }
    }
    const threadSeq = sent.data.threadId === undefined ? undefined : parseMessageId(sent.data.threadId)?.seq;
    const facts = { senderId: sent.data.senderId, deleted, reactions };
    return withMessageFacts(state, seq, threadSeq === undefined ? facts : { ...facts, threadSeq });
  };
}

/** The seq of the existing message a command is about: its `seq`, or for a reply the message it answers. */
function messageSeqOf(command: RoomCommand): number | undefined {
  if (command.type === 'SendMessage') return command.replyTo;
  return 'seq' in command ? command.seq : undefined;
}
