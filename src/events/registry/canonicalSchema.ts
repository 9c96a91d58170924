/**
 * The form two schema texts are compared in: JSON with object keys sorted and no whitespace; array order (fields,
 * symbols, union branches) is kept because it is meaningful in Avro. Unlike Avro's Parsing Canonical Form this keeps
 * `default`, `doc` and `aliases`: a change to a default changes how old data is read, so it must be a new version.
 * Throws SyntaxError when the text is not JSON.
 */
export function canonicalSchema(schemaText: string): string {
  return JSON.stringify(sortKeys(JSON.parse(schemaText)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (typeof value === 'object' && value !== null) {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys(Reflect.get(value, key));
    }
    return sorted;
  }
  return value;
}
