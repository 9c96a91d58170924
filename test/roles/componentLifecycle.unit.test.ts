import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startAll, stopAll } from '../../src/roles/componentLifecycle.js';
import type { RoleComponent, RoleLayer } from '../../src/roles/roleComponent.js';

// The order a process's pieces start and stop in: started as listed, stopped by layer (edges, then what drains
// them, then the writer, then the views), and a failed start undoes itself.

const silent = pino({ level: 'silent' });

function pieces(spec: Array<[string, RoleLayer]>, journal: string[], failing: { start?: string; stop?: string } = {}): RoleComponent[] {
  return spec.map(([name, layer]) => ({
    name,
    layer,
    async start() {
      if (failing.start === name) throw new Error(`${name} cannot start`);
      journal.push(`start ${name}`);
    },
    async stop() {
      journal.push(`stop ${name}`);
      if (failing.stop === name) throw new Error(`${name} cannot stop`);
    },
  }));
}

// The all-in-one's pieces, in the runner's start order.
const ALL_IN_ONE: Array<[string, RoleLayer]> = [
  ['history', 'view'],
  ['analytics', 'view'],
  ['receipts', 'drain'],
  ['http', 'edge'],
  ['processor', 'writer'],
  ['api', 'edge'],
  ['gateway', 'edge'],
];

describe('startAll / stopAll', () => {
  it('starts in the given order and stops edges, drain, writer, views, each layer last started first', async () => {
    const journal: string[] = [];
    const started = await startAll(pieces(ALL_IN_ONE, journal), silent);
    await stopAll(started, silent);
    expect(journal).toEqual([
      'start history',
      'start analytics',
      'start receipts',
      'start http',
      'start processor',
      'start api',
      'start gateway',
      'stop gateway',
      'stop api',
      'stop http',
      'stop receipts',
      'stop processor',
      'stop analytics',
      'stop history',
    ]);
  });

  it('stops what it had started when a piece fails to start, and throws that failure', async () => {
    const journal: string[] = [];
    await expect(startAll(pieces(ALL_IN_ONE, journal, { start: 'processor' }), silent)).rejects.toThrow('processor cannot start');
    expect(journal).toEqual([
      'start history',
      'start analytics',
      'start receipts',
      'start http',
      'stop http',
      'stop receipts',
      'stop analytics',
      'stop history',
    ]);
  });

  it('goes on stopping the others when one fails to stop', async () => {
    const journal: string[] = [];
    const started = await startAll(pieces(ALL_IN_ONE, journal, { stop: 'http' }), silent);
    journal.length = 0;
    await stopAll(started, silent);
    expect(journal).toEqual(['stop gateway', 'stop api', 'stop http', 'stop receipts', 'stop processor', 'stop analytics', 'stop history']);
  });
});
