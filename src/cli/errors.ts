/**
 * A user-facing CLI error: printed without a stack trace, exit code 1 (2 for usage).
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
