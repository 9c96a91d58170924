// Errors of the auditor tools (chat audit verify, chat audit export). The CLI exits 2 on these (the request cannot
// be carried out as asked; nothing was written), 1 when a verification finds a broken chain, 0 when all holds.

export type AuditToolErrorCode = 'OPTION_INVALID' | 'NO_EVENT_LOG' | 'EXPORT_UNREADABLE' | 'OUTPUT_EXISTS';

export class AuditToolError extends Error {
  constructor(
    readonly code: AuditToolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
