// Every resource a run creates (a database, a namespace's streams, a Redis queue, child processes)
// is registered here when it is created and released at the end of its phase; whatever is still
// registered is released on failure, SIGINT/SIGTERM and the hard timeout, newest first, each on its
// own (one that fails does not keep the others).

export type Release = () => Promise<void>;

interface Held {
  readonly name: string;
  readonly release: Release;
}

/** Exit codes: 1 a failed run, 2 the hard timeout, 128 + signal. */
export const EXIT = { failed: 1, timeout: 2, sigint: 130, sigterm: 143 } as const;

export class RunGuard {
  private readonly held: Held[] = [];
  private readonly diagnostics = new Set<() => string>();
  private aborting = false;

  /** True once the run is being torn down: loops stop submitting. */
  get stopping(): boolean {
    return this.aborting;
  }

  /** Registers a resource; the returned function releases it now (once) and forgets it. */
  hold(name: string, release: Release): Release {
    let done: Promise<void> | undefined;
    const entry: Held = {
      name,
      release: () => (done ??= release()),
    };
    this.held.push(entry);
    return async () => {
      const i = this.held.indexOf(entry);
      if (i >= 0) this.held.splice(i, 1);
      await entry.release();
    };
  }

  /** Text printed when the run aborts (the last output of the services); removed by the returned function. */
  explainWith(describe: () => string): () => void {
    this.diagnostics.add(describe);
    return () => this.diagnostics.delete(describe);
  }

  /** Releases everything still held, newest first; returns the problems instead of throwing. */
  async releaseAll(): Promise<string[]> {
    const problems: string[] = [];
    while (this.held.length > 0) {
      const entry = this.held.pop()!;
      try {
        await entry.release();
      } catch (error) {
        problems.push(`${entry.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return problems;
  }

  /**
   * Runs `work` with the hard timeout and the signal handlers in place; returns its exit code. On an
   * abort the services' last output is printed, everything held is released, and the process exits.
   */
  async run(timeoutS: number, work: (guard: RunGuard) => Promise<number>): Promise<number> {
    const abort = async (reason: string, code: number): Promise<never> => {
      if (this.aborting) process.exit(code);
      this.aborting = true;
      console.error(`\n${reason}: cleaning up…`);
      for (const describe of this.diagnostics) {
        const text = describe();
        if (text) console.error(text);
      }
      // A cleanup that hangs (a server gone) must not keep the run alive forever.
      setTimeout(() => process.exit(code), 45_000).unref();
      for (const problem of await this.releaseAll()) console.error(`cleanup: ${problem}`);
      process.exit(code);
    };
    const onSigint = () => void abort('interrupted (SIGINT)', EXIT.sigint);
    const onSigterm = () => void abort('terminated (SIGTERM)', EXIT.sigterm);
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigterm);
    const timer = setTimeout(() => void abort(`hard timeout of ${timeoutS} s reached`, EXIT.timeout), timeoutS * 1000);
    timer.unref();
    try {
      const code = await work(this);
      const problems = await this.releaseAll();
      for (const problem of problems) console.error(`cleanup: ${problem}`);
      return problems.length > 0 ? EXIT.failed : code;
    } catch (error) {
      return abort(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, EXIT.failed);
    } finally {
      clearTimeout(timer);
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    }
  }
}
