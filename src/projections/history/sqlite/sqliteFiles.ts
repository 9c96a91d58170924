import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { AttachmentRef } from '../../../events/chatEvents.js';
import type { FileDiscardedChange, FileRecorded } from '../historyChanges.js';
import type { AttachmentView, FileAudience, FileView, ListUnsentFilesOptions, MessageView } from '../historyStore.js';
import { checkLimit } from '../historyStoreArguments.js';
import { isoTime } from '../../../support/isoTime.js';

// The files of the SQLite history view (issue #16), kept out of sqliteHistoryStore.ts so the feature is one file:
// uploads, the files each message carries, and which user's avatar a file is. A message's attachments keep what
// its MessageSent recorded (name, type, size, hash, pixels), so a message projected before its file (another Kafka
// partition) lists its files whole; the file's own row only adds whether its uploader was erased (bytes gone).

export const FILES_SCHEMA = `
CREATE TABLE IF NOT EXISTS files (
  file_id      TEXT PRIMARY KEY,
  uploaded_by  TEXT NOT NULL,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  width        INTEGER,
  height       INTEGER,
  thumbnail    INTEGER NOT NULL DEFAULT 0,
  uploaded_at  INTEGER NOT NULL,
  erased       INTEGER NOT NULL DEFAULT 0,
  discarded_at INTEGER
) WITHOUT ROWID;
-- An erasure marks one uploader's files; the sweeper and the blob's other owners look up (uploader, content).
CREATE INDEX IF NOT EXISTS files_by_uploader ON files (uploaded_by, sha256);
-- The sweeper walks live uploads oldest first.
CREATE INDEX IF NOT EXISTS files_live_by_age ON files (uploaded_at) WHERE discarded_at IS NULL AND erased = 0;

CREATE TABLE IF NOT EXISTS message_attachments (
  room_id      TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  position     INTEGER NOT NULL,
  file_id      TEXT NOT NULL,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  width        INTEGER,
  height       INTEGER,
  thumbnail    INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq, position)
) WITHOUT ROWID;
-- Who may read a file: the rooms it was sent to.
CREATE INDEX IF NOT EXISTS attachments_by_file ON message_attachments (file_id, room_id, seq);
`;

/** Stores made before uploaded avatars have no avatar_file_id column: their avatars are outside URLs. */
export function addAvatarFileColumn(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('users')").pluck().all();
  if (!columns.includes('avatar_file_id')) db.exec('ALTER TABLE users ADD COLUMN avatar_file_id TEXT');
  db.exec('CREATE INDEX IF NOT EXISTS users_by_avatar_file ON users (avatar_file_id) WHERE avatar_file_id IS NOT NULL');
}

const millis = z.number().int();
const flag = z.union([z.literal(0), z.literal(1)]);

const FILE_COLUMNS = `file_id, uploaded_by, name, content_type, size, sha256, width, height, thumbnail, uploaded_at,
  erased, discarded_at`;

const fileRow = z
  .object({
    file_id: z.string(),
    uploaded_by: z.string(),
    name: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    thumbnail: flag,
    uploaded_at: millis,
    erased: flag,
    discarded_at: millis.nullable(),
  })
  .transform(
    (r): FileView => ({
      fileId: r.file_id,
      uploadedBy: r.uploaded_by,
      name: r.erased === 1 ? '' : r.name,
      contentType: r.content_type,
      size: r.size,
      sha256: r.sha256,
      width: r.width,
      height: r.height,
      thumbnail: r.thumbnail === 1,
      uploadedAt: isoTime(r.uploaded_at),
      erased: r.erased === 1,
      discarded: r.discarded_at !== null,
    }),
  );

const attachmentRow = z
  .object({
    seq: z.number().int(),
    file_id: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    name: z.string(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    thumbnail: flag,
    erased: flag.nullable(),
  })
  .transform((r): { seq: number; view: AttachmentView } => ({
    seq: r.seq,
    view: {
      fileId: r.file_id,
      contentType: r.content_type,
      size: r.size,
      sha256: r.sha256,
      // An erased uploader's file shows no name anywhere, also in a message someone else sent with it (a forward).
      name: r.erased === 1 ? '' : r.name,
      width: r.width,
      height: r.height,
      thumbnail: r.thumbnail === 1,
      erased: r.erased === 1,
    },
  }));

const audienceRow = z
  .object({ room_id: z.string(), kind: z.enum(['public', 'private', 'direct']), member: flag })
  .transform((r) => ({ roomId: r.room_id, kind: r.kind, member: r.member === 1 }));

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteFiles {
  private readonly insertFile: Statement;
  private readonly discardFile: Statement;
  private readonly eraseFiles: Statement;
  private readonly eraseAttachmentNames: Statement;
  private readonly insertAttachment: Statement;
  private readonly file: Statement;
  private readonly attachmentsBetween: Statement;
  private readonly audience: Statement;
  private readonly avatar: Statement;
  private readonly unsent: Statement;
  private readonly withContent: Statement;

  /** The tables must exist (FILES_SCHEMA and addAvatarFileColumn ran). */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.insertFile = p(
      `INSERT INTO files (file_id, uploaded_by, name, content_type, size, sha256, width, height, thumbnail, uploaded_at,
         erased)
       VALUES (@fileId, @uploadedBy, @name, @contentType, @size, @sha256, @width, @height, @thumbnailFlag, @uploadedAt,
         @erasedFlag)
       ON CONFLICT (file_id) DO NOTHING`,
    );
    this.discardFile = p('UPDATE files SET discarded_at = @discardedAt WHERE file_id = @fileId AND discarded_at IS NULL');
    this.eraseFiles = p(`UPDATE files SET name = '', erased = 1 WHERE uploaded_by = @userId AND erased = 0`);
    // The names a message carries are its sender's words, sealed with the sender's key; and an erased uploader's
    // file names go from every message that carries the file (a forward names what the uploader called it).
    this.eraseAttachmentNames = p(
      `UPDATE message_attachments SET name = ''
       WHERE (room_id, seq) IN (SELECT room_id, seq FROM messages WHERE sender_id = @userId)
          OR file_id IN (SELECT file_id FROM files WHERE uploaded_by = @userId)`,
    );
    this.insertAttachment = p(
      `INSERT INTO message_attachments (room_id, seq, position, file_id, name, content_type, size, sha256, width, height,
         thumbnail)
       VALUES (@roomId, @seq, @position, @fileId, @name, @contentType, @size, @sha256, @width, @height, @thumbnailFlag)
       ON CONFLICT DO NOTHING`,
    );
    this.file = p(`SELECT ${FILE_COLUMNS} FROM files WHERE file_id = ?`);
    this.attachmentsBetween = p(
      `SELECT a.seq, a.file_id, a.name, a.content_type, a.size, a.sha256, a.width, a.height, a.thumbnail, f.erased
       FROM message_attachments a LEFT JOIN files f ON f.file_id = a.file_id
       WHERE a.room_id = ? AND a.seq BETWEEN ? AND ? ORDER BY a.seq, a.position`,
    );
    this.audience = p(
      `SELECT r.room_id, r.kind,
         EXISTS (SELECT 1 FROM members m WHERE m.room_id = r.room_id AND m.user_id = @userId) AS member
       FROM rooms r
       WHERE r.room_id IN (SELECT a.room_id FROM message_attachments a
         JOIN messages g ON g.room_id = a.room_id AND g.seq = a.seq
         WHERE a.file_id = @fileId AND g.deleted = 0)
       ORDER BY r.room_id`,
    );
    this.avatar = p('SELECT 1 FROM users WHERE avatar_file_id = ? LIMIT 1');
    this.unsent = p(
      `SELECT ${FILE_COLUMNS} FROM files f
       WHERE f.discarded_at IS NULL AND f.erased = 0 AND f.uploaded_at < ?
         AND NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.file_id = f.file_id)
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.avatar_file_id = f.file_id)
       ORDER BY f.uploaded_at, f.file_id LIMIT ?`,
    );
    this.withContent = p(`SELECT ${FILE_COLUMNS} FROM files WHERE uploaded_by = ? AND sha256 = ? ORDER BY file_id`);
  }

  recorded(change: FileRecorded): void {
    this.insertFile.run({ ...change, thumbnailFlag: change.thumbnail ? 1 : 0, erasedFlag: change.erased ? 1 : 0 });
  }

  discarded(change: FileDiscardedChange): void {
    this.discardFile.run(change);
  }

  /**
   * A user's personal data was erased: their uploads' names go and the view says the bytes are gone; the names their
   * messages carried go too.
   */
  erased(userId: string): void {
    this.eraseFiles.run({ userId });
    this.eraseAttachmentNames.run({ userId });
  }

  attached(roomId: string, seq: number, attachments: readonly AttachmentRef[]): void {
    attachments.forEach((attachment, position) =>
      this.insertAttachment.run({ roomId, seq, position, ...attachment, thumbnailFlag: attachment.thumbnail ? 1 : 0 }),
    );
  }

  /** The messages with their attachments (one query for the page: its seqs are one range of one room). */
  withAttachments(messages: MessageView[]): MessageView[] {
    const first = messages[0];
    const last = messages.at(-1);
    if (!first || !last) return messages;
    const bySeq = new Map<number, AttachmentView[]>();
    const [low, high] = first.seq <= last.seq ? [first.seq, last.seq] : [last.seq, first.seq];
    for (const row of this.attachmentsBetween.all(first.roomId, low, high)) {
      const { seq, view } = attachmentRow.parse(row);
      const list = bySeq.get(seq) ?? [];
      list.push(view);
      bySeq.set(seq, list);
    }
    if (bySeq.size === 0) return messages;
    return messages.map((message) => {
      const attachments = bySeq.get(message.seq);
      return attachments ? { ...message, attachments } : message;
    });
  }

  get(fileId: string): FileView | undefined {
    const row = this.file.get(fileId);
    return row === undefined ? undefined : fileRow.parse(row);
  }

  audienceOf(fileId: string, userId: string): FileAudience {
    const rooms = this.audience.all({ fileId, userId }).map((row) => audienceRow.parse(row));
    return { rooms, avatar: this.avatar.get(fileId) !== undefined };
  }

  unsentFiles(options: ListUnsentFilesOptions): FileView[] {
    return this.unsent.all(options.uploadedBefore, checkLimit(options.limit)).map((row) => fileRow.parse(row));
  }

  filesWithContent(uploadedBy: string, sha256: string): FileView[] {
    return this.withContent.all(uploadedBy, sha256).map((row) => fileRow.parse(row));
  }
}
