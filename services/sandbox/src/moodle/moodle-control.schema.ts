// Bodies of the Moodle control API (/_sandbox/moodle/...), validated so that a bad one is a 400
// naming the field (parseBody of control/control-body.ts does the naming).

import { z } from 'zod';
import { faultMs as ms, faultRate as rate } from '../control/control-body.js';


const functionFault = z.strictObject({
  delayMs: ms.optional(),
  errorRate: rate.optional(),
  errorMode: z.enum(['http', 'exception']).optional(),
  timeoutRate: rate.optional(),
  hangMs: ms.optional(),
  timeoutMode: z.enum(['hang', 'reset']).optional(),
});

export const moodleFaultsSchema = z.strictObject({
  seed: z.number().int().optional(),
  functions: z.record(z.string().min(1), functionFault).optional(),
});

export const moodleTimingsSchema = z.strictObject({ duplicateCourseMs: ms.optional() });

export const moodleDebugSchema = z.strictObject({ debug: z.boolean() });

export const moodleResetSchema = z.strictObject({ timings: moodleTimingsSchema.optional(), debug: z.boolean().optional() });

export const moodleAddCourseSchema = z.strictObject({
  shortname: z.string().min(1).max(255),
  fullname: z.string().min(1).max(254),
  categoryId: z.number().int().min(1).default(1),
  manualEnrol: z.boolean().default(true),
  visible: z.boolean().default(true),
});
