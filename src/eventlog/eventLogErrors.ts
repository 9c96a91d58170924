import { ChatError } from '../domain/errors.js';

/**
 * A checkpoint that is not one: a stored value that does not parse, or a position that cannot exist. A store
 * whose checkpoint is unreadable must stop rather than restart from 0 and apply everything twice.
 */
export class InvalidCheckpointError extends ChatError {
  constructor(readonly reason: string) {
    super('CHECKPOINT_INVALID', `invalid checkpoint: ${reason}`, { reason });
  }
}
