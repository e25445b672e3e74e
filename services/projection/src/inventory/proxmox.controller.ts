import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from '../query/contract-error.filter.js';
import { QueryFailedFilter } from '../query/query-failed.filter.js';
import { parseGuestFilter, parseVmid } from './inventory-query.js';
import { InventoryQueries } from './inventory.queries.js';
import type { PveNodesResponse, PveVmsResponse, PveVmView } from './inventory.views.js';

/** The Proxmox inventory of the newest node info sync (not live Proxmox state: at most a sync old). */
@Controller('api/v1/proxmox')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
@RequirePermission('inventory_read')
export class ProxmoxController {
  constructor(private readonly queries: InventoryQueries) {}

  @Get('nodes')
  nodes(): Promise<PveNodesResponse> {
    return this.queries.nodes();
  }

  @Get('vms')
  vms(@Query() query: Record<string, unknown>): Promise<PveVmsResponse> {
    return this.queries.vms(parseGuestFilter(query));
  }

  @Get('vms/:vmid')
  async vm(@Param('vmid') vmid: string): Promise<PveVmView> {
    const vm = await this.queries.vm(parseVmid(vmid));
    if (!vm) throw new NotFoundException({ code: 'VM_NOT_FOUND', message: `VM ${vmid} is not in the Proxmox inventory (of the last node info sync)` });
    return vm;
  }
}
