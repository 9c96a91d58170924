import avro from 'avsc';
import { describe, expect, it } from 'vitest';

import { checkBackwardCompatible } from '../../../src/events/registry/compatibility.js';

type Field = { name: string; type: unknown; default?: unknown; aliases?: string[] };

const record = (fields: Field[], name = 'Thing'): string =>
  JSON.stringify({ type: 'record', name, namespace: 'test', fields });

const colour = (symbols: string[], extra: Record<string, unknown> = {}): unknown => ({
  type: 'enum',
  name: 'Colour',
  symbols,
  ...extra,
});

const base: Field[] = [
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int' },
];

function expectIncompatible(reader: string, writer: string, reasonPart: string): void {
  const result = checkBackwardCompatible(reader, writer);
  expect(result.compatible).toBe(false);
  if (!result.compatible) {
    expect(result.reason).toContain(reasonPart);
  }
}

/** The checker's "compatible" must mean a real writer datum decodes through a resolver. */
function expectReadable(reader: string, writer: string): void {
  expect(checkBackwardCompatible(reader, writer)).toEqual({ compatible: true });
  const readerType = avro.Type.forSchema(JSON.parse(reader));
  const writerType = avro.Type.forSchema(JSON.parse(writer));
  const resolver = readerType.createResolver(writerType);
  for (let i = 0; i < 20; i += 1) {
    const decoded: unknown = readerType.fromBuffer(writerType.toBuffer(writerType.random()), resolver);
    expect(readerType.isValid(decoded)).toBe(true);
  }
}

describe('checkBackwardCompatible', () => {
  describe('accepts', () => {
    it('the same schema', () => {
      expectReadable(record(base), record(base));
    });

    it('a field added with a default', () => {
      expectReadable(record([...base, { name: 'note', type: ['null', 'string'], default: null }]), record(base));
      expectReadable(record([...base, { name: 'level', type: 'long', default: 3 }]), record(base));
    });

    it('a removed field (the reader skips it)', () => {
      expectReadable(record([{ name: 'id', type: 'string' }]), record(base));
    });

    it('a promoted type (int to long) and a field made nullable', () => {
      expectReadable(
        record([
          { name: 'id', type: ['null', 'string'], default: null },
          { name: 'count', type: 'long' },
        ]),
        record(base),
      );
    });

    it('an added enum symbol', () => {
      expectReadable(
        record([{ name: 'colour', type: colour(['red', 'green', 'blue']) }]),
        record([{ name: 'colour', type: colour(['red', 'green']) }]),
      );
    });

    it('a removed enum symbol when the reader enum has a default', () => {
      const reader = record([{ name: 'colour', type: colour(['red', 'green'], { default: 'red' }) }]);
      const writer = record([{ name: 'colour', type: colour(['red', 'green', 'blue']) }]);
      expectReadable(reader, writer);
      const readerType = avro.Type.forSchema(JSON.parse(reader));
      const writerType = avro.Type.forSchema(JSON.parse(writer));
      const decoded: unknown = readerType.fromBuffer(
        writerType.toBuffer({ colour: 'blue' }),
        readerType.createResolver(writerType),
      );
      expect(decoded).toEqual({ colour: 'red' });
    });

    it('a renamed field that keeps the old name as an alias', () => {
      expectReadable(
        record([
          { name: 'id', type: 'string' },
          { name: 'total', type: 'int', aliases: ['count'] },
        ]),
        record(base),
      );
    });

    it('parsed avsc Types as well as JSON text', () => {
      const type = avro.Type.forSchema(JSON.parse(record(base)));
      expect(checkBackwardCompatible(type, type)).toEqual({ compatible: true });
    });
  });

  describe('rejects', () => {
    it('a field added without a default, naming the field', () => {
      expectIncompatible(
        record([...base, { name: 'note', type: 'string' }]),
        record(base),
        'field test.Thing.note is missing from the writer schema and has no default',
      );
    });

    it('a field added without a default inside a nested record', () => {
      const nested = (fields: Field[]): Field => ({
        name: 'data',
        type: { type: 'record', name: 'Inner', fields },
      });
      expectIncompatible(
        record([nested([{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }])]),
        record([nested([{ name: 'a', type: 'string' }])]),
        'test.Inner.b',
      );
    });

    it('a type change from string to int', () => {
      expectIncompatible(
        record([
          { name: 'id', type: 'int' },
          { name: 'count', type: 'int' },
        ]),
        record(base),
        'cannot resolve',
      );
    });

    it('a narrowed type (long to int)', () => {
      expectIncompatible(record([{ name: 'n', type: 'int' }]), record([{ name: 'n', type: 'long' }]), 'cannot resolve');
    });

    it('a field made non-nullable (the writer may have written null)', () => {
      expectIncompatible(
        record([{ name: 'note', type: 'string' }]),
        record([{ name: 'note', type: ['null', 'string'], default: null }]),
        'cannot resolve',
      );
    });

    it('a removed enum symbol when the reader enum has no default', () => {
      expectIncompatible(
        record([{ name: 'colour', type: colour(['red', 'green']) }]),
        record([{ name: 'colour', type: colour(['red', 'green', 'blue']) }]),
        'enum test.Colour cannot read symbol(s) blue',
      );
    });

    it('a renamed record', () => {
      expectIncompatible(record(base, 'Other'), record(base), 'cannot resolve');
    });

    it('schemas that are not valid Avro, saying which side', () => {
      expectIncompatible('{"type":"record","name":"X"}', record(base), 'reader schema is not valid Avro');
      expectIncompatible(record(base), 'not json', 'writer schema is not valid Avro');
      expectIncompatible(
        record([{ name: 'note', type: ['null', 'string'], default: 'x' }]),
        record(base),
        'reader schema is not valid Avro',
      );
    });
  });
});
