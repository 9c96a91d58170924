// The Oracle history store's SQL. Values are always bind variables (:name); only table names, validated in
// oracleTables.ts, are put into the text. Times are bound and read as UTC epoch milliseconds, converted here, so
// the session's and the server's time zones never shift them.

import type { StatementName } from './changeBinds.js';
import type { OracleTables } from './oracleTables.js';

const EPOCH = `TIMESTAMP '1970-01-01 00:00:00 +00:00'`;

/** A bound epoch-millisecond number as TIMESTAMP WITH TIME ZONE (UTC). */
export function tsFromMillis(bind: string): string {
  return `(${EPOCH} + NUMTODSINTERVAL(:${bind} / 1000, 'SECOND'))`;
}

/** A TIMESTAMP WITH TIME ZONE column as UTC epoch milliseconds (exact: interval parts, not DATE arithmetic). */
export function millisOf(column: string): string {
  const span = `(SYS_EXTRACT_UTC(${column}) - TIMESTAMP '1970-01-01 00:00:00')`;
  return `ROUND((EXTRACT(DAY FROM ${span}) * 86400 + EXTRACT(HOUR FROM ${span}) * 3600
    + EXTRACT(MINUTE FROM ${span}) * 60 + EXTRACT(SECOND FROM ${span})) * 1000)`;
}

export function writeSql(t: OracleTables): Record<StatementName, string> {
  return {
    upsertUser: `MERGE INTO ${t.users} u
      USING (SELECT :userId AS user_id FROM dual) s ON (u.user_id = s.user_id)
      WHEN MATCHED THEN UPDATE SET u.username = :username, u.username_normalised = :usernameNormalised,
        u.email = :email, u.display_name = :displayName, u.password_hash = :passwordHash, u.role = :role
      WHEN NOT MATCHED THEN INSERT (user_id, username, username_normalised, email, display_name, password_hash, role,
        created_at)
        VALUES (s.user_id, :username, :usernameNormalised, :email, :displayName, :passwordHash, :role,
          ${tsFromMillis('createdAt')})`,
    changeUserRole: `UPDATE ${t.users} SET role = :role WHERE user_id = :userId`,
    // Oracle's '' is NULL: an empty status text is stored NULL and reads back as "".
    updateUserProfile: `UPDATE ${t.users} SET display_name = :displayName, status_text = :statusText,
      avatar_url = :avatarUrl, avatar_file_id = :avatarFileId WHERE user_id = :userId`,
    insertFile: `MERGE INTO ${t.files} f
      USING (SELECT :fileId AS file_id FROM dual) s ON (f.file_id = s.file_id)
      WHEN NOT MATCHED THEN INSERT (file_id, uploaded_by, name, content_type, byte_size, sha256, width, height,
        thumbnail, uploaded_at, erased)
        VALUES (s.file_id, :uploadedBy, :name, :contentType, :byteSize, :sha256, :width, :height, :thumbnail,
          ${tsFromMillis('uploadedAt')}, :erased)`,
    discardFile: `UPDATE ${t.files} SET discarded_at = ${tsFromMillis('discardedAt')}
      WHERE file_id = :fileId AND discarded_at IS NULL`,
    // Oracle's '' is NULL: an erased name is NULL with erased = 1, and reads back as "".
    eraseUserFiles: `UPDATE ${t.files} SET name = NULL, erased = 1 WHERE uploaded_by = :userId AND erased = 0`,
    // The names a message carries are its sender's words, sealed with the sender's key; and an erased uploader's
    // file names go from every message that carries the file (a forward names what the uploader called it).
    eraseUserAttachmentNames: `UPDATE ${t.attachments} SET name = NULL
      WHERE (room_id, seq) IN (SELECT room_id, seq FROM ${t.messages} WHERE sender_id = :userId)
         OR file_id IN (SELECT file_id FROM ${t.files} WHERE uploaded_by = :userId)`,
    insertAttachment: `MERGE INTO ${t.attachments} a
      USING (SELECT :roomId AS room_id, :seq AS seq, :itemNo AS item_no FROM dual) s
        ON (a.room_id = s.room_id AND a.seq = s.seq AND a.item_no = s.item_no)
      WHEN NOT MATCHED THEN INSERT (room_id, seq, item_no, file_id, name, content_type, byte_size, sha256, width, height,
        thumbnail)
        VALUES (s.room_id, s.seq, s.item_no, :fileId, :name, :contentType, :byteSize, :sha256, :width, :height,
          :thumbnail)`,
    deleteFriendshipPair: `DELETE FROM ${t.friendships} WHERE (user_id = :userId AND friend_id = :friendId)
      OR (user_id = :friendId AND friend_id = :userId)`,
    insertFriendshipRow: `INSERT INTO ${t.friendships} (user_id, friend_id, status, since)
      VALUES (:userId, :friendId, :status, ${tsFromMillis('since')})`,
    changeUserPassword: `UPDATE ${t.users} SET password_hash = :passwordHash WHERE user_id = :userId`,
    eraseUserEmail: `UPDATE ${t.users} SET email = NULL WHERE user_id = :userId`,
    // Oracle's '' is NULL: an erased text is NULL with erased = 1, and reads back as "".
    eraseUserEdits: `UPDATE ${t.edits} SET text = NULL
      WHERE (room_id, seq) IN (SELECT room_id, seq FROM ${t.messages} WHERE sender_id = :userId)`,
    eraseUserMessages: `UPDATE ${t.messages} SET text = NULL, erased = 1 WHERE sender_id = :userId AND erased = 0`,
    insertRoom: `MERGE INTO ${t.rooms} r
      USING (SELECT :roomId AS room_id FROM dual) s ON (r.room_id = s.room_id)
      WHEN NOT MATCHED THEN INSERT (room_id, name, kind, created_by, created_at, head_seq, last_message_seq,
        last_activity_at)
        VALUES (s.room_id, :name, :kind, :createdBy, ${tsFromMillis('createdAt')}, :seq, NULL, ${tsFromMillis('createdAt')})`,
    upsertMember: `MERGE INTO ${t.members} m
      USING (SELECT :roomId AS room_id, :userId AS user_id FROM dual) s
        ON (m.room_id = s.room_id AND m.user_id = s.user_id)
      WHEN MATCHED THEN UPDATE SET m.role = :role
      WHEN NOT MATCHED THEN INSERT (room_id, user_id, role, added_by, joined_at)
        VALUES (s.room_id, s.user_id, :role, :addedBy, ${tsFromMillis('joinedAt')})`,
    deleteMember: `DELETE FROM ${t.members} WHERE room_id = :roomId AND user_id = :userId`,
    changeMemberRole: `UPDATE ${t.members} SET role = :role WHERE room_id = :roomId AND user_id = :userId`,
    // Not a MERGE on one key: like SQLite's ON CONFLICT DO NOTHING it must skip a row clashing on either unique
    // key, the (room_id, seq) primary key or message_id; both probes are index look-ups.
    insertMessage: `INSERT INTO ${t.messages} (room_id, seq, message_id, sender_id, text, client_message_id, created_at,
        erased)
      SELECT :roomId, :seq, :messageId, :senderId, :text, :clientMessageId, ${tsFromMillis('createdAt')}, :erased FROM dual
      WHERE NOT EXISTS (SELECT 1 FROM ${t.messages} WHERE room_id = :roomId AND seq = :seq)
        AND NOT EXISTS (SELECT 1 FROM ${t.messages} WHERE message_id = :messageId)`,
    noteLastMessage: `UPDATE ${t.rooms} SET last_message_seq = GREATEST(NVL(last_message_seq, 0), :seq)
      WHERE room_id = :roomId`,
    // Runs before editMessage, so `text` is still the previous text. A deleted message has no text to keep.
    copyTextToEdits: `MERGE INTO ${t.edits} e
      USING (SELECT room_id, seq, text FROM ${t.messages}
        WHERE room_id = :roomId AND message_id = :messageId AND deleted = 0 AND (text IS NOT NULL OR erased = 1)) s
        ON (e.room_id = s.room_id AND e.seq = s.seq AND e.edit_seq = :editSeq)
      WHEN NOT MATCHED THEN INSERT (room_id, seq, edit_seq, text, edited_at, edited_by)
        VALUES (s.room_id, s.seq, :editSeq, s.text, ${tsFromMillis('editedAt')}, :editedBy)`,
    editMessage: `UPDATE ${t.messages} SET text = :text, edited_at = ${tsFromMillis('editedAt')}, edited_by = :editedBy,
        erased = GREATEST(erased, :erased)
      WHERE room_id = :roomId AND message_id = :messageId AND deleted = 0`,
    deleteMessage: `UPDATE ${t.messages} SET text = NULL, deleted = 1, deleted_at = ${tsFromMillis('deletedAt')},
        deleted_by = :deletedBy
      WHERE room_id = :roomId AND message_id = :messageId AND deleted = 0`,
    // Oracle's '' is NULL: a cleared topic is stored NULL and reads back as "".
    renameRoom: `UPDATE ${t.rooms} SET name = :value WHERE room_id = :roomId`,
    changeRoomTopic: `UPDATE ${t.rooms} SET topic = :value WHERE room_id = :roomId`,
    insertPin: `MERGE INTO ${t.pins} p
      USING (SELECT :roomId AS room_id, :seq AS seq FROM dual) s ON (p.room_id = s.room_id AND p.seq = s.seq)
      WHEN NOT MATCHED THEN INSERT (room_id, seq, pinned_by, pin_seq, pinned_at)
        VALUES (s.room_id, s.seq, :pinnedBy, :pinSeq, ${tsFromMillis('at')})`,
    deletePin: `DELETE FROM ${t.pins} WHERE room_id = :roomId AND seq = :seq`,
    deleteMessagePin: `DELETE FROM ${t.pins} WHERE room_id = :roomId
      AND seq = (SELECT seq FROM ${t.messages} WHERE room_id = :roomId AND message_id = :messageId)`,
    insertReply: `MERGE INTO ${t.replies} r
      USING (SELECT :roomId AS room_id, :seq AS seq FROM dual) s ON (r.room_id = s.room_id AND r.seq = s.seq)
      WHEN NOT MATCHED THEN INSERT (room_id, seq, reply_to_seq, thread_seq)
        VALUES (s.room_id, s.seq, :replyToSeq, :threadSeq)`,
    // Counted again from the standing replies (never incremented), so a re-applied change counts nothing twice.
    recountThread: `MERGE INTO ${t.threadRoots} x
      USING (SELECT :roomId AS room_id, :threadSeq AS root_seq, COUNT(m.seq) AS reply_count,
          MAX(m.created_at) AS last_reply_at
        FROM ${t.replies} r JOIN ${t.messages} m ON m.room_id = r.room_id AND m.seq = r.seq AND m.deleted = 0
        WHERE r.room_id = :roomId AND r.thread_seq = :threadSeq) s
        ON (x.room_id = s.room_id AND x.root_seq = s.root_seq)
      WHEN MATCHED THEN UPDATE SET x.reply_count = s.reply_count, x.last_reply_at = s.last_reply_at
      WHEN NOT MATCHED THEN INSERT (room_id, root_seq, reply_count, last_reply_at)
        VALUES (s.room_id, s.root_seq, s.reply_count, s.last_reply_at)`,
    // A deleted reply no longer counts in its thread; a message that is no reply has no row here and changes nothing.
    recountThreadOfMessage: `MERGE INTO ${t.threadRoots} x
      USING (SELECT r.room_id, r.thread_seq AS root_seq,
          (SELECT COUNT(m.seq) FROM ${t.replies} o JOIN ${t.messages} m ON m.room_id = o.room_id AND m.seq = o.seq
            WHERE o.room_id = r.room_id AND o.thread_seq = r.thread_seq AND m.deleted = 0) AS reply_count,
          (SELECT MAX(m.created_at) FROM ${t.replies} o JOIN ${t.messages} m ON m.room_id = o.room_id AND m.seq = o.seq
            WHERE o.room_id = r.room_id AND o.thread_seq = r.thread_seq AND m.deleted = 0) AS last_reply_at
        FROM ${t.replies} r
        WHERE r.room_id = :roomId
          AND r.seq = (SELECT seq FROM ${t.messages} WHERE room_id = :roomId AND message_id = :messageId)) s
        ON (x.room_id = s.room_id AND x.root_seq = s.root_seq)
      WHEN MATCHED THEN UPDATE SET x.reply_count = s.reply_count, x.last_reply_at = s.last_reply_at
      WHEN NOT MATCHED THEN INSERT (room_id, root_seq, reply_count, last_reply_at)
        VALUES (s.room_id, s.root_seq, s.reply_count, s.last_reply_at)`,
    insertMention: `MERGE INTO ${t.mentions} x
      USING (SELECT :userId AS user_id, :roomId AS room_id, :seq AS seq FROM dual) s
        ON (x.user_id = s.user_id AND x.room_id = s.room_id AND x.seq = s.seq)
      WHEN NOT MATCHED THEN INSERT (user_id, room_id, seq, sender_id, created_at, position)
        VALUES (s.user_id, s.room_id, s.seq, :senderId, ${tsFromMillis('at')}, :position)`,
    insertBlock: `MERGE INTO ${t.blocks} b
      USING (SELECT :userId AS user_id, :blockedUserId AS blocked_id FROM dual) s
        ON (b.user_id = s.user_id AND b.blocked_id = s.blocked_id)
      WHEN NOT MATCHED THEN INSERT (user_id, blocked_id, blocked_at) VALUES (s.user_id, s.blocked_id, ${tsFromMillis('at')})`,
    deleteBlock: `DELETE FROM ${t.blocks} WHERE user_id = :userId AND blocked_id = :blockedUserId`,
    insertReaction: `MERGE INTO ${t.reactions} x
      USING (SELECT :roomId AS room_id, :seq AS seq, :emoji AS emoji, :userId AS user_id FROM dual
        WHERE NOT EXISTS (SELECT 1 FROM ${t.erasedReactors} e WHERE e.user_id = :userId)) s
        ON (x.room_id = s.room_id AND x.seq = s.seq AND x.emoji = s.emoji AND x.user_id = s.user_id)
      WHEN NOT MATCHED THEN INSERT (room_id, seq, emoji, user_id, reaction_seq, reacted_at)
        VALUES (s.room_id, s.seq, s.emoji, s.user_id, :reactionSeq, ${tsFromMillis('at')})`,
    deleteReaction: `DELETE FROM ${t.reactions}
      WHERE room_id = :roomId AND seq = :seq AND emoji = :emoji AND user_id = :userId`,
    deleteMessageReactions: `DELETE FROM ${t.reactions} WHERE room_id = :roomId
      AND seq = (SELECT seq FROM ${t.messages} WHERE room_id = :roomId AND message_id = :messageId)`,
    eraseUserReactions: `DELETE FROM ${t.reactions} WHERE user_id = :userId`,
    noteErasedReactor: `MERGE INTO ${t.erasedReactors} e USING (SELECT :userId AS user_id FROM dual) s
      ON (e.user_id = s.user_id) WHEN NOT MATCHED THEN INSERT (user_id) VALUES (s.user_id)`,
    advanceRoom: `UPDATE ${t.rooms} SET head_seq = GREATEST(head_seq, :headSeq),
        last_activity_at = GREATEST(last_activity_at, ${tsFromMillis('at')})
      WHERE room_id = :roomId`,
    // GREATEST per column: a re-delivered or out-of-order receipt never moves a marker back.
    advanceMarkers: `MERGE INTO ${t.markers} k
      USING (SELECT :userId AS user_id, :roomId AS room_id FROM dual) s
        ON (k.user_id = s.user_id AND k.room_id = s.room_id)
      WHEN MATCHED THEN UPDATE SET k.delivered_seq = GREATEST(k.delivered_seq, :deliveredSeq),
        k.read_seq = GREATEST(k.read_seq, :readSeq), k.updated_at = GREATEST(k.updated_at, ${tsFromMillis('at')})
      WHEN NOT MATCHED THEN INSERT (user_id, room_id, delivered_seq, read_seq, updated_at)
        VALUES (s.user_id, s.room_id, :deliveredSeq, :readSeq, ${tsFromMillis('at')})`,
  };
}

export function checkpointSql(t: OracleTables): { read: string; readForUpdate: string; save: string } {
  const read = `SELECT partition_no, position FROM ${t.checkpoints} WHERE projection = :projection`;
  return {
    read,
    // Serialises two writers of one projection: the second waits, then sees what the first applied and skips it.
    readForUpdate: `${read} FOR UPDATE`,
    save: `MERGE INTO ${t.checkpoints} c
      USING (SELECT :projection AS projection, :partitionNo AS partition_no FROM dual) s
        ON (c.projection = s.projection AND c.partition_no = s.partition_no)
      WHEN MATCHED THEN UPDATE SET c.position = :position
      WHEN NOT MATCHED THEN INSERT (projection, partition_no, position) VALUES (s.projection, s.partition_no, :position)`,
  };
}

export type ReadName =
  | 'user'
  | 'userByUsername'
  | 'room'
  | 'roomsOfUser'
  | 'roomsOfUserAfter'
  | 'publicRooms'
  | 'publicRoomsAfter'
  | 'members'
  | 'memberRole'
  | 'roomUse'
  | 'latestMessages'
  | 'messagesBefore'
  | 'messagesAfter'
  | 'messagesBetween'
  | 'message'
  | 'editHistory'
  | 'receipts'
  | 'friendships'
  | 'userIdsByEmail'
  | 'usernames'
  | 'usernamesAfter'
  | 'reactions'
  | 'pinnedSeqs'
  | 'file'
  | 'attachmentsBetween'
  | 'fileAudience'
  | 'fileAvatar'
  | 'unsentFiles'
  | 'filesWithContent'
  | 'replies'
  | 'threadRoots'
  | 'threadPage'
  | 'mentions'
  | 'mentionPlaces'
  | 'mentionPlacesBefore'
  | 'blocks';

export function readSql(t: OracleTables): Record<ReadName, string> {
  const userColumns = `user_id, username, email, display_name, status_text, avatar_url, password_hash, role,
    ${millisOf('created_at')} AS created_at`;
  const roomColumns = `r.room_id, r.name, r.topic, r.kind, r.created_by, ${millisOf('r.created_at')} AS created_at, r.head_seq,
    r.last_message_seq, ${millisOf('r.last_activity_at')} AS last_activity_at,
    (SELECT COUNT(*) FROM ${t.members} c WHERE c.room_id = r.room_id) AS member_count`;
  const fileColumns = `f.file_id, f.uploaded_by, f.name, f.content_type, f.byte_size, f.sha256, f.width, f.height,
    f.thumbnail, ${millisOf('f.uploaded_at')} AS uploaded_at, f.erased, ${millisOf('f.discarded_at')} AS discarded_at`;
  const messageColumns = `message_id, room_id, seq, sender_id, text, ${millisOf('created_at')} AS created_at,
    ${millisOf('edited_at')} AS edited_at, deleted, erased`;
  // The unread count is a range scan of messages_unread (room_id, seq > marker, deleted, sender_id) per room of the
  // page: its cost is the messages after the marker, never the room's history.
  const roomsOfUser = (cursor: string): string => `SELECT ${roomColumns}, m.role AS member_role,
      (SELECT COUNT(*) FROM ${t.messages} g
        WHERE g.room_id = m.room_id AND g.seq > NVL(k.read_seq, 0) AND g.deleted = 0 AND g.sender_id <> m.user_id
      ) AS unread_count,
      (SELECT COUNT(*) FROM ${t.mentions} x
        JOIN ${t.messages} mg ON mg.room_id = x.room_id AND mg.seq = x.seq AND mg.deleted = 0
        WHERE x.user_id = m.user_id AND x.room_id = m.room_id AND x.seq > NVL(k.read_seq, 0)
          AND NOT EXISTS (SELECT 1 FROM ${t.blocks} b WHERE b.user_id = x.user_id AND b.blocked_id = x.sender_id)
      ) AS mention_count,
      NVL(k.read_seq, 0) AS read_seq, NVL(k.delivered_seq, 0) AS delivered_seq
    FROM ${t.members} m JOIN ${t.rooms} r ON r.room_id = m.room_id
    LEFT JOIN ${t.markers} k ON k.user_id = m.user_id AND k.room_id = m.room_id
    WHERE m.user_id = :userId ${cursor} ORDER BY m.room_id FETCH FIRST :limit ROWS ONLY`;
  // Oracle has no empty string ('' is NULL), so "no cursor" is its own statement rather than `> ''`.
  const publicRooms = (cursor: string): string =>
    `SELECT ${roomColumns} FROM ${t.rooms} r WHERE r.kind = 'public' ${cursor} ORDER BY r.room_id FETCH FIRST :limit ROWS ONLY`;
  const usernames = (cursor: string): string =>
    `SELECT user_id, username FROM ${t.users} ${cursor} ORDER BY user_id FETCH FIRST :limit ROWS ONLY`;
  const messages = (where: string, order: 'ASC' | 'DESC'): string =>
    `SELECT ${messageColumns} FROM ${t.messages} WHERE room_id = :roomId ${where} ORDER BY seq ${order} FETCH FIRST :limit ROWS ONLY`;
  // Readable now: a member of the room, or a public room. Never a deleted message or a blocked sender's (#17).
  const mentionPlaces = (cursor: string): string => `SELECT x.room_id, x.seq FROM ${t.mentions} x
      JOIN ${t.messages} g ON g.room_id = x.room_id AND g.seq = x.seq AND g.deleted = 0
      JOIN ${t.rooms} r ON r.room_id = x.room_id
    WHERE x.user_id = :userId ${cursor}
      AND (r.kind = 'public' OR EXISTS (SELECT 1 FROM ${t.members} c WHERE c.room_id = x.room_id AND c.user_id = x.user_id))
      AND NOT EXISTS (SELECT 1 FROM ${t.blocks} b WHERE b.user_id = x.user_id AND b.blocked_id = x.sender_id)
    ORDER BY x.created_at DESC, x.room_id DESC, x.seq DESC FETCH FIRST :limit ROWS ONLY`;
  return {
    user: `SELECT ${userColumns} FROM ${t.users} WHERE user_id = :userId`,
    userByUsername: `SELECT ${userColumns} FROM ${t.users} WHERE username_normalised = :username
      ORDER BY created_at, user_id FETCH FIRST 1 ROWS ONLY`,
    room: `SELECT ${roomColumns} FROM ${t.rooms} r WHERE r.room_id = :roomId`,
    roomsOfUser: roomsOfUser(''),
    roomsOfUserAfter: roomsOfUser('AND m.room_id > :after'),
    publicRooms: publicRooms(''),
    publicRoomsAfter: publicRooms('AND r.room_id > :after'),
    // known_user tells a user with an empty display name (stored as NULL) from a user not projected yet.
    members: `SELECT m.user_id, u.user_id AS known_user, u.username, u.display_name, m.role,
        ${millisOf('m.joined_at')} AS joined_at
      FROM ${t.members} m LEFT JOIN ${t.users} u ON u.user_id = m.user_id
      WHERE m.room_id = :roomId ORDER BY m.joined_at, m.user_id`,
    memberRole: `SELECT role FROM ${t.members} WHERE room_id = :roomId AND user_id = :userId`,
    roomUse: `SELECT r.kind, m.role FROM ${t.rooms} r
      LEFT JOIN ${t.members} m ON m.room_id = r.room_id AND m.user_id = :userId
      WHERE r.room_id = :roomId`,
    latestMessages: messages('', 'DESC'),
    messagesBefore: messages('AND seq < :before', 'DESC'),
    messagesAfter: messages('AND seq > :after', 'ASC'),
    messagesBetween: messages('AND seq > :after AND seq < :before', 'ASC'),
    message: `SELECT ${messageColumns} FROM ${t.messages} WHERE room_id = :roomId AND seq = :seq`,
    editHistory: `SELECT text, ${millisOf('edited_at')} AS edited_at, edited_by FROM ${t.edits}
      WHERE room_id = :roomId AND seq = :seq ORDER BY edit_seq`,
    receipts: `SELECT m.user_id, NVL(k.read_seq, 0) AS read_seq, NVL(k.delivered_seq, 0) AS delivered_seq
      FROM ${t.members} m LEFT JOIN ${t.markers} k ON k.user_id = m.user_id AND k.room_id = m.room_id
      WHERE m.room_id = :roomId ORDER BY m.joined_at, m.user_id`,
    friendships: `SELECT friend_id, ${millisOf('since')} AS since FROM ${t.friendships}
      WHERE user_id = :userId AND status = :status ORDER BY since, friend_id`,
    userIdsByEmail: `SELECT user_id FROM ${t.users} WHERE LOWER(email) = LOWER(:email) ORDER BY user_id`,
    usernames: usernames(''),
    usernamesAfter: usernames('WHERE user_id > :after'),
    reactions: `SELECT seq, emoji, user_id FROM ${t.reactions} WHERE room_id = :roomId AND seq BETWEEN :fromSeq AND :toSeq
      ORDER BY seq, reaction_seq, user_id`,
    pinnedSeqs: `SELECT seq FROM ${t.pins} WHERE room_id = :roomId ORDER BY pin_seq DESC, seq DESC`,
    mentions: `SELECT seq, user_id FROM ${t.mentions} WHERE room_id = :roomId AND seq BETWEEN :fromSeq AND :toSeq
      ORDER BY seq, position`,
    blocks: `SELECT blocked_id, ${millisOf('blocked_at')} AS blocked_at FROM ${t.blocks} WHERE user_id = :userId
      ORDER BY blocked_at, blocked_id`,
    mentionPlaces: mentionPlaces(''),
    // Oracle compares row values only for equality: the keyset (created_at, room_id, seq) < cursor, spelled out.
    mentionPlacesBefore: mentionPlaces(`AND (x.created_at < ${tsFromMillis('beforeAt')}
      OR (x.created_at = ${tsFromMillis('beforeAt')} AND (x.room_id < :beforeRoomId
        OR (x.room_id = :beforeRoomId AND x.seq < :beforeSeq))))`),
    replies: `SELECT seq, reply_to_seq, thread_seq FROM ${t.replies}
      WHERE room_id = :roomId AND seq BETWEEN :fromSeq AND :toSeq`,
    threadRoots: `SELECT root_seq, reply_count, ${millisOf('last_reply_at')} AS last_reply_at FROM ${t.threadRoots}
      WHERE room_id = :roomId AND root_seq BETWEEN :fromSeq AND :toSeq`,
    threadPage: `SELECT seq FROM ${t.replies} WHERE room_id = :roomId AND thread_seq = :threadSeq AND seq > :after
      ORDER BY seq FETCH FIRST :limit ROWS ONLY`,
    file: `SELECT ${fileColumns} FROM ${t.files} f WHERE f.file_id = :fileId`,
    attachmentsBetween: `SELECT a.seq, a.file_id, a.name, a.content_type, a.byte_size, a.sha256, a.width, a.height,
        a.thumbnail, f.erased
      FROM ${t.attachments} a LEFT JOIN ${t.files} f ON f.file_id = a.file_id
      WHERE a.room_id = :roomId AND a.seq BETWEEN :low AND :high ORDER BY a.seq, a.item_no`,
    fileAudience: `SELECT r.room_id, r.kind,
        CASE WHEN EXISTS (SELECT 1 FROM ${t.members} m WHERE m.room_id = r.room_id AND m.user_id = :userId)
          THEN 1 ELSE 0 END AS member
      FROM ${t.rooms} r
      WHERE r.room_id IN (SELECT a.room_id FROM ${t.attachments} a
        JOIN ${t.messages} g ON g.room_id = a.room_id AND g.seq = a.seq
        WHERE a.file_id = :fileId AND g.deleted = 0)
      ORDER BY r.room_id`,
    fileAvatar: `SELECT user_id FROM ${t.users} WHERE avatar_file_id = :fileId FETCH FIRST 1 ROWS ONLY`,
    unsentFiles: `SELECT ${fileColumns} FROM ${t.files} f
      WHERE f.discarded_at IS NULL AND f.erased = 0 AND f.uploaded_at < ${tsFromMillis('uploadedBefore')}
        AND NOT EXISTS (SELECT 1 FROM ${t.attachments} a WHERE a.file_id = f.file_id)
        AND NOT EXISTS (SELECT 1 FROM ${t.users} u WHERE u.avatar_file_id = f.file_id)
      ORDER BY f.uploaded_at, f.file_id FETCH FIRST :limit ROWS ONLY`,
    filesWithContent: `SELECT ${fileColumns} FROM ${t.files} f WHERE f.uploaded_by = :uploadedBy AND f.sha256 = :sha256
      ORDER BY f.file_id`,
  };
}

/** Look-up of several users: one placeholder per id (:u0, :u1, ...), the ids themselves bound. */
export function usersByIdSql(t: OracleTables, count: number): string {
  const placeholders = Array.from({ length: count }, (_, i) => `:u${i}`).join(', ');
  return `SELECT user_id, username, email, display_name, status_text, avatar_url, password_hash, role,
    ${millisOf('created_at')} AS created_at
    FROM ${t.users} WHERE user_id IN (${placeholders})`;
}

/** Oracle allows at most 1000 expressions in an IN list (ORA-01795). */
export const MAX_IN_LIST = 1000;

/** The bind variable names a statement uses, for checking bind rows against it. */
export function placeholdersOf(sql: string): Set<string> {
  const withoutQuoted = sql.replace(/'[^']*'/g, "''");
  return new Set([...withoutQuoted.matchAll(/:([A-Za-z][A-Za-z0-9_]*)/g)].map((match) => match[1] ?? ''));
}
