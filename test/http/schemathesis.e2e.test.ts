import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { pinnedVersion, runSchemathesis, schemathesisExecutable, VENV, versionOf } from './schemathesis/schemathesisRunner.js';

// Issue #15: the OpenAPI document matches what the service does. Schemathesis (pinned, from PyPI) generates requests
// from the document the service serves and checks every answer against it: statuses, error shapes, headers,
// valid requests accepted and invalid ones refused, 405 with Allow, and the stateful flows along the document's
// links, signed in as a real user. Any failure fails this test, with Schemathesis's report (a curl line per failure)
// in the output. Bounds, seed and checks are in schemathesis/schemathesis.toml; the rules the document declares but
// JSON Schema cannot state are recognised in schemathesis/hooks.py.

const TITLE = 'the OpenAPI document against the running service (Schemathesis)';
const executable = schemathesisExecutable();

if (executable === undefined) {
  const reason = `no Schemathesis: ${VENV} is missing (.ci/run builds it) and SCHEMATHESIS is not set`;
  if (process.env.CI === 'true') {
    describe(TITLE, () => {
      it('needs the pinned Schemathesis (in CI it is required)', () => {
        throw new Error(reason);
      });
    });
  } else {
    describe.skipIf(true)(`${TITLE} [not run: ${reason}]`, () => {
      it('needs Schemathesis', () => undefined);
    });
  }
} else {
  describe(TITLE, () => {
    let server: TestServer;
    let user: { userId: string; username: string; password: string };

    beforeAll(async () => {
      // Budgets high enough that Schemathesis's thousands of requests meet the API's rules, not its rate limits
      // (429 is declared everywhere, so it would pass, but test nothing), and failed password changes do not lock
      // the account the run signs in with.
      server = await startTestServer({
        SEND_LIMIT_PER_SECOND: '100000',
        SEND_LIMIT_PER_MINUTE: '100000',
        AUTH_RATE_LIMIT_PER_MINUTE: '100000',
        LOGIN_MAX_FAILURES: '100000',
        // A sign-in provider (issue #18), so the sign-in routes answer as configured ones do (302s included, which
        // Schemathesis checks and does not follow); nothing is listening at its loopback address.
        PUBLIC_BASE_URL: 'http://127.0.0.1:9',
        GITHUB_CLIENT_ID: 'schemathesis-client',
        GITHUB_CLIENT_SECRET: 'schemathesis-secret',
        GITHUB_OAUTH_URL: 'http://127.0.0.1:9',
        GITHUB_API_URL: 'http://127.0.0.1:9',
      });
      const registered = await signUp(new HttpClient(server.baseUrl), 'schemathesis');
      user = { userId: registered.userId, username: registered.username, password: STRONG_PASSWORD };
    });
    afterAll(async () => {
      await server.stop({ removeData: true });
    });

    it('runs the pinned version', async () => {
      expect(await versionOf(executable), `rebuild ${VENV} (.ci/run) or point SCHEMATHESIS at the pinned version`).toBe(
        pinnedVersion(),
      );
    });

    it('finds no disagreement between the document and the answers, in any phase or check', async () => {
      // About two minutes here: registration's usernames and passwords are drawn from classes of most of Unicode,
      // and Hypothesis lists a class's code points each time it builds a strategy from it (half a second, dozens of
      // times). The budget leaves a slower CI machine room.
      const result = await runSchemathesis(executable, { baseUrl: server.baseUrl, user, timeoutSeconds: 420 });
      // From the warnings when there are any: they name the operations the run could not reach (missing test data).
      const warnings = result.output.lastIndexOf('WARNINGS');
      const summary = result.output.slice(warnings >= 0 ? warnings : result.output.lastIndexOf('SUMMARY'));
      // Without pytest's closing banner ("==== 3 warnings in 121.83s ===="): a CI log reader takes that line for the
      // run's own test count, and it counts no test.
      const shown = (result.exitCode === 0 ? summary : result.output).replace(/^=+ .* =+$/gm, '');
      console.log(`[schemathesis] ${result.seconds.toFixed(0)} s, exit ${result.exitCode}\n${shown}`);
      expect(result.exitCode, 'Schemathesis reported failures: its report is printed above').toBe(0);
    }, 450_000);
  });
}
