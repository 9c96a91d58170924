import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { KafkaClientKind, TransactionsCommand, TransactionsResult } from './clients/kafkaTransactions.js';
import { Histogram } from './lib/histogram.js';
import { askWorker } from './lib/proc.js';
import type { BenchResult, Row } from './lib/report.js';

// Issue #14 asks for the Kafka client to be chosen on evidence. This runs the command processor's transaction (events,
// replies and the consumed offset, committed together) with each client on the same broker, one client process at a
// time, and reports transactions per second, their latency, and the client's CPU per transaction (the broker's CPU
// is the same work for every client, and the machine is shared: CPU per transaction moves less than rates).
//
//   npm run bench -- kafka-clients [--quick] [--seconds N]      (needs KAFKA_BROKERS: `bash scripts/services up`)

export interface KafkaClientsOptions {
  quick: boolean;
  seconds?: number | undefined;
}

const CLIENTS: KafkaClientKind[] = ['kafkajs', 'kafkajs-tuned', 'platformatic', ...(process.env.BENCH_CONFLUENT_KAFKA ? ['confluent' as const] : [])];
/** 1 partition: one transaction at a time (latency); 4: what one processor owning several partitions does. */
const PARTITION_COUNTS = [1, 4];
/** Commands per transaction: one at a time, and a busy chunk. */
const BATCHES = [1, 10];

function runClient(command: TransactionsCommand): Promise<TransactionsResult> {
  return askWorker('bench/clients/kafkaTransactions.ts', command, (command.seconds + 60) * 1000, command.client);
}

export async function runKafkaClients(options: KafkaClientsOptions, log: (line: string) => void): Promise<BenchResult> {
  const brokers = process.env.KAFKA_BROKERS?.split(',');
  if (!brokers) return { settings: {}, rows: [], ratios: {}, notes: ['Not measured: KAFKA_BROKERS is not exported (`bash scripts/services up`, then `eval "$(bash scripts/services env)"`).'] };
  const seconds = options.seconds ?? (options.quick ? 3 : 10);
  const run = randomUUID().slice(0, 8);
  const topics = { events: `bench.tx.events.${run}`, replies: `bench.tx.replies.${run}`, commands: `bench.tx.commands.${run}` };
  const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const partitions = Math.max(...PARTITION_COUNTS);
  await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
  const rows: Row[] = [];
  const byConfig = new Map<string, Record<string, number>>();
  try {
    for (const partitionCount of PARTITION_COUNTS) {
      for (const batch of BATCHES) {
        for (const client of CLIENTS) {
          log(`kafka-clients: ${client}, ${partitionCount} partition(s), ${batch} command(s) per transaction, ${seconds} s`);
          const result = await runClient({ client, brokers, topics, groupId: `bench-processors-${run}`, partitions: partitionCount, batch, seconds });
          const latency = new Histogram();
          latency.merge(result.latency);
          const summary = latency.summary();
          const perSecond = result.transactions / result.seconds;
          rows.push({
            client,
            partitions: partitionCount,
            'commands/txn': batch,
            'txn/s': Math.round(perSecond),
            'commands/s': Math.round(perSecond * batch),
            'p50 ms': summary.p50Ms,
            'p99 ms': summary.p99Ms,
            'client CPU ms/txn': Math.round((result.cpuSeconds / result.transactions) * 1000 * 100) / 100,
          });
          const key = `${partitionCount}x${batch}`;
          byConfig.set(key, { ...byConfig.get(key), [client]: perSecond });
        }
      }
    }
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
  const ratios: Record<string, number | null> = {};
  for (const [key, rates] of byConfig) {
    for (const client of CLIENTS.filter((item) => item !== 'kafkajs')) {
      const base = rates.kafkajs;
      const other = rates[client];
      ratios[`txn/s ${client}/kafkajs @ ${key}`] = base && other ? Math.round((other / base) * 100) / 100 : null;
    }
  }
  return {
    settings: { seconds, partitionCounts: PARTITION_COUNTS, batches: BATCHES, clients: CLIENTS, eventBytes: 300, replyBytes: 90 },
    rows,
    ratios,
    notes: [
      'Each transaction: N events to events partition p, N replies to replies partition p, the commands offset of p for the processors group, commit (chunkTransaction.ts).',
      'kafkajs: as the processor had it (retries from 200 ms, two sends); kafkajs-tuned: retries from 10 ms, both topics in one sendBatch; platformatic: @platformatic/kafka 1.x, retries 10 ms apart, one send for both topics.',
      ...(CLIENTS.includes('confluent') ? ['confluent: @confluentinc/kafka-javascript (librdkafka) through its KafkaJS API, linger 0, retries 10 ms apart; both sends in flight at once.'] : ['confluent: not measured (BENCH_CONFLUENT_KAFKA unset; bench/README.md says how to build it).']),
      'One client process at a time against the same broker; partitions run concurrently, each with its own transactional producer.',
    ],
  };
}
