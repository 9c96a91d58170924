import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// A uPlot chart that follows its container's width and redraws when its data change. uPlot draws on a canvas and
// sets sizes through the CSSOM (element.style), which the strict style-src 'self' policy allows.

export interface SeriesSpec {
  label: string;
  color: string;
  bars?: boolean;
}

const PALETTE = ['#1d4ed8', '#b45309', '#047857', '#be185d', '#6d28d9', '#0e7490'];
export const colour = (index: number): string => PALETTE[index % PALETTE.length] ?? '#1d4ed8';

export function Chart({ title, data, series, time = true, xLabels, xRange, height = 220 }: {
  title: string;
  /** x values first, then one array per series (null: no value there). */
  data: uPlot.AlignedData;
  series: SeriesSpec[];
  time?: boolean;
  /** Category names for x = 0, 1, 2... (bar charts of rooms, size buckets). */
  xLabels?: string[];
  /** The time span to show (seconds), e.g. the hour the series covers, however few of its buckets hold data. */
  xRange?: [number, number];
  height?: number;
}) {
  const range = useRef(xRange);
  range.current = xRange;
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${series.map((s) => s.label).join('|')}|${time}|${(xLabels ?? []).join('|')}`;

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 60] });
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      // Categories (rooms, days, size buckets) sit at 0, 1, 2...: half a step of room each side, so no bar is cut.
      // A single sample would otherwise stretch the time axis over years.
      scales: {
        x: time
          ? { time: true, range: (_u, min, max) => range.current ?? (min === max ? [min - 60, max + 60] : [min, max]) }
          : { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      },
      axes: [
        xLabels ? { values: (_u, splits) => splits.map((v) => xLabels[v] ?? '') , stroke: '#374151' } : { stroke: '#374151' },
        { stroke: '#374151' },
      ],
      series: [
        { label: time ? 'time' : 'x' },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: s.bars ? `${s.color}99` : undefined, ...(s.bars && bars ? { paths: bars, points: { show: false } } : {}) })),
      ],
      legend: { show: series.length > 1 || !xLabels },
    };
    const created = new uPlot(options, data, element);
    plot.current = created;
    const resize = new ResizeObserver(() => created.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
    // Rebuilt when the series change; new data alone only calls setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return (
    <figure class="chart">
      <figcaption class="visually-hidden">{title}</figcaption>
      <div ref={box} role="img" aria-label={title} />
    </figure>
  );
}
