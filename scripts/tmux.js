// `npm test`'s terminal step (before the suites): makes sure tmux exists for the CLI's terminal test
// (apps/cli/test/cli.e2e.spec.ts runs `vle-tasks watch` in a real terminal and reads its screen):
// /usr/bin/tmux, Debian's `tmux` package, installed when missing (debian-package.js). One line: its version.

import { ensureDebianPackage, versionOf } from './debian-package.js';

const PATH = '/usr/bin/tmux';
const how = ensureDebianPackage({
  path: PATH,
  pkg: 'tmux',
  fail: (message) => {
    process.stderr.write(`tmux: ${message}\n`);
    process.exit(1);
  },
});
process.stdout.write(`tmux: ${PATH}${how}, ${versionOf(PATH, ['-V'])}\n`);
