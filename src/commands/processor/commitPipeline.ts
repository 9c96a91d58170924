import type { PlannedReply } from './plannedReply.js';
import type { EncodedEvent } from './streamWriter.js';

// The processor decides the next commands of a partition while the previous transaction commits (issue #14: one
// transaction's round trips used to set the pace of every command behind it, and, since kafkajs fetches again only
// once every partition's handler has returned, of every partition). A partition's transactions still commit one
// after another, in the order their commands were decided, on the partition's one transactional producer: what
// is decided while one commits waits for the next transaction, and whatever is decided meanwhile joins it.

/** Commands of one partition decided together: their events, their replies and the commands offset after them. */
export interface DecidedCommands {
  events: EncodedEvent[];
  planned: PlannedReply[];
  /** The commands offset after the last command decided. */
  nextOffset: number;
}

/** Commits one transaction; throws if it did not commit (then nothing of it is visible). */
export type CommitTransaction = (transaction: DecidedCommands) => Promise<void>;

interface Transaction extends DecidedCommands {
  settled: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The transactions of one owned partition: the one committing now and the one decided commands join meanwhile.
 * After a failure it commits nothing more: the processor takes the partition over again and reads its commands
 * again from the last committed offset (commandProcessor.ts), and what was decided on the failed state is dropped.
 */
export class CommitPipeline {
  private waitingTransaction: Transaction | undefined;
  private committing: Transaction | undefined;
  private failure: unknown;
  private readonly idleWaiters = new Set<() => void>();

  constructor(
    private readonly commit: CommitTransaction,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /**
   * Joins the commands to the next transaction and makes sure it runs. Returns the promise of that transaction:
   * resolved once it is committed, rejected if it is not.
   */
  add(decided: DecidedCommands): Promise<void> {
    if (this.failure !== undefined) throw new Error('the commit pipeline of this partition was abandoned');
    const transaction = (this.waitingTransaction ??= newTransaction());
    const shift = transaction.events.length;
    transaction.events.push(...decided.events);
    for (const reply of decided.planned) transaction.planned.push(shifted(reply, shift));
    transaction.nextOffset = decided.nextOffset;
    void this.run();
    return transaction.settled;
  }

  /** Settles once the transaction committing now has (at once when none is). */
  async currentSettled(): Promise<void> {
    await this.committing?.settled.catch(() => undefined);
  }

  /** Settles once nothing commits or waits to. */
  idle(): Promise<void> {
    if (!this.committing && !this.waitingTransaction) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /**
   * Commits nothing more: the waiting transaction is dropped (its promise rejects) and the one committing now is
   * left to settle, which this resolves after.
   */
  async abandon(error: unknown): Promise<void> {
    this.failure ??= error;
    this.dropWaiting(error);
    await this.currentSettled();
  }

  private async run(): Promise<void> {
    if (this.committing) return;
    while (this.waitingTransaction && this.failure === undefined) {
      const transaction = this.waitingTransaction;
      this.waitingTransaction = undefined;
      this.committing = transaction;
      try {
        await this.commit(transaction);
        transaction.resolve();
      } catch (error) {
        this.failure ??= error;
        transaction.reject(error);
        this.dropWaiting(error);
        this.onFailure(error);
      } finally {
        this.committing = undefined;
      }
    }
    this.dropWaiting(this.failure);
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters.clear();
  }

  private dropWaiting(error: unknown): void {
    if (error === undefined) return;
    this.waitingTransaction?.reject(error);
    this.waitingTransaction = undefined;
  }
}

function newTransaction(): Transaction {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const settled = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever waits on it sees the rejection; nobody waiting is no crash.
  settled.catch(() => undefined);
  return { events: [], planned: [], nextOffset: 0, settled, resolve, reject };
}

/** A reply whose events are `shift` places further into the transaction's events. */
function shifted(reply: PlannedReply, shift: number): PlannedReply {
  if (shift === 0 || reply.outcome.status !== 'written') return reply;
  return { ...reply, outcome: { ...reply.outcome, first: reply.outcome.first + shift } };
}
