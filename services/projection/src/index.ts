import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { ProjectionModule } from './app.module.js';
import { projectionConfigSchema } from './config.js';

export { ProjectionModule } from './app.module.js';
export { projectionConfigSchema, type ProjectionConfig } from './config.js';
export { createReadModelDataSource, migrateReadModel, DEFAULT_READ_MODEL_SCHEMA } from './db/data-source.js';
export { TaskProjector } from './projector/task.projector.js';
export { ProjectionRunner, type ProjectionStats } from './projector/projection.runner.js';
export { rebuildReadModel, type RebuildResult } from './rebuild/rebuild-read-model.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(projectionConfigSchema, options.env);
  return bootstrapService(ProjectionModule.forRoot(config), {
    name: 'projection',
    ...httpOptionsOf(config),
    logger: options.logger,
    // No route of the projection reads a body; the forwarded commands stream theirs to task-api,
    // which must get it unread and enforces its own limit (a parser here would buffer it first).
    bodyParser: false,
  });
};
