// A problem with how the CLI was called (exit status 2): a bad option, no token, an unreadable file,
// a confirmation that was refused or could not be asked. The message says what to do instead.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}
