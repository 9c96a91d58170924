import { CommandRejectedError } from '../../domain/errors.js';
import type { AuditStreamEvent, UserRole } from '../../events/chatEvents.js';
import type { AuditCommand } from '../commands.js';
import type { Decider } from '../decider.js';

// Every read of the raw log through the audit API is itself recorded (issue #7), in the auditor's own stream
// `audit-<auditorId>`, before the answer is sent. This decider only checks who may read.

/**
 * Who reads the raw log: auditors only. Admins are refused on purpose (separation of duties): an admin who needs
 * to audit grants themself the auditor role, and that grant is itself an event (UserRoleChanged).
 */
export const AUDIT_ROLES: readonly UserRole[] = ['auditor'];

export interface AuditState {
  /** Reads recorded in this auditor's stream so far. */
  readonly reads: number;
}

export function auditStreamId(auditorId: string): string {
  return `audit-${auditorId}`;
}

export const auditDecider: Decider<AuditCommand, AuditState, AuditStreamEvent> = {
  initialState: () => ({ reads: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AuditLogRead':
        return { reads: state.reads + 1 };
      default: {
        const unreachable: never = event.type;
        throw new Error(`unhandled audit event ${JSON.stringify(unreachable)}`);
      }
    }
  },
  decide: (command, _state, context) => {
    switch (command.type) {
      case 'RecordAuditRead': {
        if (!AUDIT_ROLES.includes(context.actor.role)) {
          throw new CommandRejectedError('FORBIDDEN', 'the audit log is read by auditors only', { role: context.actor.role });
        }
        if (command.read.auditorId !== context.actor.userId) {
          throw new CommandRejectedError('FORBIDDEN', 'an auditor records their own reads only');
        }
        return [{ type: 'AuditLogRead', data: command.read }];
      }
      default: {
        const unreachable: never = command.type;
        throw new Error(`unhandled audit command ${JSON.stringify(unreachable)}`);
      }
    }
  },
};
