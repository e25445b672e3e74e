// `npm run generate -w @openvle/tasks-client`: writes src/generated/openapi.ts from the API
// description as the projection builds it. It reads the projection's build (services/projection/dist,
// made by `npm run build`), so run the build first after changing a route or an answer type.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GENERATED_FILE, renderOpenApiTypes } from './openapi-types.js';

const builder = new URL('../../../services/projection/dist/openapi/openapi-document.js', import.meta.url);
const { openApiDocument } = await import(builder.href);
writeFileSync(GENERATED_FILE, await renderOpenApiTypes(openApiDocument('generated')));
process.stdout.write(`wrote ${fileURLToPath(GENERATED_FILE)} from ${fileURLToPath(builder)}\n`);
