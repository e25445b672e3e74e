import { runMain } from '@vle/service-kit';
import { bootstrap } from './bootstrap.js';

runMain('task-api', () => bootstrap());
