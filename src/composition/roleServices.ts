import type { Container } from 'inversify';
import type { RoleServices } from '../roles/roleServices.js';
import { get } from './container.js';
import { FILE_TOKENS } from './fileBindings.js';
import { SEARCH_TOKENS } from './searchBindings.js';
import { TOKENS } from './tokens.js';

/**
 * The roles' services out of the container. Each is looked up only when a role asks for it, as the roles did when
 * they held the container, so nothing opens earlier (or, unbound in this mode, fails) because of this function.
 */
export function roleServices(container: Container): RoleServices {
  return {
    readiness: () => get(container, TOKENS.readiness),
    historyProjector: () => get(container, TOKENS.historyProjector),
    historyStore: () => get(container, TOKENS.historyStore),
    analyticsProjector: () => get(container, TOKENS.analyticsProjector),
    receiptRecorder: () => get(container, TOKENS.receiptRecorder),
    endpoints: () => get(container, TOKENS.endpoints),
    metrics: () => get(container, TOKENS.metrics),
    projectorLagMonitor: () => get(container, TOKENS.projectorLagMonitor),
    authService: () => get(container, TOKENS.authService),
    tokenStore: () => get(container, TOKENS.tokenStore),
    executors: () => get(container, TOKENS.executors),
    webSocketGateway: () => get(container, TOKENS.webSocketGateway),
    presenceService: () => get(container, TOKENS.presenceService),
    commandProcessor: () => get(container, TOKENS.commandProcessor),
    fileSweeper: () => get(container, FILE_TOKENS.fileCommands),
    searchProjector: () => get(container, SEARCH_TOKENS.searchProjector),
    searchStore: () => get(container, SEARCH_TOKENS.searchStore),
  };
}
