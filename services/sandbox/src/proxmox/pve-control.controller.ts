import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import {
  addPoolSchema,
  addVmSchema,
  faultConfigSchema,
  nodeChangeSchema,
  resetSchema,
  storageChangeSchema,
  timingsSchema,
} from './control.schema.js';
import { validated } from '../control/control-body.js';
import { Faults, type FaultConfig } from './faults.js';
import { PveCluster } from './pve-cluster.js';
import { GIB } from './pve-model.js';
import { macOf } from './seed.js';

/** The Proxmox simulator's control API (DESIGN §12): inspect, reset and misconfigure it from tests. */
// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox/pve')
@PublicRoute()
export class PveControlController {
  constructor(
    private readonly cluster: PveCluster,
    private readonly faults: Faults,
  ) {}

  @Get('state')
  state() {
    return { ...this.cluster.state(), faults: this.faults.current() };
  }

  @Get('ledger')
  ledger() {
    return this.cluster.ledger();
  }

  @Put('faults')
  setFaults(@Body() body: unknown): { faults: FaultConfig } {
    this.faults.set(validated(faultConfigSchema, body));
    return { faults: this.faults.current() };
  }

  @Delete('faults')
  clearFaults(): { faults: FaultConfig } {
    this.faults.clear();
    return { faults: this.faults.current() };
  }

  @Put('timings')
  setTimings(@Body() body: unknown) {
    return { timings: this.cluster.setTimings(validated(timingsSchema, body)) };
  }

  @Post('reset')
  @HttpCode(200)
  reset(@Body() body: unknown) {
    const { timings } = validated(resetSchema, body);
    this.cluster.restoreSeed(timings);
    this.faults.clear();
    return this.cluster.state();
  }

  @Post('vms')
  addVm(@Body() body: unknown) {
    const spec = validated(addVmSchema, body);
    try {
      this.cluster.addVm({
        vmid: spec.vmid,
        name: spec.name,
        node: spec.node,
        status: spec.status,
        template: spec.template,
        lock: spec.lock,
        pool: spec.pool,
        cores: spec.cores,
        memory: spec.memoryMib,
        disk: { storage: spec.storage, volume: `${spec.template ? 'base' : 'vm'}-${spec.vmid}-disk-0`, size: spec.diskGib * GIB },
        mac: macOf(spec.vmid),
        startedAt: spec.status === 'running' ? Date.now() : undefined,
      });
    } catch (error) {
      throw new BadRequestException({ statusCode: 400, field: fieldOf((error as Error).message), message: (error as Error).message });
    }
    return this.cluster.state().vms.find((vm) => vm.vmid === spec.vmid);
  }

  @Post('pools')
  addPool(@Body() body: unknown) {
    this.cluster.addPool(validated(addPoolSchema, body).poolid);
    return { pools: this.cluster.state().pools };
  }

  @Put('nodes/:node')
  setNode(@Param('node') node: string, @Body() body: unknown) {
    const change = validated(nodeChangeSchema, body);
    if (!this.cluster.node(node)) throw new NotFoundException(`no such node '${node}'`);
    this.cluster.setNode(node, { status: change.status, maxcpu: change.maxcpu, maxmem: change.maxmemGib === undefined ? undefined : change.maxmemGib * GIB });
    return { nodes: this.cluster.state().nodes };
  }

  @Put('storages/:storage')
  setStorage(@Param('storage') storage: string, @Body() body: unknown) {
    const change = validated(storageChangeSchema, body);
    if (!this.cluster.storageIds().includes(storage)) throw new NotFoundException(`no such storage '${storage}'`);
    this.cluster.setStorageCapacity(storage, Math.round(change.capacityGib * GIB));
    return { storage, capacity: Math.round(change.capacityGib * GIB) };
  }
}


function fieldOf(message: string): string {
  if (message.includes('VM ')) return 'vmid';
  if (message.includes('node')) return 'node';
  return message.includes('storage') ? 'storage' : '(body)';
}
