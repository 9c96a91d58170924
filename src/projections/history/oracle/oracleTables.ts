// Table and index names of one Oracle history store. Identifiers cannot be bind variables, so they are the only
// part of the SQL built from configuration, and only after this check: a prefix of letters, digits and `_`, short
// enough that every name stays within the 30-byte limit of Oracle releases before 12.2.

import { ValidationError } from '../../../domain/errors.js';

/** Longest object name below is 22 characters (projection_checkpoints): 8 more keeps it at 30. */
export const MAX_TABLE_PREFIX_LENGTH = 8;

export interface OracleTables {
  migrations: string;
  checkpoints: string;
  users: string;
  rooms: string;
  members: string;
  messages: string;
  edits: string;
  markers: string;
  friendships: string;
  reactions: string;
  erasedReactors: string;
  pins: string;
  files: string;
  attachments: string;
  replies: string;
  threadRoots: string;
  mentions: string;
  blocks: string;
  /** Prefix for index and constraint names. */
  prefix: string;
}

export function oracleTables(prefix = ''): OracleTables {
  if (!/^([A-Za-z][A-Za-z0-9_]*)?$/.test(prefix) || prefix.length > MAX_TABLE_PREFIX_LENGTH) {
    throw new ValidationError(
      `Oracle table prefix must be empty or start with a letter, hold letters, digits and _ only, and have at most ${MAX_TABLE_PREFIX_LENGTH} characters`,
      { prefix },
    );
  }
  const p = prefix.toLowerCase();
  return {
    migrations: `${p}schema_migrations`,
    checkpoints: `${p}projection_checkpoints`,
    users: `${p}users`,
    rooms: `${p}rooms`,
    members: `${p}members`,
    messages: `${p}messages`,
    edits: `${p}message_edits`,
    markers: `${p}read_markers`,
    friendships: `${p}friendships`,
    reactions: `${p}message_reactions`,
    erasedReactors: `${p}erased_reactors`,
    pins: `${p}pinned_messages`,
    files: `${p}files`,
    attachments: `${p}message_attachments`,
    replies: `${p}message_replies`,
    threadRoots: `${p}thread_roots`,
    mentions: `${p}message_mentions`,
    blocks: `${p}user_blocks`,
    prefix: p,
  };
}
