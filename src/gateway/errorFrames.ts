import { errorBodyOf } from '../http/errorMapping.js';
import type { ErrorFrame, FrameRef } from './protocol.js';

/**
 * The `chat.error` for a failure, with the same code, message and details a REST client would get: codes are
 * mapped in one place (http/errorMapping.ts), so both edges speak one table. `internal` says whether it is the
 * server's fault (worth logging) rather than the client's.
 */
export function errorFrameOf(error: unknown, ref: FrameRef | undefined): { frame: ErrorFrame; internal: boolean } {
  const { status, body } = errorBodyOf(error);
  const frame: ErrorFrame = { type: 'chat.error', code: body.error.code, message: body.error.message };
  if (ref !== undefined) frame.ref = ref;
  if (body.error.details !== undefined) frame.details = body.error.details;
  return { frame, internal: status >= 500 };
}
