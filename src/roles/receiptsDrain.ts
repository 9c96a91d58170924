import type { RoleComponent } from './roleComponent.js';
import type { RoleServices } from './roleServices.js';

/**
 * Delivered receipts gather in memory (api and gateway report them) and are written once per interval. It stops
 * after the edges, once nothing reports any more, and before the writer, so the last ones are still decided.
 */
export class ReceiptsDrain implements RoleComponent {
  readonly name = 'receipts';
  readonly layer = 'drain';

  constructor(private readonly services: Pick<RoleServices, 'receiptRecorder'>) {}

  async start(): Promise<void> {
    await this.services.receiptRecorder();
  }

  async stop(): Promise<void> {
    await (await this.services.receiptRecorder()).flush();
  }
}
