import { describe, expect, it } from 'vitest';
import { isUnsent, mayReadFile, readsThroughRooms, type FileReach } from '../../src/domain/fileAccess.js';

// Who may read a file (API.md): its uploader, the members of every private or direct room it was sent to, anyone
// signed in for a public room or an avatar; nobody else, whatever id they hold.

const reach = (rooms: FileReach['rooms'], avatar = false): FileReach => ({ uploadedBy: 'alice', rooms, avatar });

describe('mayReadFile', () => {
  it('lets the uploader read an unsent file, and nobody else', () => {
    expect(mayReadFile(reach([]), 'alice')).toBe(true);
    expect(mayReadFile(reach([]), 'bob')).toBe(false);
    expect(isUnsent(reach([]))).toBe(true);
  });

  it('lets members of a private or direct room it was sent to read it, not outsiders', () => {
    const sent = reach([{ kind: 'private', member: true }]);
    expect(mayReadFile(sent, 'bob')).toBe(true);
    expect(mayReadFile(reach([{ kind: 'private', member: false }, { kind: 'direct', member: false }]), 'carol')).toBe(false);
    expect(isUnsent(sent)).toBe(false);
  });

  it('lets anyone signed in read a file sent to a public room, or an avatar', () => {
    expect(mayReadFile(reach([{ kind: 'public', member: false }]), 'carol')).toBe(true);
    expect(mayReadFile(reach([], true), 'carol')).toBe(true);
    expect(readsThroughRooms(reach([], true))).toBe(true);
  });

  it('says a reader other than the uploader reads through rooms (who may forward it)', () => {
    expect(readsThroughRooms(reach([]))).toBe(false);
    expect(readsThroughRooms(reach([{ kind: 'direct', member: true }]))).toBe(true);
  });
});
