import { Controller, Get } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import { openApiDocument } from './openapi-document.js';

/** The package's version, as the description states it. */
const VERSION = '0.1.0';

@Controller('api/v1')
export class OpenApiController {
  private readonly document = openApiDocument(VERSION);

  /** The description of every route (OpenAPI 3.1). Public: it holds no data, and clients are generated from it. */
  @Get('openapi.json')
  @PublicRoute()
  describe(): Record<string, unknown> {
    return this.document;
  }
}
