import type { CannonCommand } from '../clients/cannon.js';
import { setUpUsersAndRooms, startOurs } from '../lib/ours.js';
import { stopAll } from '../lib/proc.js';
import { cpuSeconds } from '../lib/report.js';
import { cannon } from '../send.js';

// Where a send's server CPU goes, layer by layer: the same server answers, under the same load (32 connections,
// bench/clients/cannon.ts), a request that crosses the HTTP stack and reads the log head (health), one that also
// authenticates and reads the user (GET /api/auth/me), and a send. The differences say what authentication and
// the write path (validation, decider, append, history view, read-your-writes) cost.
// Run: npx tsx bench/micro/requestLayers.ts [seconds]

const seconds = Number(process.argv[2] ?? 5);
const ours = await startOurs({ startTimeoutMs: 120_000 });
try {
  const fixture = await setUpUsersAndRooms(ours.baseUrl, 8, 4);
  const tokens = fixture.users.map((user) => user.token);
  const base: CannonCommand = { url: ours.baseUrl, path: '', connections: 32, durationSeconds: seconds, tokens, roomIds: fixture.roomIds, textBytes: 100 };
  const layers: { name: string; command: CannonCommand }[] = [
    { name: 'GET /api/health (HTTP stack)', command: { ...base, method: 'GET', path: '/api/health', tokens: [] } },
    { name: 'GET /api/auth/me (+ authentication)', command: { ...base, method: 'GET', path: '/api/auth/me' } },
    { name: 'POST /api/chat/send (+ the write path)', command: { ...base, path: '/api/chat/send' } },
  ];
  const pid = ours.child.pid ?? 0;
  console.log('| request | req/s | statuses | server CPU ms/req |\n| --- | --- | --- | --- |');
  for (const layer of layers) {
    await cannon({ ...layer.command, durationSeconds: 1 });
    const before = cpuSeconds(pid);
    const result = await cannon(layer.command);
    const cpu = cpuSeconds(pid) - before;
    const perRequest = ((cpu * 1000) / Math.max(result.requests, 1)).toFixed(3);
    console.log(`| ${layer.name} | ${Math.round(result.requestsPerSecond)} | ${JSON.stringify(result.statusCodes)} | ${perRequest} |`);
  }
} finally {
  await ours.stop();
  await stopAll();
}
