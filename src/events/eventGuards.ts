import { EVENT_CATEGORIES, type CategoryName, type EventOfCategory } from './chatEvents.js';
import type { RecordedEvent } from './envelope.js';

// Which events belong to which category of stream, read from the one list of event types (EVENT_CATEGORIES): the
// command bus and the processor hand each decider only its own, the gateway picks out room events.

/** True when the event is one that streams of `category` hold. */
export function isEventOfCategory<K extends CategoryName>(
  category: K,
  event: RecordedEvent,
): event is RecordedEvent<EventOfCategory<K>> {
  return EVENT_CATEGORIES[event.type] === category;
}

/** Narrows an event to those of one category of stream, or undefined. */
export function eventsOfCategory<K extends CategoryName>(
  category: K,
): (event: RecordedEvent) => RecordedEvent<EventOfCategory<K>> | undefined {
  return (event) => (isEventOfCategory(category, event) ? event : undefined);
}

export const asRoomEvent = eventsOfCategory('rooms');
export const asUserStreamEvent = eventsOfCategory('users');
export const asReceiptEvent = eventsOfCategory('receipts');
export const asDeliveriesEvent = eventsOfCategory('deliveries');
export const asFileStreamEvent = eventsOfCategory('files');
