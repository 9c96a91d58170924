// Reads the Prometheus text exposition (GET /metrics) far enough for the dashboard: one sample per line,
// `name{label="value",...} number`. Comments, timestamps and histogram internals are skipped. Pure and unit-tested.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(LABEL)) {
      labels[label[1] ?? ''] = (label[2] ?? '').replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    samples.push({ name: match[1] ?? '', labels, value });
  }
  return samples;
}

/** The sum of a metric's samples whose labels include `where` (all of them when `where` is empty). */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number | null {
  const matching = samples.filter((s) => s.name === name && Object.entries(where).every(([key, value]) => s.labels[key] === value));
  return matching.length === 0 ? null : matching.reduce((sum, s) => sum + s.value, 0);
}

/** One value per distinct value of `label` (e.g. the lag of each projection). */
export function byLabel(samples: Sample[], name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) if (s.name === name) out.set(s.labels[label] ?? '', (out.get(s.labels[label] ?? '') ?? 0) + s.value);
  return out;
}
