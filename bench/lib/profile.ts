import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './proc.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface Hotspot {
  function: string;
  where: string;
  selfPercent: number;
}

/**
 * The functions with the most self time in a V8 .cpuprofile (what `node --cpu-prof` writes on exit), by sample
 * count. Self time, not total: it names where the CPU actually went rather than the callers on every stack.
 */
export function topSelfTime(profileDir: string, limit = 15): Hotspot[] {
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return [];
  const profile = JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, { function: string; where: string; hits: number }>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(`file://${ROOT}/`, '')}:${lineNumber + 1}` : '(native)';
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { function: functionName || '(anonymous)', where, hits: 0 };
    entry.hits += hits;
    byFunction.set(key, entry);
  }
  return [...byFunction.values()]
    .sort((a, b) => b.hits - a.hits)
    .slice(0, limit)
    .map((entry) => ({ function: entry.function, where: entry.where, selfPercent: Math.round((entry.hits / total) * 1000) / 10 }));
}
