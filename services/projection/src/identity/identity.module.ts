import { Module } from '@nestjs/common';
import { AnyValidTokenGuard, MeController } from './me.controller.js';

/** GET /api/v1/me: who the caller is, as this origin verified its token. */
@Module({ controllers: [MeController], providers: [AnyValidTokenGuard] })
export class IdentityModule {}
