import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// applyGcTuning sets a V8 flag after the process started; that V8 honours it then is what this checks, on the Node
// the tests run on: a child allocates enough to scavenge many times and prints V8's own account of each scavenge.

const script = `
const { applyGcTuning } = await import('./src/cli/gcTuning.ts');
applyGcTuning(process.env.SETTING);
let keep = [];
for (let i = 0; i < 2e6; i++) { const o = { i, s: 'x' + i }; if (i % 20 === 0) keep.push(o); if (keep.length > 50000) keep = []; }
`;

/** The background helpers' time of every scavenge the child reported (`--trace-gc-nvp`). */
function backgroundScavengeMs(setting: 'on' | 'off'): number[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--trace-gc-nvp', '--input-type=module', '-e', script], {
    env: { ...process.env, SETTING: setting },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(child.status, child.stderr).toBe(0);
  return child.stdout
    .split('\n')
    .filter((line) => line.includes('gc=s '))
    .map((line) => Number(/background\.scavenge\.parallel=([\d.]+)/.exec(line)?.[1]));
}

describe('applyGcTuning', () => {
  it('off: every scavenge after it is done by the main thread alone', () => {
    const scavenges = backgroundScavengeMs('off');
    expect(scavenges.length).toBeGreaterThan(5);
    // The first scavenges may come before the flag is set (loading tsx and the module allocates).
    expect(scavenges.slice(-5)).toEqual([0, 0, 0, 0, 0]);
  });

  it('on: helpers take part in scavenges', () => {
    const scavenges = backgroundScavengeMs('on');
    expect(scavenges.length).toBeGreaterThan(5);
    expect(scavenges.some((ms) => ms > 0)).toBe(true);
  });
});
