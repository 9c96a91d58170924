import { roomStreamId } from '../domain/ids.js';
import type { RoomEvent } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import { asRoomEvent } from '../events/eventGuards.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { chatEventFrame, textBearingMessageId } from './eventFrames.js';
import { encodeFrame, type EncodedFrame } from './protocol.js';

// Recovery reads what a subscriber missed straight from the room's stream in the log: the log is the source of
// truth and `seq` is the stream version, so "everything after afterSeq" is one range read with no translation.

/** A room event with the frame that carries it, encoded once. */
export interface FramedEvent {
  event: RecordedEvent<RoomEvent>;
  frame: EncodedFrame;
}

/** Events per read: bounds memory per subscriber and gives the socket a chance to drain between pages. */
export const REPLAY_PAGE_SIZE = 500;

/** Messages that `events` delete: their earlier MessageSent / MessageEdited must not show their text. */
export function deletedMessageIds(events: Iterable<RecordedEvent<RoomEvent>>): Set<string> {
  const deleted = new Set<string>();
  for (const event of events) if (event.type === 'MessageDeleted') deleted.add(event.data.messageId);
  return deleted;
}

/** Frames for events in order, with the text of messages in `deleted` redacted. */
export function framed(events: readonly RecordedEvent<RoomEvent>[], deleted: ReadonlySet<string>): FramedEvent[] {
  return events.map((event) => {
    const messageId = textBearingMessageId(event);
    const redact = messageId !== undefined && deleted.has(messageId);
    return { event, frame: encodeFrame(chatEventFrame(event, redact)) };
  });
}

/**
 * The room's events with seq in [fromSeq, toSeq], page by page, with the text of every message deleted within
 * the range redacted (a deletion after toSeq reaches the subscriber live, like any other client's).
 * A range that fits one page is read once; a longer one is scanned for deletions first, so a deletion on a later
 * page still redacts a message on an earlier one without holding the whole range in memory.
 */
export async function* replayRoom(
  log: EventLog,
  roomId: string,
  fromSeq: number,
  toSeq: number,
  pageSize = REPLAY_PAGE_SIZE,
): AsyncGenerator<FramedEvent[]> {
  if (toSeq < fromSeq) return;
  const streamId = roomStreamId(roomId);
  const readPage = async (from: number): Promise<RecordedEvent<RoomEvent>[]> => {
    const limit = Math.min(pageSize, toSeq - from + 1);
    const events = await log.readStream(streamId, { fromVersion: from, limit });
    return events.flatMap((event) => {
      const roomEvent = asRoomEvent(event);
      return roomEvent && roomEvent.streamVersion <= toSeq ? [roomEvent] : [];
    });
  };

  const first = await readPage(fromSeq);
  if (toSeq - fromSeq + 1 <= pageSize) {
    yield framed(first, deletedMessageIds(first));
    return;
  }

  const deleted = deletedMessageIds(first);
  for (let page = first; page.length > 0; ) {
    const last = page.at(-1);
    if (!last || last.streamVersion >= toSeq) break;
    page = await readPage(last.streamVersion + 1);
    for (const id of deletedMessageIds(page)) deleted.add(id);
  }

  for (let page = first; page.length > 0; ) {
    yield framed(page, deleted);
    const last = page.at(-1);
    if (!last || last.streamVersion >= toSeq) break;
    page = await readPage(last.streamVersion + 1);
  }
}
