// Thrown for any setting loadConfig refuses. It carries every problem found, each starting with the setting's name,
// so start-up can report them all at once and tests can check which setting was named.

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
