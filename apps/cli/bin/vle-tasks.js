#!/usr/bin/env node
// The `vle-tasks` command: the built CLI (dist/main.js). This file is in the repository so that
// `npm ci`, which runs before the build, links the command into node_modules/.bin (npm links no
// bin whose file is missing).

try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) throw error;
  process.stderr.write('vle-tasks is not built yet: run npm run build in the vle-tasks repository\n');
  process.exit(70);
}
