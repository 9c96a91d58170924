import { z } from 'zod';

export type PayloadSchema = z.core.JSONSchema.BaseSchema;
export type PayloadOverride = (ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: PayloadSchema }) => void;

/**
 * A zod schema as the JSON Schema an AsyncAPI payload holds (AsyncAPI's schema object is a superset of JSON Schema
 * draft 07). The input side, because an object described there stays open: a reader must accept fields added later,
 * while zod's output side would close every object. A `z.custom` has no JSON Schema of its own: it says its shape
 * with `.meta({ type: ... })`, which zod puts in its place; anything else unrepresentable (a transform without a
 * schema, a function) fails here rather than being documented as "anything".
 */
export function payloadSchemaOf(schema: z.ZodType, override?: PayloadOverride): PayloadSchema {
  const { $schema: _dialect, ...payload } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: ({ zodSchema }) => (zodSchema._zod.def.type === 'custom' ? 'any' : 'throw'),
    ...(override ? { override } : {}),
  });
  return payload;
}
