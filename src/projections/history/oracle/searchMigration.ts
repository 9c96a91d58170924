// Migration 11 (issue #17, search): the Oracle search view beside the history tables, in the same schema and
// prefix, so `chat migrate` and ORACLE_MIGRATE handle it with the rest. (9, 10 and 11 belong to other #17 features.)
//
// - search_docs holds each searchable message's current text, folded (foldForSearch: no accents, lower case), under
//   an Oracle Text CONTEXT index. Folding in the service rather than with a lexer preference keeps the migration
//   plain DDL (no CTX_DDL PL/SQL, no rights beyond CREATE INDEX on CTXSYS.CONTEXT, which CTXAPP or the default
//   grants give) and makes Oracle match exactly what SQLite FTS5's unicode61 remove_diacritics matches.
//   EMPTY_STOPLIST: a chat search for "the who" must find it. SYNC (ON COMMIT): a projected message is searchable
//   once its batch commits, like the SQLite index.
// - doc numbers messages in the order the index received them (an identity column): date order walks it.
// - search_rooms and search_members: who may read what, as of the search projection's checkpoint (kept in the
//   shared projection_checkpoints table under projection 'search').

import type { OracleTables } from './oracleTables.js';

export interface OracleSearchTables {
  docs: string;
  rooms: string;
  members: string;
  checkpoints: string;
  prefix: string;
}

export function oracleSearchTables(t: OracleTables): OracleSearchTables {
  return {
    docs: `${t.prefix}search_docs`,
    rooms: `${t.prefix}search_rooms`,
    members: `${t.prefix}search_members`,
    checkpoints: t.checkpoints,
    prefix: t.prefix,
  };
}

// Typed structurally (a Migration of migrations.ts), since migrations.ts imports this file and the folder has no cycles.
export const SEARCH_INDEX_MIGRATION = {
  version: 11,
  name: 'search index (Oracle Text)',
  statements: (tables: OracleTables): string[] => {
    const t = oracleSearchTables(tables);
    return [
      `CREATE TABLE ${t.rooms} (
        room_id   VARCHAR2(200 BYTE) NOT NULL,
        is_public NUMBER(1) NOT NULL,
        CONSTRAINT ${t.prefix}search_rooms_pk PRIMARY KEY (room_id)
      ) ORGANIZATION INDEX`,
      `CREATE TABLE ${t.members} (
        user_id VARCHAR2(200 BYTE) NOT NULL,
        room_id VARCHAR2(200 BYTE) NOT NULL,
        CONSTRAINT ${t.prefix}search_members_pk PRIMARY KEY (user_id, room_id)
      ) ORGANIZATION INDEX`,
      `CREATE TABLE ${t.docs} (
        doc        NUMBER(19) GENERATED ALWAYS AS IDENTITY,
        message_id VARCHAR2(200 BYTE) NOT NULL,
        room_id    VARCHAR2(200 BYTE) NOT NULL,
        seq        NUMBER(19) NOT NULL,
        sender_id  VARCHAR2(200 BYTE) NOT NULL,
        folded     VARCHAR2(1000 CHAR) NOT NULL,
        CONSTRAINT ${t.prefix}search_docs_pk PRIMARY KEY (doc)
      )`,
      `CREATE UNIQUE INDEX ${t.prefix}search_docs_by_id ON ${t.docs} (message_id)`,
      `CREATE INDEX ${t.prefix}search_docs_by_sender ON ${t.docs} (sender_id)`,
      `CREATE INDEX ${t.prefix}search_docs_by_room ON ${t.docs} (room_id, doc)`,
      `CREATE INDEX ${t.prefix}search_docs_text ON ${t.docs} (folded) INDEXTYPE IS CTXSYS.CONTEXT
        PARAMETERS ('STOPLIST CTXSYS.EMPTY_STOPLIST SYNC (ON COMMIT)')`,
    ];
  },
};
