import type { TypingBus, TypingListener } from './typingBus.js';

/**
 * The embedded mode's bus: one process, so publishing is calling the listeners. Synchronous, so the frames are
 * on their sockets before the typist's frame counts as handled, exactly as when the gateway relayed directly.
 */
export class InProcessTypingBus implements TypingBus {
  private readonly listeners = new Set<TypingListener>();

  async publish(roomId: string, userId: string): Promise<void> {
    for (const listener of this.listeners) listener({ roomId, userId });
  }

  subscribe(listener: TypingListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
