import { describe, expect, it } from 'vitest';
import { oracleSearchTables, SEARCH_INDEX_MIGRATION } from '../../../src/projections/history/oracle/searchMigration.js';
import { oracleTables } from '../../../src/projections/history/oracle/oracleTables.js';
import { placeholdersOf } from '../../../src/projections/history/oracle/oracleSql.js';
import { bindsOf, searchReadSql, searchWriteSql } from '../../../src/projections/search/oracle/oracleSearchStore.js';
import { searchChanges, type SearchChange } from '../../../src/projections/search/searchChanges.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

// Oracle cannot run here: what can be checked without it is that every statement gets exactly the bind variables it
// names (a missing or extra one is ORA-01008 / NJS-098 at run time) and that migration 11 stays within the prefix.

describe('Oracle search SQL', () => {
  const tables = oracleSearchTables(oracleTables('p_'));

  it('binds exactly the variables each write names, for every kind of search change', () => {
    const log = new RecordedEventLog();
    log.createRoom('r-1', 'Room', 'public', 'u-alice');
    log.join('r-1', 'u-bob');
    const sent = log.send('r-1', 'u-bob', 'Hello Café');
    log.edit('r-1', sent.seq, 'edited', 'u-bob');
    log.leave('r-1', 'u-bob');
    log.delete('r-1', sent.seq, 'u-bob');
    log.erasePersonalData('u-bob');
    const changes: SearchChange[] = log.events.flatMap(searchChanges);
    expect(new Set(changes.map((change) => change.op))).toEqual(
      new Set(['roomKnown', 'memberAdded', 'memberRemoved', 'textSent', 'textEdited', 'textRemoved', 'senderErased']),
    );
    const write = searchWriteSql(tables);
    for (const change of changes) {
      expect(placeholdersOf(write[change.op]), change.op).toEqual(new Set(Object.keys(bindsOf(change))));
    }
    expect(bindsOf(changes.find((change) => change.op === 'textSent') ?? changes[0]!)).toMatchObject({ folded: 'hello cafe' });
  });

  it('binds exactly what the searches name, in a room and over every readable room', () => {
    const room = searchReadSql(tables, true);
    const all = searchReadSql(tables, false);
    expect(placeholdersOf(room.date)).toEqual(new Set(['roomId', 'query', 'below', 'takeRows']));
    expect(placeholdersOf(all.date)).toEqual(new Set(['userId', 'query', 'below', 'takeRows']));
    expect(placeholdersOf(all.relevance)).toEqual(new Set(['userId', 'query', 'top', 'windowRows', 'skipRows', 'takeRows']));
  });

  it('migration 11 creates only objects named with the prefix, in plain DDL', () => {
    expect(SEARCH_INDEX_MIGRATION.version).toBe(11);
    const ddl = SEARCH_INDEX_MIGRATION.statements(oracleTables('p_'));
    expect(ddl.every((statement) => /^CREATE (?:UNIQUE )?(?:TABLE|INDEX) p_\w+ /.test(statement))).toBe(true);
    expect(ddl.some((statement) => statement.includes('INDEXTYPE IS CTXSYS.CONTEXT'))).toBe(true);
  });
});
