import { z } from 'zod';

/**
 * The client's own id of a frame, echoed as `ref` in the answer (API.md `chat.error.ref`). Its own file because
 * both directions use it: client frames carry it as `id`, server frames echo it as `ref`.
 */
export const frameRefSchema = z
  .union([z.string().min(1).max(100), z.number().int().safe()])
  .meta({ description: "The client's own id of a frame (a string of 1..100 characters or an integer)." });

export type FrameRef = z.infer<typeof frameRefSchema>;
