// Who may read an uploaded file (issue #16, API.md "Files and images"): its uploader, and the readers of every room
// it was sent to, which are the members of a private or direct room and anyone signed in for a public room. An
// avatar is read by anyone signed in. An id alone grants nothing. Pure: the facts come from the history view.

export interface FileReach {
  uploadedBy: string;
  /** Each room a message (not deleted) carried the file to, and whether the asking user is a member now. */
  rooms: ReadonlyArray<{ kind: 'public' | 'private' | 'direct'; member: boolean }>;
  /** The file is someone's current avatar. */
  avatar: boolean;
}

/** Reads the file through a room or an avatar, i.e. other than as its uploader: what lets them forward it. */
export function readsThroughRooms(reach: Pick<FileReach, 'rooms' | 'avatar'>): boolean {
  return reach.avatar || reach.rooms.some((room) => room.member || room.kind === 'public');
}

export function mayReadFile(reach: FileReach, userId: string): boolean {
  return userId === reach.uploadedBy || readsThroughRooms(reach);
}

/** Never sent in a message and nobody's avatar: the sweeper removes such an upload once it is old enough. */
export function isUnsent(reach: Pick<FileReach, 'rooms' | 'avatar'>): boolean {
  return reach.rooms.length === 0 && !reach.avatar;
}
