import { runMain } from '@vle/service-kit';
import { bootstrap } from './index.js';

runMain('projection', () => bootstrap());
