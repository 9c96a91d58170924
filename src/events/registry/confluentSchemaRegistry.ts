import { COMPATIBILITY, SchemaRegistry as ConfluentClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { z } from 'zod';

import { UnavailableError } from '../../domain/errors.js';
import { parseAvroSchema } from '../avro/parseAvroSchema.js';
import { canonicalSchema } from './canonicalSchema.js';
import type { RegisteredSchema, SchemaRegistry } from './schemaRegistry.js';
import { SchemaIncompatibleError, SchemaInvalidError, SchemaNotFoundError } from './schemaRegistryErrors.js';

export interface ConfluentSchemaRegistryOptions {
  /**
   * Base URL of a Confluent-compatible REST API: Confluent's `http://host:8081`, or Apicurio's
   * `http://host:8080/apis/ccompat/v7` (the path prefix is kept). Credentials in the URL are not supported.
   */
  url: string;
  /** Limit for each HTTP request; a registry that does not answer in time is reported as unavailable. */
  timeoutMs?: number;
  /**
   * Set on every subject before a version is registered. BACKWARD (Confluent's default, and what issue 4 asks
   * for) checks the new version against the latest only; the codec still refuses to start if any registered
   * version is unreadable by the current schema, so BACKWARD_TRANSITIVE only moves that refusal into the registry.
   */
  compatibility?: 'BACKWARD' | 'BACKWARD_TRANSITIVE';
}

const DEFAULT_TIMEOUT_MS = 5000;
const CLIENT_ID = 'chat-service';

// Confluent's error codes (the body's `error_code`): a 404 only means "no such subject" with 40401, so a wrong
// base URL (the registry's generic 404) is reported as such instead of looking like an empty registry.
const SUBJECT_NOT_FOUND = 40401;
const SCHEMA_NOT_FOUND = 40403;

const errorBody = z.object({ error_code: z.number().optional(), message: z.string().optional() });
const versionNumbers = z.array(z.number().int().positive());
const subjectNames = z.array(z.string());
const schemaById = z.object({ schema: z.string() });
const subjectVersion = z.object({
  subject: z.string(),
  version: z.number().int().positive(),
  id: z.number().int().nonnegative(),
  schema: z.string(),
});
const configBody = z.object({ compatibilityLevel: z.string() });

interface HttpAnswer {
  status: number;
  body: unknown;
}

type ClientMiddleware = NonNullable<ConstructorParameters<typeof ConfluentClient>[0]['middlewares']>[number];

/**
 * The distributed mode's registry: a Confluent-compatible server reached through @kafkajs/confluent-schema-registry
 * for registration, and through its REST API directly for the reads the client does not offer (listing subjects and
 * versions, a schema's text by id).
 *
 * The codec loads every version when it is created; a schema another process registers later is not seen until the
 * codec is refreshed (AvroEventCodec.refresh), because decoding is synchronous and cannot wait for the registry.
 */
/** Tries of a registration that met another first registration of the same subject (register, below). */
const CONCURRENT_CREATE_ATTEMPTS = 3;

export class ConfluentSchemaRegistry implements SchemaRegistry {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly compatibility: 'BACKWARD' | 'BACKWARD_TRANSITIVE';
  private readonly client: ConfluentClient;
  /** Ids are immutable in a Confluent registry, so a schema text once read never changes. */
  private readonly schemaTexts = new Map<number, string>();

  constructor(options: ConfluentSchemaRegistryOptions) {
    const url = new URL(options.url);
    if (url.username !== '' || url.password !== '') {
      throw new TypeError('credentials in the schema registry URL are not supported');
    }
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.compatibility = options.compatibility ?? 'BACKWARD';
    const timeoutMs = this.timeoutMs;
    // The client has no timeout option; mappersmith honours one set on each request.
    const timeout: ClientMiddleware = () => ({
      prepareRequest: (next) => next().then((request) => request.enhance({ timeout: timeoutMs })),
    });
    this.client = new ConfluentClient({
      host: this.baseUrl,
      clientId: CLIENT_ID,
      // Only GETs are retried (the client's rule), and only on 5xx; keep the worst case within a few timeouts.
      retry: { retries: 2, maxRetryTimeInSecs: 2 },
      middlewares: [timeout],
    });
  }

  /** Where this adapter points, for logs and errors. */
  get url(): string {
    return this.baseUrl;
  }

  async register(subject: string, schema: string): Promise<number> {
    // Checked here first so a broken file is reported as invalid, not as whatever the client's parser throws.
    let canonical: string;
    try {
      canonical = canonicalSchema(schema);
      parseAvroSchema(schema);
    } catch (error) {
      throw new SchemaInvalidError(subject, messageOf(error));
    }

    // The level must be in place before a second version arrives, or the registry's global level (NONE on a fresh
    // Apicurio) would let anything in. Confluent and Apicurio 2.4 accept a level for a subject with no versions yet;
    // a registry that answers 40401 instead gets it from the client right after the first version, which nothing
    // has to be compatible with.
    const setLevel = () => this.request('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: this.compatibility });
    let configured = await setLevel();
    // Two first settings at once: Apicurio answers the later one "A rule named 'COMPATIBILITY' already exists"; set
    // again, it updates the rule the other one made.
    if (isRuleCreatedMeanwhile(configured)) configured = await setLevel();
    if (!isOk(configured) && !isSubjectNotFound(configured)) {
      throw this.unexpected(`PUT /config/${subject}`, configured);
    }

    // Confluent finds an existing version by the parsed schema; Apicurio compares the text byte for byte and would
    // add a version (with a new id) for the same schema reformatted. Looking it up here keeps the port's promise on
    // both: the same schema, however written, has one id per subject.
    // Two first registrations of one subject at once (two codecs of a process starting side by side): Apicurio
    // answers the later one 409 "artifact already exists", which is no incompatibility. The subject exists now, so
    // looking again finds the version (the same schema: its id) or registers this one as the next version.
    for (let attempt = 1; ; attempt++) {
      const existing = (await this.listVersions(subject)).find((version) => sameCanonical(version.schema, canonical));
      if (existing !== undefined) return existing.id;
      try {
        const { id } = await this.client.register(
          { type: SchemaType.AVRO, schema },
          { subject, compatibility: COMPATIBILITY[this.compatibility] },
        );
        return id;
      } catch (error) {
        if (attempt < CONCURRENT_CREATE_ATTEMPTS && statusOf(error) === 409 && /already exists/i.test(clientReason(error))) continue;
        throw this.registerFailure(subject, error);
      }
    }
  }

  async getSchema(id: number): Promise<string> {
    const cached = this.schemaTexts.get(id);
    if (cached !== undefined) return cached;
    const answer = await this.request('GET', `/schemas/ids/${id}`);
    if (answer.status === 404 && errorCodeOf(answer) === SCHEMA_NOT_FOUND) {
      throw new SchemaNotFoundError(id);
    }
    if (!isOk(answer)) throw this.unexpected(`GET /schemas/ids/${id}`, answer);
    const { schema } = this.parse(schemaById, answer, `GET /schemas/ids/${id}`);
    this.schemaTexts.set(id, schema);
    return schema;
  }

  async listVersions(subject: string): Promise<RegisteredSchema[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const answer = await this.request('GET', path);
    if (isSubjectNotFound(answer)) return [];
    if (!isOk(answer)) throw this.unexpected(`GET ${path}`, answer);
    const versions = [...this.parse(versionNumbers, answer, `GET ${path}`)].sort((a, b) => a - b);

    const registered: RegisteredSchema[] = [];
    for (const version of versions) {
      const versionAnswer = await this.request('GET', `${path}/${version}`);
      if (!isOk(versionAnswer)) throw this.unexpected(`GET ${path}/${version}`, versionAnswer);
      const found = this.parse(subjectVersion, versionAnswer, `GET ${path}/${version}`);
      this.schemaTexts.set(found.id, found.schema);
      registered.push({ id: found.id, subject: found.subject, version: found.version, schema: found.schema });
    }
    return registered;
  }

  /**
   * Every version of every subject. A registry answers GET /subjects with at most as many subjects as it is set to
   * list (Apicurio: registry.ccompat.max-subjects, 1000 by default); one deployment has one subject per event type.
   */
  async allSchemas(): Promise<RegisteredSchema[]> {
    const answer = await this.request('GET', '/subjects');
    if (!isOk(answer)) throw this.unexpected('GET /subjects', answer);
    // Sorted by code unit, like the embedded registry's ORDER BY, so both list in the same order.
    const subjects = [...this.parse(subjectNames, answer, 'GET /subjects')].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const all: RegisteredSchema[] = [];
    for (const subject of subjects) {
      all.push(...(await this.listVersions(subject)));
    }
    return all;
  }

  /** The subject's own compatibility level, or undefined when it has none (for tests and diagnostics). */
  async subjectCompatibility(subject: string): Promise<string | undefined> {
    const path = `/config/${encodeURIComponent(subject)}`;
    const answer = await this.request('GET', path);
    if (answer.status === 404) return undefined;
    if (!isOk(answer)) throw this.unexpected(`GET ${path}`, answer);
    return this.parse(configBody, answer, `GET ${path}`).compatibilityLevel;
  }

  private async request(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<HttpAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json, application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/vnd.schemaregistry.v1+json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(`${method} ${path}`, error);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw this.unreachable(`${method} ${path}`, error);
    }
    return { status: response.status, body: parseJson(text) };
  }

  private parse<T>(schema: z.ZodType<T>, answer: HttpAnswer, what: string): T {
    const parsed = schema.safeParse(answer.body);
    if (!parsed.success) {
      throw new UnavailableError(`schema registry at ${this.baseUrl} answered ${what} with an unexpected body`, {
        url: this.baseUrl,
        request: what,
      });
    }
    return parsed.data;
  }

  private unreachable(what: string, error: unknown): UnavailableError {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const reason = timedOut ? `no answer within ${this.timeoutMs} ms` : causeOf(error);
    return new UnavailableError(`schema registry at ${this.baseUrl} is unreachable (${what}): ${reason}`, {
      url: this.baseUrl,
      request: what,
    });
  }

  private unexpected(what: string, answer: HttpAnswer): UnavailableError {
    const message = errorMessageOf(answer) ?? `HTTP ${answer.status}`;
    return new UnavailableError(`schema registry at ${this.baseUrl} failed ${what}: ${message}`, {
      url: this.baseUrl,
      request: what,
      status: answer.status,
    });
  }

  /** Turns the client's failures into the port's errors; the registry's own message is the reason. */
  private registerFailure(subject: string, error: unknown): Error {
    const reason = clientReason(error);
    const status = statusOf(error);
    if (status === 409) return new SchemaIncompatibleError(subject, reason);
    if (status === 422) return new SchemaInvalidError(subject, reason);
    if (error instanceof Error && error.name === 'ConfluentSchemaRegistryCompatibilityError') {
      // The subject's level changed between our PUT and the client's check: someone else manages this subject.
      return new SchemaIncompatibleError(subject, `subject compatibility is not ${this.compatibility}: ${reason}`);
    }
    // mappersmith turns a failure before any answer (refused connection, timeout) into a bodiless "status 400".
    const clientSide = /^Error, status 400: (.*)$/s.exec(reason)?.[1];
    if (clientSide !== undefined) {
      const what = /^Timeout \(\d+ms\)$/.test(clientSide) ? `no answer within ${this.timeoutMs} ms` : clientSide;
      return new UnavailableError(
        `schema registry at ${this.baseUrl} is unreachable (register ${subject}): ${what}`,
        { url: this.baseUrl, subject },
      );
    }
    return new UnavailableError(`schema registry at ${this.baseUrl} failed to register ${subject}: ${reason}`, {
      url: this.baseUrl,
      subject,
      ...(status === undefined ? {} : { status }),
    });
  }
}

function sameCanonical(schemaText: string, canonical: string): boolean {
  try {
    return canonicalSchema(schemaText) === canonical;
  } catch {
    return false;
  }
}

function isOk(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

function isSubjectNotFound(answer: HttpAnswer): boolean {
  return answer.status === 404 && errorCodeOf(answer) === SUBJECT_NOT_FOUND;
}

function errorCodeOf(answer: HttpAnswer): number | undefined {
  const parsed = errorBody.safeParse(answer.body);
  return parsed.success ? parsed.data.error_code : undefined;
}

function isRuleCreatedMeanwhile(answer: HttpAnswer): boolean {
  return answer.status === 409 && /already exists/i.test(errorMessageOf(answer) ?? '');
}

function errorMessageOf(answer: HttpAnswer): string | undefined {
  const parsed = errorBody.safeParse(answer.body);
  return parsed.success ? parsed.data.message : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The client's ResponseError carries the HTTP status; its class is not exported, so it is recognised by shape. */
function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status;
  }
  return undefined;
}

/** The client prefixes the registry's message with its client id ("chat-service - ..."); the rest is the reason. */
function clientReason(error: unknown): string {
  const message = messageOf(error);
  const prefix = `${CLIENT_ID} - `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** fetch reports "fetch failed" and hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function causeOf(error: unknown): string {
  if (error instanceof Error && error.cause !== undefined) {
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
      return code === undefined || cause.message.includes(code) ? cause.message : `${code}: ${cause.message}`;
    }
  }
  return messageOf(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
