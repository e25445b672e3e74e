import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule, tokenVerifierOptionsOf } from '@vle/service-kit';
import type { ProjectionConfig } from './config.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { InventoryModule } from './inventory/inventory.module.js';
import { LiveModule } from './live/live.module.js';
import { ProjectionMetricsModule } from './metrics/projection-metrics.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { OriginModule } from './origin/origin.module.js';
import { ProjectorModule } from './projector/projector.module.js';
import { QueryModule } from './query/query.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { UiModule } from './ui/ui.module.js';

/**
 * The projection service (DESIGN §2, §8): read model, projector, query API, Proxmox inventory,
 * retention, dead letters, the API description, and the one origin of clients (the command routes
 * forwarded to task-api), and the admin UI's files.
 */
@Module({})
export class ProjectionModule {
  static forRoot(config: ProjectionConfig): DynamicModule {
    return {
      module: ProjectionModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'projection', config, nats: natsOptionsOf(config), auth: tokenVerifierOptionsOf(config) }),
        ProjectorModule,
        // Before QueryModule: GET /api/v1/tasks/stream must not be taken for GET /api/v1/tasks/:id.
        LiveModule,
        QueryModule,
        InventoryModule,
        IdentityModule,
        OpenApiModule,
        RetentionModule,
        DeadLettersModule,
        ProjectionMetricsModule,
        // The command routes (POST only) forwarded to task-api: this is the clients' one origin.
        OriginModule.forRoot({ taskApiUrl: config.TASK_API_URL, taskApiTimeoutMs: config.TASK_API_TIMEOUT_MS, taskApiMaxInFlight: config.TASK_API_MAX_IN_FLIGHT }),
        // The admin UI's files (PROJECTION_UI_DIR), after every route above: the API keeps its paths.
        UiModule.forRoot({ dir: config.PROJECTION_UI_DIR }),
      ],
    };
  }
}
