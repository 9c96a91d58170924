// Argument checks every EventLog adapter applies the same way, so each refuses bad input with the same errors.

import { ValidationError } from '../domain/errors.js';
import type { ExpectedVersion } from './eventLog.js';

/** Whether a stream at version `current` may take an append that expects `expected`. */
export function matchesExpected(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return current === 0;
  return expected === current;
}

export function validateStreamId(streamId: string): void {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new ValidationError('stream id must be a non-empty string');
  }
}

export function validateExpected(expected: ExpectedVersion): void {
  if (expected === 'any' || expected === 'no-stream') return;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new ValidationError('expected version must be "any", "no-stream" or an integer of at least 0', {
      expected,
    });
  }
}

export function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`${name} must be an integer of at least 0`, { [name]: value });
  }
  return value;
}

export function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`${name} must be an integer of at least 1`, { [name]: value });
  }
  return value;
}

/** The first version to read from: 1-based, default 1. */
export function fromVersionOf(fromVersion: number | undefined): number {
  const value = fromVersion ?? 1;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError('fromVersion must be an integer of at least 1', { fromVersion: value });
  }
  return value;
}
