import { describe, expect, it } from 'vitest';
import { FrameCounter } from '../../src/gateway/frameCounter.js';
import { Metrics } from '../../src/observability/metrics.js';

async function framesMetric(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.wsFrames.get();
  return Object.fromEntries(values.map((value) => [`${value.labels.direction} ${value.labels.type}`, value.value]));
}

describe('chat_ws_frames_total (unit)', () => {
  it('adds the frames counted since the last scrape, by direction and type, at every scrape', async () => {
    const metrics = new Metrics();
    const frames = new FrameCounter(metrics);
    frames.in('chat.send');
    frames.in('chat.send');
    frames.out('chat.event', 100);
    frames.out('chat.event');
    frames.out('chat.ack', 0);
    expect(await framesMetric(metrics)).toEqual({ 'in chat.send': 2, 'out chat.event': 101 });

    frames.out('chat.event', 9);
    frames.out('presence');
    expect(await framesMetric(metrics)).toEqual({ 'in chat.send': 2, 'out chat.event': 110, 'out presence': 1 });
    // A scrape with nothing new changes nothing.
    expect(await framesMetric(metrics)).toEqual({ 'in chat.send': 2, 'out chat.event': 110, 'out presence': 1 });
    expect(await metrics.registry.metrics()).toContain('chat_ws_frames_total{direction="out",type="chat.event"} 110');
  });
});
