// The committed types must be what openapi-typescript makes of the API description now: a route or
// an answer type changed without `npm run generate -w @openvle/tasks-client` fails here.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../../services/projection/src/openapi/openapi-document.js';
import { GENERATED_FILE, renderOpenApiTypes } from '../../scripts/openapi-types.js';

describe('src/generated/openapi.ts', () => {
  it('is what the API description generates (run npm run generate -w @openvle/tasks-client after npm run build)', async () => {
    const wanted = await renderOpenApiTypes(openApiDocument('generated'));
    expect(readFileSync(GENERATED_FILE, 'utf8') === wanted, 'src/generated/openapi.ts differs from the API description: run `npm run build && npm run generate -w @openvle/tasks-client`').toBe(true);
  });

  it('changes when the description does', async () => {
    const document = openApiDocument('generated') as { paths: Record<string, unknown> };
    const changed = { ...document, paths: { ...document.paths, '/api/v1/extra': { get: { operationId: 'extra', responses: { 200: { description: 'ok' } } } } } };
    expect(await renderOpenApiTypes(changed)).not.toBe(await renderOpenApiTypes(document));
  });
});
