// Bodies of the Proxmox control API (/_sandbox/pve/...), validated so that a bad one is a 400 that
// names the field.

import { z } from 'zod';
import { faultMs as ms, faultRate as rate } from '../control/control-body.js';


const endpointFault = z.strictObject({
  delayMs: ms.optional(),
  errorRate: rate.optional(),
  errorStatus: z.number().int().min(400).max(599).optional(),
  errorMessage: z.string().min(1).optional(),
  timeoutRate: rate.optional(),
  hangMs: ms.optional(),
  timeoutMode: z.enum(['hang', 'reset']).optional(),
  taskFailureRate: rate.optional(),
  taskFailureMessage: z.string().min(1).optional(),
});

export const faultConfigSchema = z.strictObject({
  seed: z.number().int().optional(),
  endpoints: z.record(z.string().min(1), endpointFault).optional(),
  outage: z
    .strictObject({
      mode: z.enum(['status', 'reset']),
      status: z.number().int().min(400).max(599).optional(),
      message: z.string().min(1).optional(),
    })
    .optional(),
});

export const timingsSchema = z.strictObject({
  qmclone: ms.optional(),
  qmdestroy: ms.optional(),
  qmstart: ms.optional(),
  qmstop: ms.optional(),
  qmshutdown: ms.optional(),
  qmreset: ms.optional(),
  qmigrate: ms.optional(),
  lockWaitMs: ms.optional(),
  cloneLockWaitMs: ms.optional(),
});

export const addVmSchema = z.strictObject({
  vmid: z.number().int().min(100).max(999_999_999),
  name: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/, 'must be a DNS name'),
  node: z.string().min(1),
  status: z.enum(['running', 'stopped']).default('stopped'),
  template: z.boolean().default(false),
  lock: z.string().min(1).optional(),
  pool: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a pool id').optional(),
  cores: z.number().int().min(1).max(512).default(2),
  memoryMib: z.number().int().min(16).default(2048),
  storage: z.string().min(1).default('local-lvm'),
  diskGib: z.number().int().min(1).default(32),
});

export const addPoolSchema = z.strictObject({ poolid: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a pool id') });

export const nodeChangeSchema = z.strictObject({
  status: z.enum(['online', 'offline']).optional(),
  maxmemGib: z.number().int().min(1).optional(),
  maxcpu: z.number().int().min(1).optional(),
});

export const storageChangeSchema = z.strictObject({ capacityGib: z.number().min(0) });

export const resetSchema = z.strictObject({ timings: timingsSchema.optional() });

/** Parses `body` or throws the first problem as `{ field, message }`. */
