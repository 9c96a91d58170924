import { z } from 'zod';

// An integer in a query string, read strictly. `z.coerce.number()` reads through JavaScript's Number(), so
// `?before=0x10` was 16, `?limit=1e2` 100, `?before=` and `?before=%20` 0: values a client never meant, answered as if
// it had. Here the only spelling is plain decimal digits (no sign, no leading zero, no blanks), which is also how
// an OpenAPI `type: integer` query parameter is serialised, so the document can say just that.

/** At most 16 digits: every safe integer fits, and a longer string is refused before it is converted. */
const DECIMAL_DIGITS = /^(?:0|[1-9][0-9]{0,15})$/;

export interface IntegerBounds {
  min: number;
  max: number;
}

/** A query parameter holding an integer within `bounds`; add `.optional()` or `.default(n)` with `.meta({ default: n })`. */
export function queryInteger(bounds: IntegerBounds) {
  return z
    .string()
    .regex(DECIMAL_DIGITS, 'a decimal integer: digits only, without sign, blanks or leading zeros')
    .transform(Number)
    .pipe(z.number().int().min(bounds.min).max(bounds.max))
    .meta({ type: 'integer', minimum: bounds.min, maximum: bounds.max });
}

/** A query integer that falls back to `value` when the parameter is left out; the document shows the default. */
export function queryIntegerOr(value: number, bounds: IntegerBounds) {
  return queryInteger(bounds).default(value).meta({ default: value });
}
