// Errors of the analyst tools (chat events replay, chat projections). A CLI turns OPTION_INVALID into exit code 2;
// the stable code is what scripts and tests look for, the message names the flag.

export type AnalysisErrorCode = 'OPTION_INVALID' | 'REBUILD_NOT_SUPPORTED' | 'NO_EVENT_LOG';

export class AnalysisError extends Error {
  constructor(
    readonly code: AnalysisErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A flag's value cannot be used; nothing was read or written. */
export class OptionInvalidError extends AnalysisError {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super('OPTION_INVALID', `${option}: ${reason}`);
  }
}
