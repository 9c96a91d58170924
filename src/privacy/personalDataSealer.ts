// Sealing and unsealing of whole events: which field of which event is personal, whose key seals it, and how a
// sealed field reads once that key is destroyed. SealingEventLog applies it at the edge of the log; the Kafka
// command processor, which encodes events itself, calls `seal` through its beforeEncode hook.
//
// Personal data: MessageSent.text and MessageEdited.text (the sender's key: only the sender edits a message) and
// UserRegistered.email (the user's own key), FileUploaded.name (the uploader's key: a file name is what a person
// typed, issue #16). Stored sealed, the plaintext field is left empty ("" or null). A MessageSent with attachments
// also seals their names (what the sender sent with the text) under the sender's key, as one JSON array.
// Read back: the plaintext again; after an erasure, `text: ""` or `email: null` with `erased: true`.

import type { ChatEvent, SealedValue } from '../events/chatEvents.js';
import type { NewEvent, RecordedEvent } from '../events/envelope.js';
import type { KeyState, PersonalDataKeys } from './personalDataKeys.js';
import { PersonalDataKeyMissingError, SealedValueTamperedError } from './privacyErrors.js';
import { RecentlySealed } from './recentlySealed.js';
import { openValue, sealValue, type SealedField } from './sealedValues.js';

// Only four event kinds carry personal data; every other kind passes through untouched. If-chains rather than a
// switch: there is no exhaustive list to keep, a new event kind without personal data needs no change here.

/** The one personal field of an event, if it has one to seal: whose key, which field, the plaintext. */
function personalField(event: ChatEvent): { owner: string; field: SealedField; plaintext: string } | undefined {
  if (event.type === 'MessageSent' && event.data.sealedText === undefined) {
    return { owner: event.data.senderId, field: 'text', plaintext: event.data.text };
  }
  if (event.type === 'MessageEdited' && event.data.sealedText === undefined) {
    return { owner: event.data.editedBy, field: 'text', plaintext: event.data.text };
  }
  if (event.type === 'UserRegistered' && event.data.sealedEmail === undefined && event.data.email !== null) {
    return { owner: event.data.userId, field: 'email', plaintext: event.data.email };
  }
  if (event.type === 'FileUploaded' && event.data.sealedName === undefined) {
    return { owner: event.data.uploadedBy, field: 'name', plaintext: event.data.name };
  }
  return undefined;
}

/** The sealed field of a stored event, if it has one. */
function sealedField(event: ChatEvent): { sealed: SealedValue; field: SealedField } | undefined {
  if ((event.type === 'MessageSent' || event.type === 'MessageEdited') && event.data.sealedText !== undefined) {
    return { sealed: event.data.sealedText, field: 'text' };
  }
  if (event.type === 'UserRegistered' && event.data.sealedEmail !== undefined) {
    return { sealed: event.data.sealedEmail, field: 'email' };
  }
  if (event.type === 'FileUploaded' && event.data.sealedName !== undefined) {
    return { sealed: event.data.sealedName, field: 'name' };
  }
  return undefined;
}

/** The attachments' names of a MessageSent to seal (under the sender's key, like its text), if any. */
function attachmentNames(event: ChatEvent): { owner: string; plaintext: string } | undefined {
  if (event.type !== 'MessageSent' || event.data.sealedNames !== undefined) return undefined;
  const attachments = event.data.attachments ?? [];
  if (attachments.length === 0) return undefined;
  return { owner: event.data.senderId, plaintext: JSON.stringify(attachments.map((attachment) => attachment.name)) };
}

function withSealedNames(event: NewEvent, sealed: SealedValue): NewEvent {
  if (event.type !== 'MessageSent') return event;
  const attachments = (event.data.attachments ?? []).map((attachment) => ({ ...attachment, name: '' }));
  return { ...event, data: { ...event.data, attachments, sealedNames: sealed } };
}

/** The names back from their JSON array; "" for each once the sender's key is gone. */
function withOpenedNames(event: RecordedEvent, opened: Opened): RecordedEvent {
  if (event.type !== 'MessageSent') return event;
  const { sealedNames: _sealed, ...rest } = event.data;
  const names: unknown = opened.erased ? [] : JSON.parse(opened.plaintext);
  const list = Array.isArray(names) ? names : [];
  const attachments = (rest.attachments ?? []).map((attachment, index) => {
    const name: unknown = list[index];
    return { ...attachment, name: typeof name === 'string' ? name : '' };
  });
  return { ...event, data: { ...rest, attachments } };
}

/** What a sealed field opens to: the plaintext, or nothing because the key is gone. */
type Opened = { erased: false; plaintext: string } | { erased: true };

// Rest destructuring below rather than `delete`, which would turn every read payload into a slow dictionary object.

/** The event with its personal field as stored: plaintext emptied, sealed value set, no erased marker. */
function withSealed(event: NewEvent, sealed: SealedValue): NewEvent {
  if (event.type === 'MessageSent') {
    const { erased: _erased, ...rest } = event.data;
    return { ...event, data: { ...rest, text: '', sealedText: sealed } };
  }
  if (event.type === 'MessageEdited') {
    const { erased: _erased, ...rest } = event.data;
    return { ...event, data: { ...rest, text: '', sealedText: sealed } };
  }
  if (event.type === 'UserRegistered') {
    const { erased: _erased, ...rest } = event.data;
    return { ...event, data: { ...rest, email: null, sealedEmail: sealed } };
  }
  if (event.type === 'FileUploaded') {
    const { erased: _erased, ...rest } = event.data;
    return { ...event, data: { ...rest, name: '', sealedName: sealed } };
  }
  return event;
}

/** The event as readers see it: the plaintext back, or the erased marker, and no sealed value. */
function withOpened(event: RecordedEvent, opened: Opened): RecordedEvent {
  if (event.type === 'MessageSent') {
    const { sealedText: _sealed, ...rest } = event.data;
    return { ...event, data: opened.erased ? { ...rest, text: '', erased: true } : { ...rest, text: opened.plaintext } };
  }
  if (event.type === 'MessageEdited') {
    const { sealedText: _sealed, ...rest } = event.data;
    return { ...event, data: opened.erased ? { ...rest, text: '', erased: true } : { ...rest, text: opened.plaintext } };
  }
  if (event.type === 'UserRegistered') {
    const { sealedEmail: _sealed, ...rest } = event.data;
    return { ...event, data: opened.erased ? { ...rest, email: null, erased: true } : { ...rest, email: opened.plaintext } };
  }
  if (event.type === 'FileUploaded') {
    const { sealedName: _sealed, ...rest } = event.data;
    return { ...event, data: opened.erased ? { ...rest, name: '', erased: true } : { ...rest, name: opened.plaintext } };
  }
  return event;
}

/** Events as they are to be stored, the keys that sealed them, and the plaintext of every value sealed. */
export interface SealedBatch {
  events: NewEvent[];
  keys: ReadonlyMap<string, Buffer>;
  plaintexts: ReadonlyMap<SealedValue, string>;
}

export class PersonalDataSealer {
  /** What this process just sealed, so its own events read back open without decrypting (recentlySealed.ts). */
  private readonly recentlySealed = new RecentlySealed();

  constructor(private readonly keys: PersonalDataKeys) {}

  /**
   * The events as they are to be stored: each personal field sealed with its owner's key (created on first use).
   * Fails with PERSONAL_DATA_ERASED, storing nothing, when an owner's key was destroyed.
   */
  async seal(events: NewEvent[]): Promise<NewEvent[]> {
    return (await this.sealWithKeys(events)).events;
  }

  /**
   * `seal` for a batch of commands whose owners are known before they are decided (the Kafka command processor's
   * chunk): their keys are asked for at once, one round trip to a shared key store instead of one per command. An
   * owner whose key cannot be had now (erased, the store away) is asked again when sealed, as `seal` would, so the
   * outcome of every command is the same; only the number of round trips changes.
   */
  async sealerFor(owners: readonly string[]): Promise<(events: NewEvent[]) => Promise<NewEvent[]>> {
    const unique = [...new Set(owners)];
    const settled = await Promise.allSettled(unique.map((owner) => this.keys.keyFor(owner)));
    const known = new Map<string, Buffer>();
    settled.forEach((result, index) => {
      const owner = unique[index];
      if (result.status === 'fulfilled' && owner !== undefined) known.set(owner, result.value);
    });
    return async (events) => (await this.sealWithKeys(events, known)).events;
  }

  /**
   * `seal`, also handing back the keys it used, so the appender can open what it appended without asking again.
   * `known`: keys fetched for these owners moments ago (sealerFor), not asked again.
   */
  async sealWithKeys(events: NewEvent[], known: ReadonlyMap<string, Buffer> = new Map()): Promise<SealedBatch> {
    const owners = new Set<string>();
    for (const event of events) {
      const personal = personalField(event);
      if (personal) owners.add(personal.owner);
      const names = attachmentNames(event);
      if (names) owners.add(names.owner);
    }
    if (owners.size === 0) return { events, keys: new Map(), plaintexts: new Map() };
    const keys = new Map(
      await Promise.all([...owners].map(async (owner) => [owner, known.get(owner) ?? (await this.keys.keyFor(owner))] as const)),
    );
    const plaintexts = new Map<SealedValue, string>();
    const sealedWith = (key: Buffer, owner: string, plaintext: string, eventId: string, field: SealedField): SealedValue => {
      const value = sealValue(key, owner, plaintext, eventId, field);
      plaintexts.set(value, plaintext);
      this.recentlySealed.remember(eventId, field, value, key, plaintext);
      return value;
    };
    const sealed = events.map((event) => {
      const names = attachmentNames(event);
      const namesKey = names && keys.get(names.owner);
      const named = names && namesKey ? withSealedNames(event, sealedWith(namesKey, names.owner, names.plaintext, event.eventId, 'names')) : event;
      const personal = personalField(named);
      const key = personal && keys.get(personal.owner);
      if (!personal || !key) return named;
      return withSealed(named, sealedWith(key, personal.owner, personal.plaintext, event.eventId, personal.field));
    });
    return { events: sealed, keys, plaintexts };
  }

  /**
   * The events as readers see them: sealed fields opened with their owners' keys (one look-up per batch), or marked
   * erased where a key was destroyed. A value that fails authentication is an error (PERSONAL_DATA_TAMPERED), never
   * shown as text or as erased. `known`: keys the caller holds already (those it just sealed with), not asked again.
   * `plaintexts`: the values the caller just sealed (sealWithKeys), opened to their plaintext without decrypting.
   */
  async unseal(
    events: RecordedEvent[],
    known: ReadonlyMap<string, Buffer> = new Map(),
    plaintexts: ReadonlyMap<SealedValue, string> = new Map(),
  ): Promise<RecordedEvent[]> {
    const owners = new Set<string>();
    for (const event of events) {
      const found = sealedField(event);
      if (found && !known.has(found.sealed.keyOwner)) owners.add(found.sealed.keyOwner);
      const names = event.type === 'MessageSent' ? event.data.sealedNames : undefined;
      if (names && !known.has(names.keyOwner)) owners.add(names.keyOwner);
    }
    const states: Map<string, KeyState> = owners.size === 0 ? new Map() : await this.keys.lookup([...owners]);
    for (const [owner, key] of known) states.set(owner, { state: 'present', key });
    if (states.size === 0) return events;
    return events.map((event) => {
      const names = event.type === 'MessageSent' ? event.data.sealedNames : undefined;
      const named = names ? withOpenedNames(event, this.open(event, names, 'names', states.get(names.keyOwner), plaintexts)) : event;
      const found = sealedField(named);
      if (!found) return named;
      return withOpened(named, this.open(named, found.sealed, found.field, states.get(found.sealed.keyOwner), plaintexts));
    });
  }

  private open(
    event: RecordedEvent,
    sealed: SealedValue,
    field: SealedField,
    state: KeyState | undefined,
    plaintexts: ReadonlyMap<SealedValue, string>,
  ): Opened {
    const where = { userId: sealed.keyOwner, eventId: event.eventId, field };
    if (state === undefined || state.state === 'absent') throw new PersonalDataKeyMissingError(where);
    if (state.state === 'destroyed') return { erased: true };
    // The very value this process sealed a moment ago (the same object, or its bytes read back): its plaintext is known.
    const plaintext =
      plaintexts.get(sealed) ??
      this.recentlySealed.take(event.eventId, field, sealed, state.key) ??
      openValue(state.key, sealed, event.eventId, field);
    if (plaintext === undefined) throw new SealedValueTamperedError(where);
    return { erased: false, plaintext };
  }
}
