import type { Logger } from 'pino';
import type { PresenceTransition } from '../presence/presenceTracker.js';
import type { HistoryStore } from '../projections/history/historyStore.js';
import { encodeFrame } from './protocol.js';
import type { HubConnection, RoomHub } from './roomHub.js';
import { isoTime } from '../support/isoTime.js';

/**
 * What the gateway needs from presence (PresenceService has this shape): it reports its own connections and is
 * told about every online/offline change, including connections of other processes that expired.
 */
export interface GatewayPresence {
  connect(userId: string, connectionId: string): Promise<unknown>;
  heartbeat(userId: string, connectionId: string): Promise<void>;
  disconnect(userId: string, connectionId: string): Promise<unknown>;
  onTransition(listener: (transition: PresenceTransition) => void | Promise<void>): () => void;
}

const ROOMS_PAGE = 200;

/**
 * Pushes `presence {userId, online, lastSeenAt}` to whoever is subscribed to a room the user is in: the people who
 * could be talking to them. Each connection gets the frame once, however many of those rooms it follows.
 */
export class PresenceRelay {
  constructor(
    private readonly hub: RoomHub,
    private readonly history: Pick<HistoryStore, 'listRoomsOfUser'>,
    private readonly logger: Logger,
  ) {}

  async push(transition: PresenceTransition): Promise<void> {
    const targets = new Set<HubConnection>();
    let afterRoomId: string | undefined;
    for (;;) {
      const page = await this.history.listRoomsOfUser(transition.userId, { limit: ROOMS_PAGE, afterRoomId });
      for (const room of page.rooms) {
        for (const client of this.hub.liveClients(room.roomId)) {
          if (client.userId !== transition.userId) targets.add(client.connection);
        }
      }
      const last = page.rooms.at(-1);
      if (!page.hasMore || !last) break;
      afterRoomId = last.roomId;
    }
    if (targets.size === 0) return;
    const frame = encodeFrame({
      type: 'presence',
      userId: transition.userId,
      online: transition.online,
      lastSeenAt: isoTime(transition.at),
    });
    for (const connection of targets) connection.send(frame, 'presence');
    this.logger.debug({ userId: transition.userId, online: transition.online, recipients: targets.size }, 'presence pushed');
  }
}
