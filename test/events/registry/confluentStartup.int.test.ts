import { afterAll, expect, it } from 'vitest';

import { CHAT_EVENT_TYPES } from '../../../src/events/chatEvents.js';
import { ConfluentSchemaRegistry } from '../../../src/events/registry/confluentSchemaRegistry.js';
import { prefixedEventSubject } from '../../../src/events/registry/schemaRegistry.js';
import { SchemaIncompatibleError } from '../../../src/events/registry/schemaRegistryErrors.js';
import { STRONG_PASSWORD } from '../../support/httpClient.js';
import { describeWithServices } from '../../support/realServices.js';
import { deleteSubjects, subjectsWithPrefix, uniqueSubjectPrefix } from '../../support/schemaRegistry.js';
import { startTestServer, type TestServer } from '../../support/testServer.js';
import { currentSchema, withFieldType } from '../schemaEvolution.js';

// Issue 4's fault "a schema registry that refuses a schema: start-up fails naming the subject and the
// incompatibility", through the real start-up path (config, container, codec) against the real registry.
describeWithServices('Start-up on a Confluent-compatible schema registry', ['SCHEMA_REGISTRY_URL'], (env) => {
  const url = env('SCHEMA_REGISTRY_URL');
  const prefixes: string[] = [];
  const servers: TestServer[] = [];
  const prefix = (label: string): string => {
    const value = uniqueSubjectPrefix(label);
    prefixes.push(value);
    return value;
  };

  afterAll(async () => {
    for (const server of servers) await server.stop({ removeData: true });
    for (const value of prefixes) await deleteSubjects(url, await subjectsWithPrefix(url, value));
  });

  it('registers every event subject with BACKWARD compatibility and serves commands', async () => {
    const subjectPrefix = prefix('startup');
    const server = await startTestServer({
      SCHEMA_REGISTRY: 'confluent',
      SCHEMA_REGISTRY_URL: url,
      SCHEMA_SUBJECT_PREFIX: subjectPrefix,
    });
    servers.push(server);

    const expected = CHAT_EVENT_TYPES.map((type) => prefixedEventSubject(subjectPrefix, type)).sort();
    expect((await subjectsWithPrefix(url, subjectPrefix)).sort()).toEqual(expected);
    const registry = new ConfluentSchemaRegistry({ url });
    for (const subject of expected) {
      expect(await registry.subjectCompatibility(subject), subject).toBe('BACKWARD');
    }

    // A command's events are encoded with the ids the registry handed out.
    const response = await fetch(`${server.baseUrl}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'registryuser', password: STRONG_PASSWORD }),
    });
    expect(response.status).toBe(201);
  });

  it('refuses to start when the registry refuses a schema, naming the subject and the incompatibility', async () => {
    const subjectPrefix = prefix('refused');
    const subject = prefixedEventSubject(subjectPrefix, 'MessageSent');
    // An earlier MessageSent whose text was an int: today's schema (text: string) cannot read its events.
    const earlier = withFieldType(currentSchema('MessageSent'), 'text', 'int');
    await new ConfluentSchemaRegistry({ url }).register(subject, JSON.stringify(earlier));

    let failure: unknown;
    try {
      servers.push(
        await startTestServer({ SCHEMA_REGISTRY: 'confluent', SCHEMA_REGISTRY_URL: url, SCHEMA_SUBJECT_PREFIX: subjectPrefix }),
      );
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(SchemaIncompatibleError);
    if (failure instanceof SchemaIncompatibleError) {
      expect(failure.code).toBe('SCHEMA_INCOMPATIBLE');
      expect(failure.subject).toBe(subject);
      expect(failure.message).toContain(subject);
      expect(failure.message).toContain('not backward compatible');
      // The registry's reason names the types that do not match.
      expect(failure.reason.toUpperCase()).toMatch(/INT/);
      expect(failure.reason.toUpperCase()).toMatch(/STRING/);
    }
    // Nothing was added to the subject: the earlier version is still the only one.
    expect(await new ConfluentSchemaRegistry({ url }).listVersions(subject)).toHaveLength(1);
  });
});
