import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { uiHandler } from './ui-handler.js';

const UI_DIR = Symbol('UI_DIR');

/**
 * The admin UI on the projection's origin (ui-handler.ts). Not a controller: the files need no token
 * (the guard of service-kit sees only routes, and the app itself holds no data; it asks the API with
 * the caller's token), and the handler goes after every route of the app (onModuleInit runs after Nest
 * registered them, before its 404 handler), so that the API answers its own paths, 404s included.
 */
@Module({})
export class UiModule implements OnModuleInit {
  private readonly logger = new Logger('UiModule');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(UI_DIR) private readonly dir: string,
  ) {}

  static forRoot(options: { readonly dir: string }): DynamicModule {
    return { module: UiModule, providers: [{ provide: UI_DIR, useValue: options.dir }] };
  }

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // An app without HTTP (a standalone context) or on another platform: nothing to serve.
    if (!adapter || adapter.getType() !== 'express') return;
    adapter.use(uiHandler(this.dir));
    if (existsSync(join(this.dir, 'index.html'))) this.logger.log(`the admin UI is served from ${this.dir}`);
    else this.logger.warn(`no admin UI in ${this.dir} (no index.html): GET / answers 503 until it is built (npm run build) or PROJECTION_UI_DIR names a built one`);
  }
}
