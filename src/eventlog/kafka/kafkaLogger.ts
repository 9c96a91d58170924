import { logLevel, type LogEntry, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * kafkajs logs to the console by default; this routes its lines into the service's pino logger instead (one JSON
 * log). Its ERROR lines are mostly retries it recovers from by itself, so they come out as warnings: what the
 * event log cannot recover from, it logs as an error itself, once, in its own words.
 */
export function kafkaLogCreator(logger: Logger | undefined): logCreator {
  return () => (entry: LogEntry) => {
    if (logger === undefined) return;
    const { message, timestamp: _timestamp, ...details } = entry.log;
    const fields = { kafkajs: entry.namespace, ...details };
    switch (entry.level) {
      case logLevel.ERROR:
      case logLevel.WARN:
        logger.warn(fields, message);
        return;
      case logLevel.INFO:
        logger.debug(fields, message);
        return;
      case logLevel.DEBUG:
      case logLevel.NOTHING:
        logger.trace(fields, message);
        return;
      default:
        unreachable(entry.level);
    }
  };
}

function unreachable(level: never): never {
  throw new Error(`unknown kafkajs log level ${String(level)}`);
}
