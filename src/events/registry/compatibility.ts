import avro from 'avsc';
import type { Type } from 'avsc';
import { parseAvroSchema } from '../avro/parseAvroSchema.js';

export type CompatibilityResult = { compatible: true } | { compatible: false; reason: string };

/**
 * Can a reader using `readerSchema` read every datum written with `writerSchema`? (BACKWARD compatibility of the
 * reader with the writer.) Schemas are JSON text or parsed avsc Types. avsc's resolver is the authority; a walk over
 * both schemas first names the usual culprits (a field added without a default, an enum symbol dropped without a
 * default) so the reason points at the field instead of quoting a whole schema.
 */
export function checkBackwardCompatible(readerSchema: string | Type, writerSchema: string | Type): CompatibilityResult {
  const reader = toType(readerSchema, 'reader');
  if (typeof reader === 'string') {
    return { compatible: false, reason: reader };
  }
  const writer = toType(writerSchema, 'writer');
  if (typeof writer === 'string') {
    return { compatible: false, reason: writer };
  }

  const problems: string[] = [];
  findDefaultProblems(reader, writer, problems, new Set());
  if (problems.length > 0) {
    return { compatible: false, reason: problems.join('; ') };
  }

  try {
    reader.createResolver(writer);
  } catch (error) {
    return { compatible: false, reason: `cannot resolve the writer schema into the reader: ${messageOf(error)}` };
  }
  return { compatible: true };
}

function toType(schema: string | Type, role: 'reader' | 'writer'): Type | string {
  if (typeof schema !== 'string') {
    return schema;
  }
  try {
    return parseAvroSchema(schema);
  } catch (error) {
    return `${role} schema is not valid Avro: ${messageOf(error)}`;
  }
}

function findDefaultProblems(reader: Type, writer: Type, problems: string[], seen: Set<string>): void {
  if (writer instanceof avro.types.UnwrappedUnionType || writer instanceof avro.types.WrappedUnionType) {
    for (const branch of writer.types) {
      const readerBranch = readerBranchFor(reader, branch);
      if (readerBranch !== undefined) {
        findDefaultProblems(readerBranch, branch, problems, seen);
      }
    }
    return;
  }
  if (reader instanceof avro.types.UnwrappedUnionType || reader instanceof avro.types.WrappedUnionType) {
    const readerBranch = readerBranchFor(reader, writer);
    if (readerBranch !== undefined) {
      findDefaultProblems(readerBranch, writer, problems, seen);
    }
    return;
  }
  if (reader instanceof avro.types.RecordType && writer instanceof avro.types.RecordType) {
    // Records may be recursive; each pair is walked once.
    const key = `${reader.name ?? ''}:${writer.name ?? ''}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    for (const field of reader.fields) {
      const names = [field.name, ...field.aliases];
      const match = writer.fields.find((candidate) => names.includes(candidate.name));
      if (match === undefined) {
        if (field.defaultValue() === undefined) {
          problems.push(
            `field ${reader.name ?? '?'}.${field.name} is missing from the writer schema and has no default`,
          );
        }
      } else {
        findDefaultProblems(field.type, match.type, problems, seen);
      }
    }
    return;
  }
  if (reader instanceof avro.types.EnumType && writer instanceof avro.types.EnumType) {
    const unknown = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
    if (unknown.length > 0 && enumDefault(reader) === undefined) {
      problems.push(
        `enum ${reader.name ?? '?'} cannot read symbol(s) ${unknown.join(', ')} of the writer and has no default`,
      );
    }
    return;
  }
  if (reader instanceof avro.types.ArrayType && writer instanceof avro.types.ArrayType) {
    findDefaultProblems(reader.itemsType, writer.itemsType, problems, seen);
    return;
  }
  if (reader instanceof avro.types.MapType && writer instanceof avro.types.MapType) {
    const readerValues: unknown = reader.valuesType;
    const writerValues: unknown = writer.valuesType;
    if (readerValues instanceof avro.Type && writerValues instanceof avro.Type) {
      findDefaultProblems(readerValues, writerValues, problems, seen);
    }
  }
  // Anything else (primitives, mismatched kinds) is left to the resolver, whose message is precise enough.
}

/**
 * The reader type Avro would resolve a (non-union) writer type into: the reader itself, or for a reader union the
 * branch with the same name (named types) or kind. Undefined when there is none; the resolver then reports it.
 */
function readerBranchFor(reader: Type, writer: Type): Type | undefined {
  if (!(reader instanceof avro.types.UnwrappedUnionType || reader instanceof avro.types.WrappedUnionType)) {
    return reader;
  }
  const sameName = writer.name === undefined ? undefined : reader.types.find((t) => t.name === writer.name);
  return sameName ?? reader.types.find((t) => t.typeName === writer.typeName);
}

function enumDefault(type: Type): unknown {
  // avsc keeps the enum default but its typings do not declare it.
  return Reflect.get(type, 'default');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
