import type { DecisionContext } from '../decider.js';

/**
 * The gateway's identity in the delivery markers it records (their actorId): only the gateway hands events to
 * connections, so only it can say what reached whom. Like the command line's `system:cli` administrator
 * (user/userAdministration.ts), it is no account: user ids are UUIDs and never contain a colon. The deliveries
 * decider looks at the user id only; the least privileged role stands in for the role.
 */
export const GATEWAY_REPORTER: DecisionContext['actor'] = { userId: 'system:gateway', role: 'user' };
