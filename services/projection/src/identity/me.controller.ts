import { Controller, Get } from '@nestjs/common';
import type { Principal } from '@vle/auth';
import { Caller, RequireToken } from '@vle/service-kit';
import { meOf, type MeView } from './me.js';

@Controller('api/v1')
export class MeController {
  /** The verified caller: any valid token may ask who it is (no permission needed); 401 without one. */
  @Get('me')
  @RequireToken()
  me(@Caller() caller: Principal): MeView {
    return meOf(caller);
  }
}
