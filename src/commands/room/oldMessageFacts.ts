import { messageIdOf } from '../../domain/ids.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { PrepareState } from '../commandExecutor.js';
import type { RoomCommand } from '../commands.js';
import { needsMessageLookup, withMessageFacts, type RoomState } from './roomState.js';

/** Events read per page while looking for a delete of an old message. */
const PAGE = 1000;

/**
 * The room state keeps facts of recent messages only; an edit or delete of an older one looks them up here. From
 * the log, never from the history view: the writer (embedded bus or Kafka command processor) must not depend on a
 * read model, which may lag behind or run in another process. The message's seq is its stream version, so its
 * MessageSent is one indexed read; whether it was deleted since needs the events after it (rare: older than the
 * state's window, typically thousands of messages back).
 */
export function oldMessageFactsFromLog(log: Pick<EventLog, 'readStream'>): PrepareState<RoomCommand, RoomState> {
  return async (state, command, streamId) => {
    if (command.type !== 'EditMessage' && command.type !== 'DeleteMessage') return state;
    if (!state.exists || !needsMessageLookup(state, command.seq)) return state;
    const [sent] = await log.readStream(streamId, { fromVersion: command.seq, limit: 1 });
    if (sent?.type !== 'MessageSent' || sent.streamVersion !== command.seq) return state;
    const messageId = messageIdOf(state.roomId, command.seq);
    let deleted = false;
    for (let from = command.seq + 1; from <= state.version && !deleted; from += PAGE) {
      const page = await log.readStream(streamId, { fromVersion: from, limit: PAGE });
      if (page.length === 0) break;
      deleted = page.some((event) => event.type === 'MessageDeleted' && event.data.messageId === messageId);
    }
    return withMessageFacts(state, command.seq, { senderId: sent.data.senderId, deleted });
  };
}
