// What a run of the CLI talks to: its streams, whether each is a terminal, its environment, and the
// interrupt (Ctrl-C). main.ts passes the process's; tests pass their own, so that every command runs
// without spawning a process.

/** A stream the CLI writes to; `columns` is a terminal's width. */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  /** Read by `create --file -` and by the confirmation prompts. */
  readonly stdin: NodeJS.ReadableStream;
  /** Which streams are terminals: tables fit stdout's width, colours and the progress bar need one, prompts need stdin's. */
  readonly isTTY: { readonly stdin: boolean; readonly stdout: boolean; readonly stderr: boolean };
  /** The environment (VLE_TASKS_URL, VLE_TASKS_TOKEN, NO_COLOR, ...): read here only, never from process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: `watch` and `tail` stop, a request is abandoned. */
  readonly interrupt?: AbortSignal;
  /** Another fetch for the client (tests); default the global one. */
  readonly fetch?: typeof fetch;
}
