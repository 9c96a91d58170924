import { useEffect, useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { Api } from '../shared/api.js';
import { describeError, path } from '../shared/api.js';
import type { Room } from '../shared/types.js';
import { Chart, colour } from './Chart.js';
import { byLabel, parseMetrics, total } from './prometheus.js';

// The analysts' picture of the service: messages over time per room, active users per day, top rooms, message
// sizes (the /api/analytics endpoints, docs/analysts.md), and projection lag and gateway connections (GET /metrics,
// sampled every few seconds). Everything refreshes every REFRESH_MS.

const REFRESH_MS = 5000;
const HISTORY = 120; // metric samples kept: ten minutes at REFRESH_MS

interface TopRooms { rooms: { roomId: string; messages: number }[] }
interface Series { from: string; to: string; buckets: { start: string; messages: number }[] }
interface ActiveUsers { days: { day: string; activeUsers: number }[] }
interface Sizes { buckets: { bucket: string; messages: number }[]; total: number }
interface MetricPoint { at: number; connections: number | null; lag: Map<string, number> }

export function Dashboard({ api }: { api: Api }) {
  const [windowName, setWindow] = useState<'hour' | 'day' | 'week'>('day');
  const [granularity, setGranularity] = useState<'minute' | 'hour'>('minute');
  const [top, setTop] = useState<TopRooms>({ rooms: [] });
  const [series, setSeries] = useState<Map<string, Series>>(new Map());
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const [active, setActive] = useState<ActiveUsers>({ days: [] });
  const [sizes, setSizes] = useState<Sizes>({ buckets: [], total: 0 });
  const [metrics, setMetrics] = useState<MetricPoint[]>([]);
  const [metricsProblem, setMetricsProblem] = useState('');
  const [error, setError] = useState('');
  const [updated, setUpdated] = useState<Date | null>(null);

  useEffect(() => {
    let stopped = false;
    async function refresh() {
      try {
        const [topRooms, activeUsers, messageSizes] = await Promise.all([
          api.get<TopRooms>(`/api/analytics/top-rooms?window=${windowName}&limit=8`),
          api.get<ActiveUsers>('/api/analytics/active-users?days=14'),
          api.get<Sizes>('/api/analytics/message-sizes'),
        ]);
        const perRoom = new Map<string, Series>();
        await Promise.all(
          topRooms.rooms.slice(0, 5).map(async (room) => {
            perRoom.set(room.roomId, await api.get<Series>(path`/api/analytics/rooms/${room.roomId}/messages` + `?granularity=${granularity}`));
          }),
        );
        if (stopped) return;
        setTop(topRooms);
        setActive(activeUsers);
        setSizes(messageSizes);
        setSeries(perRoom);
        setUpdated(new Date());
        setError('');
        void nameRooms(topRooms.rooms.map((room) => room.roomId));
      } catch (caught) {
        if (!stopped) setError(describeError(caught));
      }
      await sampleMetrics();
    }
    async function nameRooms(roomIds: string[]) {
      const found = new Map(names);
      await Promise.all(
        roomIds.filter((id) => !found.has(id)).map(async (roomId) => {
          // Analysts are not members of every room: a private room they cannot read keeps a neutral label.
          const name = await api.get<{ room: Room }>(path`/api/chat/rooms/${roomId}`).then((body) => (body.room.kind === 'direct' ? 'a direct room' : body.room.name), () => 'a private room');
          found.set(roomId, name);
        }),
      );
      if (!stopped) setNames(found);
    }
    async function sampleMetrics() {
      const response = await fetch('/metrics').catch(() => null);
      if (response === null || !response.ok) {
        setMetricsProblem(response === null ? 'unreachable' : `refused (${response.status}): /metrics answers loopback or METRICS_TOKEN holders only`);
        return;
      }
      const samples = parseMetrics(await response.text());
      if (stopped) return;
      setMetricsProblem('');
      const point = { at: Date.now() / 1000, connections: total(samples, 'chat_ws_connections'), lag: byLabel(samples, 'chat_projector_lag_events', 'projection') };
      setMetrics((old) => [...old.slice(-(HISTORY - 1)), point]);
    }
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api, windowName, granularity]);

  const label = (roomId: string) => names.get(roomId) ?? 'room';

  const perRoomData = useMemo(() => {
    const times = [...new Set([...series.values()].flatMap((s) => s.buckets.map((b) => Date.parse(b.start) / 1000)))].sort((a, b) => a - b);
    const data: uPlot.AlignedData = [
      times,
      ...[...series.values()].map((s) => {
        const at = new Map(s.buckets.map((b) => [Date.parse(b.start) / 1000, b.messages]));
        return times.map((t) => at.get(t) ?? 0);
      }),
    ];
    return data;
  }, [series]);

  const projections = [...new Set(metrics.flatMap((m) => [...m.lag.keys()]))].sort();
  const metricData: uPlot.AlignedData = [metrics.map((m) => m.at), metrics.map((m) => m.connections), ...projections.map((p) => metrics.map((m) => m.lag.get(p) ?? null))];

  return (
    <div class="dashboard">
      <p class="muted small" role="status" id="updated">
        {updated ? `Updated ${updated.toLocaleTimeString()} · every ${REFRESH_MS / 1000} s` : 'Loading…'}
      </p>
      <p class="error" role="alert">
        {error}
      </p>
      <div class="grid">
        <section class="tile wide" aria-labelledby="t-rooms">
          <div class="row">
            <h2 id="t-rooms" class="grow">
              Messages per {granularity}, busiest rooms (last {granularity === 'minute' ? 'hour' : 'day'})
            </h2>
            <label>
              <span class="visually-hidden">Granularity</span>
              <select value={granularity} onChange={(event) => setGranularity(event.currentTarget.value === 'hour' ? 'hour' : 'minute')}>
                <option value="minute">per minute, last hour</option>
                <option value="hour">per hour, last day</option>
              </select>
            </label>
          </div>
          <Chart title={`Messages per ${granularity} per room`} data={perRoomData} xRange={spanOf(series)} series={[...series.keys()].map((roomId, i) => ({ label: label(roomId), color: colour(i) }))} />
        </section>
        <section class="tile" aria-labelledby="t-active">
          <h2 id="t-active">Active users per day</h2>
          <Chart title="Active users per day" time={false} xLabels={active.days.map((d) => d.day.slice(5))} data={[active.days.map((_d, i) => i), active.days.map((d) => d.activeUsers)]} series={[{ label: 'active users', color: colour(2), bars: true }]} />
        </section>
        <section class="tile" aria-labelledby="t-top">
          <div class="row">
            <h2 id="t-top" class="grow">Top rooms</h2>
            <label>
              <span class="visually-hidden">Window</span>
              <select value={windowName} onChange={(event) => setWindow(event.currentTarget.value === 'hour' ? 'hour' : event.currentTarget.value === 'week' ? 'week' : 'day')}>
                <option value="hour">last hour</option>
                <option value="day">last day</option>
                <option value="week">last week</option>
              </select>
            </label>
          </div>
          <Chart title="Messages per room" time={false} xLabels={top.rooms.map((r) => label(r.roomId))} data={[top.rooms.map((_r, i) => i), top.rooms.map((r) => r.messages)]} series={[{ label: 'messages', color: colour(0), bars: true }]} />
          <table id="top-rooms">
            <thead><tr><th scope="col">Room</th><th scope="col">Messages</th></tr></thead>
            <tbody>
              {top.rooms.map((room) => (
                <tr key={room.roomId}><td>{label(room.roomId)}</td><td>{room.messages}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
        <section class="tile" aria-labelledby="t-sizes">
          <h2 id="t-sizes">Message sizes ({sizes.total} messages)</h2>
          <Chart title="Messages by length in characters" time={false} xLabels={sizes.buckets.map((b) => b.bucket)} data={[sizes.buckets.map((_b, i) => i), sizes.buckets.map((b) => b.messages)]} series={[{ label: 'messages', color: colour(1), bars: true }]} />
        </section>
        <section class="tile wide" aria-labelledby="t-live">
          <h2 id="t-live">Gateway connections and projection lag</h2>
          <p class="muted small" id="metrics-state">
            {metricsProblem
              ? `Metrics ${metricsProblem}.`
              : `${metrics.length} samples; ${metrics.at(-1)?.connections ?? 0} connections now, ${[...(metrics.at(-1)?.lag.values() ?? [])].reduce((a, b) => a + b, 0)} events of lag`}
          </p>
          <Chart title="Open WebSocket connections and events each projection is behind" data={metricData} series={[{ label: 'connections', color: colour(0) }, ...projections.map((p, i) => ({ label: `lag: ${p}`, color: colour(i + 1) }))]} />
        </section>
      </div>
    </div>
  );
}

/** The period the per-room series cover (they share it: the same query for each room), in seconds. */
function spanOf(series: Map<string, Series>): [number, number] | undefined {
  const first = series.values().next().value;
  return first === undefined ? undefined : [Date.parse(first.from) / 1000, Date.parse(first.to) / 1000];
}
