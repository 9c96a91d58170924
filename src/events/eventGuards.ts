import type { AuditStreamEvent, FriendshipEvent, ReceiptEvent, RoomEvent, UserStreamEvent, UsernameStreamEvent } from './chatEvents.js';
import type { RecordedEvent } from './envelope.js';

// Which events belong to which stream category; the command bus uses these to hand each decider only its own.
// Each returns the event narrowed to its category, or undefined; the switches keep the lists exhaustive.

export function asRoomEvent(event: RecordedEvent): RecordedEvent<RoomEvent> | undefined {
  switch (event.type) {
    case 'RoomCreated':
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberRemoved':
    case 'MemberRoleChanged':
    case 'MessageSent':
    case 'MessageEdited':
    case 'MessageDeleted':
      return event;
    case 'UserRegistered':
    case 'UserRoleChanged':
    case 'PersonalDataErased':
    case 'ProfileUpdated':
    case 'PasswordChanged':
    case 'UsernameClaimed':
    case 'MessagesDelivered':
    case 'MessagesRead':
    case 'AuditLogRead':
    case 'FriendRequested':
    case 'FriendRequestAccepted':
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
    case 'FriendRemoved':
      return undefined;
    default: {
      const unknownType: never = event;
      return unknownType;
    }
  }
}

export function asUserStreamEvent(event: RecordedEvent): RecordedEvent<UserStreamEvent> | undefined {
  return event.type === 'UserRegistered' ||
    event.type === 'UserRoleChanged' ||
    event.type === 'PersonalDataErased' ||
    event.type === 'ProfileUpdated' ||
    event.type === 'PasswordChanged'
    ? event
    : undefined;
}

export function asUsernameStreamEvent(event: RecordedEvent): RecordedEvent<UsernameStreamEvent> | undefined {
  return event.type === 'UsernameClaimed' ? event : undefined;
}

export function asAuditStreamEvent(event: RecordedEvent): RecordedEvent<AuditStreamEvent> | undefined {
  return event.type === 'AuditLogRead' ? event : undefined;
}

export function asReceiptEvent(event: RecordedEvent): RecordedEvent<ReceiptEvent> | undefined {
  return event.type === 'MessagesDelivered' || event.type === 'MessagesRead' ? event : undefined;
}

export function asFriendshipEvent(event: RecordedEvent): RecordedEvent<FriendshipEvent> | undefined {
  switch (event.type) {
    case 'FriendRequested':
    case 'FriendRequestAccepted':
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
    case 'FriendRemoved':
      return event;
    default:
      return undefined;
  }
}
