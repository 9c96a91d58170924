import { ChatError } from '../../domain/errors.js';

/** The local index file was built from another topic: its positions would mean nothing for this one. */
export class EventIndexMismatchError extends ChatError {
  constructor(
    readonly topic: string,
    readonly indexedTopic: string,
  ) {
    super(
      'EVENT_LOG_MISCONFIGURED',
      `the event index file holds topic "${indexedTopic}", not "${topic}": delete the file to rebuild it from the topic`,
      { topic, indexedTopic },
    );
  }
}

/** The events topic exists but cannot serve as the log (for example, it is compacted, which would drop events). */
export class EventTopicMisconfiguredError extends ChatError {
  constructor(
    readonly topic: string,
    readonly reason: string,
  ) {
    super('EVENT_LOG_MISCONFIGURED', `the events topic "${topic}" cannot be used: ${reason}`, { topic, reason });
  }
}
