import { TYPING_EXPIRES_MS } from './frameHandlers.js';
import { encodeFrame, type EncodedFrame } from './protocol.js';
import type { RoomHub } from './roomHub.js';
import type { TypingSignal } from './typingBus.js';

/**
 * Sends `chat.typing` to this gateway's live subscribers of the room, except the typist's own connections. One
 * frame, encoded once, for all of them.
 */
export function relayTyping(hub: Pick<RoomHub, 'liveClients'>, signal: TypingSignal): void {
  let frame: EncodedFrame | undefined;
  for (const other of hub.liveClients(signal.roomId)) {
    if (other.userId === signal.userId) continue;
    frame ??= encodeFrame({ type: 'chat.typing', roomId: signal.roomId, userId: signal.userId, expiresInMs: TYPING_EXPIRES_MS });
    other.connection.send(frame, 'chat.typing');
  }
}
