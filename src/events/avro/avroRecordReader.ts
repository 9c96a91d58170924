import { EventDecodeError } from '../eventCodecErrors.js';

/**
 * Typed access to a record avsc decoded. The reader schema already guarantees the shape, so these checks never fail
 * on good data; they exist so the compiler can trust the values without casts, and they are cheap.
 */
export class AvroRecordReader {
  private constructor(
    private readonly value: object,
    private readonly path: string,
  ) {}

  static of(value: unknown, path: string): AvroRecordReader {
    if (typeof value !== 'object' || value === null) {
      throw new EventDecodeError(`${path} is not a record`);
    }
    return new AvroRecordReader(value, path);
  }

  string(name: string): string {
    const value: unknown = Reflect.get(this.value, name);
    if (typeof value !== 'string') {
      throw this.wrongType(name, 'a string');
    }
    return value;
  }

  nullableString(name: string): string | null {
    const value: unknown = Reflect.get(this.value, name);
    if (value !== null && typeof value !== 'string') {
      throw this.wrongType(name, 'a string or null');
    }
    return value;
  }

  long(name: string): number {
    const value: unknown = Reflect.get(this.value, name);
    if (typeof value !== 'number') {
      throw this.wrongType(name, 'a number');
    }
    return value;
  }

  /** A `["null", "long"]` union. */
  nullableLong(name: string): number | null {
    const value: unknown = Reflect.get(this.value, name);
    if (value !== null && typeof value !== 'number') {
      throw this.wrongType(name, 'a number or null');
    }
    return value;
  }

  symbol<T extends string>(name: string, symbols: readonly T[]): T {
    const value: unknown = Reflect.get(this.value, name);
    const symbol = symbols.find((candidate) => candidate === value);
    if (symbol === undefined) {
      throw this.wrongType(name, `one of ${symbols.join(', ')}`);
    }
    return symbol;
  }

  boolean(name: string): boolean {
    const value: unknown = Reflect.get(this.value, name);
    if (typeof value !== 'boolean') {
      throw this.wrongType(name, 'a boolean');
    }
    return value;
  }

  bytes(name: string): Buffer {
    const value: unknown = Reflect.get(this.value, name);
    if (!Buffer.isBuffer(value)) {
      throw this.wrongType(name, 'bytes');
    }
    return value;
  }

  /** A `["null", record]` union: undefined for null. */
  nullableRecord(name: string): AvroRecordReader | undefined {
    const value: unknown = Reflect.get(this.value, name);
    return value === null || value === undefined ? undefined : AvroRecordReader.of(value, `${this.path}.${name}`);
  }

  record(name: string): AvroRecordReader {
    return AvroRecordReader.of(Reflect.get(this.value, name), `${this.path}.${name}`);
  }

  /** An array of records. */
  records(name: string): AvroRecordReader[] {
    const value: unknown = Reflect.get(this.value, name);
    if (!Array.isArray(value)) {
      throw this.wrongType(name, 'an array');
    }
    return value.map((item: unknown, index) => AvroRecordReader.of(item, `${this.path}.${name}[${index}]`));
  }

  /** An array of strings. */
  strings(name: string): string[] {
    const value: unknown = Reflect.get(this.value, name);
    if (!Array.isArray(value)) throw this.wrongType(name, 'an array');
    return value.map((item: unknown, index) => {
      if (typeof item !== 'string') throw this.wrongType(`${name}[${index}]`, 'a string');
      return item;
    });
  }

  private wrongType(name: string, expected: string): EventDecodeError {
    return new EventDecodeError(`${this.path}.${name} is not ${expected}`);
  }
}
