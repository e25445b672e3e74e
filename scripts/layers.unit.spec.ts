// The layers of STYLE.md, checked on the sources: the domain imports nothing external, and only
// services (and service-kit and task-runtime, their shared composition roots) import NestJS or TypeORM.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function sourcesOf(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.includes('gen/'))
    .map((f) => join(dir, f));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('layers', () => {
  it('libs/domain imports only itself and the pure parts of libs/contracts (the queue list, the secret scrubber)', () => {
    const pure = ['@vle/contracts/queues', '@vle/contracts/secrets'];
    const offending = sourcesOf('libs/domain/src')
      .filter((f) => !f.endsWith('testing.ts'))
      .flatMap((f) => importsOf(f).filter((i) => !i.startsWith('.') && !pure.includes(i)).map((i) => `${f}: ${i}`));
    expect(offending).toEqual([]);
  });

  it.each(['libs/contracts/src', 'libs/domain/src', 'libs/event-store/src', 'libs/messaging/src'])('%s imports neither NestJS nor TypeORM', (dir) => {
    const offending = sourcesOf(dir).flatMap((f) => importsOf(f).filter((i) => i.startsWith('@nestjs/') || i === 'typeorm').map((i) => `${f}: ${i}`));
    expect(offending).toEqual([]);
  });

  it('finds the imports it checks', () => {
    expect(importsOf('libs/domain/src/task/decide.ts')).toContain('./queueing.js');
  });
});
