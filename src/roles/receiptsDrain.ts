import type { Container } from 'inversify';
import { get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import type { RoleComponent } from './roleComponent.js';

/**
 * Delivered receipts gather in memory (api and gateway report them) and are written once per interval. It stops
 * after the edges, once nothing reports any more, and before the writer, so the last ones are still decided.
 */
export class ReceiptsDrain implements RoleComponent {
  readonly name = 'receipts';
  readonly layer = 'drain';

  constructor(private readonly container: Container) {}

  async start(): Promise<void> {
    await get(this.container, TOKENS.receiptRecorder);
  }

  async stop(): Promise<void> {
    await (await get(this.container, TOKENS.receiptRecorder)).flush();
  }
}
