export { bootstrap } from './bootstrap.js';
export { TaskApiModule } from './task-api.module.js';
export { TaskCommandService } from './tasks/task-command.service.js';
