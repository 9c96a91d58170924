import type { Logger } from 'pino';
import { STOP_ORDER, type RoleComponent } from './roleComponent.js';

/**
 * Starts the pieces one after the other, in the order given. When one fails, the ones already started are stopped
 * (stopAll) and the failure is thrown: a process that cannot run all its roles runs none.
 */
export async function startAll(components: readonly RoleComponent[], logger: Logger): Promise<RoleComponent[]> {
  const started: RoleComponent[] = [];
  try {
    for (const component of components) {
      await component.start();
      started.push(component);
    }
  } catch (error) {
    logger.error({ err: error }, 'start-up failed; stopping what was started');
    await stopAll(started, logger);
    throw error;
  }
  return started;
}

/**
 * Stops started pieces layer by layer in STOP_ORDER, within a layer the last started first. A piece that fails to
 * stop is logged and the others still stop.
 */
export async function stopAll(started: readonly RoleComponent[], logger: Logger): Promise<void> {
  const lastFirst = [...started].reverse();
  const inOrder = STOP_ORDER.flatMap((layer) => lastFirst.filter((component) => component.layer === layer));
  for (const component of inOrder) {
    try {
      await component.stop();
    } catch (error) {
      logger.error({ err: error, component: component.name }, 'stopping failed; stopping the rest');
    }
  }
}
