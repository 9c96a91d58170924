// Which partition of the events topic a stream lives in: murmur2 of the stream id modulo the partition count, the
// rule of Java's default partitioner. It is kafkajs' own DefaultPartitioner, asked with a key and the partition
// count, so what partitionOf says and where a keyed produce (ours, or any Java or librdkafka client's) lands cannot
// disagree.

import { Partitioners, type PartitionMetadata } from 'kafkajs';

export type StreamPartitioner = (streamId: string) => number;

export function streamPartitioner(topic: string, partitions: number): StreamPartitioner {
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new RangeError(`a topic needs at least one partition, got ${partitions}`);
  }
  const choose = Partitioners.DefaultPartitioner();
  // A key always decides by hash and count; leaders and replicas play no part, so any healthy-looking list will do.
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }));
  return (streamId) => choose({ topic, partitionMetadata, message: { key: streamId, value: null } });
}
