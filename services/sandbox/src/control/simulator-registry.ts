import { Injectable } from '@nestjs/common';

/** One simulated external system (Proxmox, Guacamole, Moodle, SMTP, the OpenVLE core API). */
export interface SimulatorDescriptor {
  readonly name: string;
  /** Where clients point their base URL, e.g. `http://127.0.0.1:3009/pve/api2/json`. */
  readonly baseUrl: string;
}

/** The simulators this sandbox serves; each simulator module registers itself at boot. */
@Injectable()
export class SimulatorRegistry {
  private readonly simulators = new Map<string, SimulatorDescriptor>();

  register(simulator: SimulatorDescriptor): void {
    if (this.simulators.has(simulator.name)) throw new Error(`simulator "${simulator.name}" is already registered`);
    this.simulators.set(simulator.name, simulator);
  }

  list(): SimulatorDescriptor[] {
    return [...this.simulators.values()];
  }
}
