import { Module } from '@nestjs/common';
import { MeController } from './me.controller.js';

/** GET /api/v1/me: who the caller is, as this origin verified its token. */
@Module({ controllers: [MeController] })
export class IdentityModule {}
