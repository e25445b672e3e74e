// Bodies of the Guacamole control API (/_sandbox/guacamole/...), validated so that a bad one is a
// 400 that names the field.

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
});

export const guacFaultsSchema = z.strictObject({
  seed: z.number().int().optional(),
  endpoints: z.record(z.string().min(1), endpointFault).optional(),
});

export const guacOutageSchema = z.strictObject({
  mode: z.enum(['reset', 'status']).default('status'),
  status: z.number().int().min(400).max(599).optional(),
  message: z.string().min(1).optional(),
});
