import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { FanoutStep } from '../fanout.js';

// The fan-out chart is an SVG drawn here (no charting library) and photographed by Debian's Chromium through
// playwright-core, the same browser and flags the browser test uses, so the PNG needs nothing else installed.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const COLORS: Record<string, string> = { ours: '#d62728', 'ours-kafka': '#ff7f0e', socketio: '#1f77b4', ws: '#2ca02c', centrifugo: '#9467bd' };
const LABELS: Record<string, string> = { ours: 'ours (embedded, persistence on)', 'ours-kafka': 'ours (Kafka mode)', socketio: 'Socket.IO 4', ws: 'bare ws', centrifugo: 'Centrifugo 6 (history + recovery)' };
const WIDTH = 460;
const HEIGHT = 300;
const PAD = { left: 64, right: 16, top: 28, bottom: 44 };

interface Series {
  name: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

function panel(title: string, yLabel: string, series: Series[], logY: boolean): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).filter((y) => Number.isFinite(y) && (!logY || y > 0));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMax = Math.max(...ys) * 1.1;
  const yMin = logY ? Math.max(Math.min(...ys) / 1.5, 0.1) : 0;
  const tx = (x: number) => PAD.left + ((Math.log(x) - Math.log(xMin)) / (Math.log(xMax) - Math.log(xMin) || 1)) * (WIDTH - PAD.left - PAD.right);
  const ty = (y: number) => {
    const f = logY ? (Math.log(y) - Math.log(yMin)) / (Math.log(yMax) - Math.log(yMin)) : (y - yMin) / (yMax - yMin);
    return HEIGHT - PAD.bottom - f * (HEIGHT - PAD.top - PAD.bottom);
  };
  const yTicks = logY
    ? [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000].filter((t) => t >= yMin && t <= yMax)
    : Array.from({ length: 5 }, (_, i) => (yMax / 5) * (i + 1));
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${title}</text>`,
    `<line x1="${PAD.left}" y1="${HEIGHT - PAD.bottom}" x2="${WIDTH - PAD.right}" y2="${HEIGHT - PAD.bottom}" stroke="#333"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${HEIGHT - PAD.bottom}" stroke="#333"/>`,
    ...yTicks.map((t) => `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${ty(t)}" y2="${ty(t)}" stroke="#eee"/><text x="${PAD.left - 4}" y="${ty(t) + 4}" text-anchor="end">${t >= 1000 ? `${Math.round(t / 1000)}k` : Number(t.toPrecision(2))}</text>`),
    ...xTicks.map((t) => `<text x="${tx(t)}" y="${HEIGHT - PAD.bottom + 14}" text-anchor="middle">${t}</text>`),
    `<text x="${(PAD.left + WIDTH - PAD.right) / 2}" y="${HEIGHT - 8}" text-anchor="middle">offered messages/s (all rooms, log scale)</text>`,
    `<text transform="translate(14 ${(PAD.top + HEIGHT - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle">${yLabel}</text>`,
  ];
  for (const s of series) {
    const color = COLORS[s.name.split(' ')[0] ?? ''] ?? '#000';
    // A log axis cannot show 0 (nothing delivered: no latency either); a linear one shows it.
    const points = s.points.filter((p) => Number.isFinite(p.y) && (!logY || p.y > 0));
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5 4"' : ''} points="${points.map((p) => `${tx(p.x)},${ty(p.y)}`).join(' ')}"/>`,
      ...points.map((p) => `<circle cx="${tx(p.x)}" cy="${ty(p.y)}" r="3" fill="${color}"/>`),
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}

export function fanoutChartHtml(steps: FanoutStep[]): string {
  const servers = [...new Set(steps.map((step) => step.server))];
  const of = (server: string) => steps.filter((step) => step.server === server).sort((a, b) => a.offeredPerSecond - b.offeredPerSecond);
  const subscribers = steps[0] && steps[0].sent ? Math.round(steps[0].expected / steps[0].sent) : 0;
  const throughput = panel(
    'Delivered messages/s',
    'delivered messages/s',
    [
      ...servers.map((name) => ({ name, points: of(name).map((s) => ({ x: s.offeredPerSecond, y: s.deliveredPerSecond })) })),
      { name: 'ideal', points: of(servers[0] ?? '').map((s) => ({ x: s.offeredPerSecond, y: s.offeredPerSecond * subscribers })), dashed: true },
    ],
    false,
  );
  const latency = panel(
    'End-to-end latency (solid p99, dashed p50)',
    'ms (log scale)',
    servers.flatMap((name) => [
      { name, points: of(name).map((s) => ({ x: s.offeredPerSecond, y: s.latency.p99Ms })) },
      { name: `${name} p50`, points: of(name).map((s) => ({ x: s.offeredPerSecond, y: s.latency.p50Ms })), dashed: true },
    ]),
    true,
  );
  const legend = [...servers.map((name) => `<span style="color:${COLORS[name] ?? '#000'}">■ ${LABELS[name] ?? name}</span>`), '<span>- - ideal (offered × subscribers)</span>'];
  return `<!doctype html><html><body style="margin:8px;font-family:sans-serif;background:#fff">
<div style="font-size:12px;margin-bottom:4px">Fan-out: ${subscribers} subscribers per room · ${legend.join(' &nbsp; ')}</div>
<div style="display:flex;gap:8px">${throughput}${latency}</div></body></html>`;
}

export async function renderFanoutChart(steps: FanoutStep[], pngPath: string): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // As root in a sandboxless container; background networking off because this machine has no internet.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: WIDTH * 2 + 24, height: HEIGHT + 40 } });
    await page.setContent(fanoutChartHtml(steps));
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await browser.close();
  }
}
