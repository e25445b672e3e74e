import { z } from 'zod';
import { httpVariables } from '@vle/service-kit';

// The sandbox talks to nobody: it only simulates the external systems (DESIGN §9).
export const sandboxConfigSchema = z.object({
  ...httpVariables('sandbox'),
});

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
