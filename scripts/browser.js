// `npm test`'s browser step (before the suites): makes sure a Chromium exists for Playwright's browser
// tests (apps/*/test/**/*.browser.spec.ts, launched by apps/web/test/harness.ts). CHROMIUM_PATH names
// one, or else /usr/bin/chromium (Debian's `chromium` package), installed when missing
// (debian-package.js). Prints one line: the browser it found and its version.

import { ensureDebianPackage, executable, versionOf } from './debian-package.js';

const DEFAULT_PATH = '/usr/bin/chromium';

function fail(message) {
  process.stderr.write(`browser: ${message}\n`);
  process.exit(1);
}

const given = process.env.CHROMIUM_PATH;
if (given) {
  if (!executable(given)) fail(`CHROMIUM_PATH=${given} is not an executable file: install Chromium there, or unset CHROMIUM_PATH to use ${DEFAULT_PATH}`);
  process.stdout.write(`browser: ${given} (CHROMIUM_PATH), ${versionOf(given)}\n`);
  process.exit(0);
}
const how = ensureDebianPackage({ path: DEFAULT_PATH, pkg: 'chromium', fail, alternative: "or set CHROMIUM_PATH to a Chromium's executable" });
process.stdout.write(`browser: ${DEFAULT_PATH}${how}, ${versionOf(DEFAULT_PATH)}\n`);
