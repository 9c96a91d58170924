import type { EventLog } from '../eventlog/eventLog.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import { SqliteEventLog } from '../eventlog/sqlite/sqliteEventLog.js';
import type { StoredEventReader } from '../eventlog/storedEventReader.js';
import type { EventCodec } from '../events/eventCodec.js';
import { undecorated } from '../eventlog/eventLog.js';
import type { ChainFieldReader } from './chainVerifier.js';

/** Both log adapters read their stored bytes; a log without that (a test double) cannot be audited. */
export function storedEventReaderOf(decorated: EventLog): StoredEventReader | undefined {
  // Stored bytes are below the crypto-shredding decorator (src/privacy), which only changes decoded reads.
  const log = undecorated(decorated);
  return log instanceof SqliteEventLog || log instanceof KafkaEventLog ? log : undefined;
}

/** The chain fields of stored bytes, through the service's codec (any registered schema version). */
export function chainFieldsThrough(codec: EventCodec): ChainFieldReader {
  return (body, at) => {
    const { streamId, streamVersion, previousHash } = codec.decode(body, at);
    return { streamId, streamVersion, previousHash };
  };
}
