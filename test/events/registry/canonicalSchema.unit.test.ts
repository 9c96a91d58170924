import { describe, expect, it } from 'vitest';

import { canonicalSchema } from '../../../src/events/registry/canonicalSchema.js';

describe('canonicalSchema', () => {
  it('ignores whitespace and key order', () => {
    const a = '{"type":"record","name":"X","fields":[{"name":"a","type":"string"}]}';
    const b = `{
      "fields": [ { "type": "string", "name": "a" } ],
      "name": "X",
      "type": "record"
    }`;
    expect(canonicalSchema(b)).toBe(canonicalSchema(a));
  });

  it('keeps array order, defaults and docs, which change meaning or history', () => {
    const fields = (names: string[]) =>
      JSON.stringify({ type: 'record', name: 'X', fields: names.map((name) => ({ name, type: 'int' })) });
    expect(canonicalSchema(fields(['a', 'b']))).not.toBe(canonicalSchema(fields(['b', 'a'])));
    const withDefault = '{"type":"record","name":"X","fields":[{"name":"a","type":"int","default":1}]}';
    const withoutDefault = '{"type":"record","name":"X","fields":[{"name":"a","type":"int"}]}';
    expect(canonicalSchema(withDefault)).not.toBe(canonicalSchema(withoutDefault));
  });

  it('throws on text that is not JSON', () => {
    expect(() => canonicalSchema('{nope')).toThrow(SyntaxError);
  });
});
