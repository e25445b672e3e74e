import { z } from 'zod';
import { benchQueueVariables, databaseVariables, httpVariables, natsVariables, serviceIdentityVariables, workerVariables } from '@vle/service-kit';
import { mailVariables } from './mail/mail.config.js';
import { moodleVariables } from './jobs/moodle/moodle.config.js';
import { guacamoleVariables } from './jobs/guacamole/guacamole.config.js';
import { eventVariables } from './jobs/events/events.config.js';
import { labCredentialsVariables } from './lab-credentials.config.js';

export const integrationWorkerConfigSchema = z.object({
  ...httpVariables('integration-worker'),
  ...natsVariables,
  ...workerVariables,
  ...databaseVariables,
  ...mailVariables,
  ...moodleVariables,
  ...guacamoleVariables,
  ...labCredentialsVariables,
  ...eventVariables,
  ...benchQueueVariables,
  ...serviceIdentityVariables,
});

export type IntegrationWorkerConfig = z.output<typeof integrationWorkerConfigSchema>;
