// Value shapes that settings of several sections share, so a count or a list is read the same way everywhere.

import { z } from 'zod';

export const positiveInt = z.coerce.number().int().positive();

/** A comma-separated list; blanks around items and empty items are dropped, so `a, b,` is `['a', 'b']`. */
export const csv = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );
