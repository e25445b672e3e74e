import { Injectable } from '@nestjs/common';

/** One simulated external system (Proxmox, Guacamole, Moodle, SMTP, the OpenVLE core API). */
export interface SimulatorDescriptor {
  readonly name: string;
  /** Where clients point their base URL, e.g. `http://127.0.0.1:3009/pve`. */
  readonly baseUrl: string;
}

export type SimulatorRegistration =
  | {
      readonly name: string;
      /** Where the simulator is mounted on the sandbox, e.g. `/pve`. */
      readonly path: string;
    }
  | {
      readonly name: string;
      /** A simulator with a listener of its own, e.g. the SMTP sink's `smtp://127.0.0.1:2525`. */
      readonly url: () => string;
    };

/** The simulators this sandbox serves; each simulator module registers itself at boot. */
@Injectable()
export class SimulatorRegistry {
  private readonly simulators = new Map<string, SimulatorRegistration>();

  register(simulator: SimulatorRegistration): void {
    if (this.simulators.has(simulator.name)) throw new Error(`simulator "${simulator.name}" is already registered`);
    this.simulators.set(simulator.name, simulator);
  }

  /**
   * The simulators with their base URLs under `origin` (the sandbox's URL as the caller reached it:
   * the port is only known once the server listens, and may be 0 in tests).
   */
  list(origin: string): SimulatorDescriptor[] {
    return [...this.simulators.values()].map((s) => ({ name: s.name, baseUrl: 'url' in s ? s.url() : `${origin}${s.path}` }));
  }
}
