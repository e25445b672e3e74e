import { runMain } from '@vle/service-kit';
import { bootstrapRole } from './index.js';

runMain('all', () => bootstrapRole());
