import type { z } from 'zod';
import { ValidationError } from '../domain/errors.js';

/**
 * Parses one part of a request. Issues are reported with their paths so clients can point at the field.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, part: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`invalid ${part}`, {
    part,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      code: issue.code,
      message: issue.message,
    })),
  });
}
