// One booted pipeline with everything a phase needs around it: the system, the follower of its log,
// the ledger of its Tasks and the submitter of the chosen transport. Sizes, memory and the compare
// phases all run on it.

import type { CreateTaskJson } from '@vle/contracts';
import type { Progress } from '../run/progress.js';
import type { Release, RunGuard } from '../run/run-guard.js';
import { LogFollower } from './log-follower.js';
import { ProjectionClient } from './projection-client.js';
import { PipelineSystem, type SystemOptions } from './system.js';
import { TaskLedger } from './task-ledger.js';
import { httpSubmitter, natsSubmitter, type Transport } from './task-submitter.js';

export class PipelineHarness {
  private constructor(
    readonly system: PipelineSystem,
    readonly ledger: TaskLedger,
    private readonly releases: readonly Release[],
  ) {}

  static async start(guard: RunGuard, options: SystemOptions & { readonly transport: Transport }, progress: Progress): Promise<PipelineHarness> {
    const system = await PipelineSystem.start(guard, options);
    const releaseSystem = guard.hold(`pipeline ${system.namespace}`, () => system.stop());
    const forget = guard.explainWith(() => system.lastOutput());
    try {
      const submitter = options.transport === 'nats' ? natsSubmitter(system.nc, system.topology, system.token) : httpSubmitter(system.of('task-api').map((s) => s.process.url), system.token);
      const ledger = new TaskLedger(submitter, `bench-${process.pid}`, progress);
      const follower = await LogFollower.start(system.js, system.topology, (commit) => ledger.observe(commit), (error) => {
        // Without the follower no Task can finish: the phase times out and says why.
        if (!guard.stopping) progress(`the ordered consumer over the log failed: ${String(error)}`);
      });
      const releaseFollower = guard.hold('log follower', () => follower.close());
      return new PipelineHarness(system, ledger, [releaseFollower, async () => forget(), releaseSystem]);
    } catch (error) {
      forget();
      await releaseSystem();
      throw error;
    }
  }

  get projection(): ProjectionClient {
    return new ProjectionClient(this.system.url('projection'), this.system.token);
  }

  submit(phase: string, index: number, task: CreateTaskJson): Promise<void> {
    return this.ledger.submit(phase, index, task);
  }

  /** The event stream's last sequence and bytes. */
  async streamState(): Promise<{ lastSeq: number; bytes: number }> {
    const { state } = await this.system.jsm.streams.info(this.system.topology.eventStream.name);
    return { lastSeq: state.last_seq, bytes: state.bytes };
  }

  /** Waits until the read model has applied the whole stream as it is now. */
  async projectionCaughtUp(timeoutMs = 60_000): Promise<void> {
    await this.projection.caughtUp((await this.streamState()).lastSeq, timeoutMs);
  }

  async stop(): Promise<void> {
    for (const release of this.releases) await release();
  }
}
