import { Controller, Get, HttpException, Inject, Injectable, Optional, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthError, KeysUnavailable, TokenVerifier, type Principal } from '@vle/auth';
import { Caller, httpRefusal, PublicRoute } from '@vle/service-kit';
import { meOf, type MeView } from './me.js';

interface VerifiedRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/**
 * Any valid token, whatever it grants. The guard of service-kit knows a permission, public routes and
 * forwarded ones, not "authenticated only"; so the route is declared public to it and this guard
 * verifies the token with the same TokenVerifier and answers as it does: 401 UNAUTHENTICATED with
 * WWW-Authenticate, 503 AUTH_KEYS_UNAVAILABLE when the issuer's keys cannot be read.
 */
@Injectable()
export class AnyValidTokenGuard implements CanActivate {
  constructor(@Optional() @Inject(TokenVerifier) private readonly verifier?: TokenVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<VerifiedRequest>();
    if (!this.verifier) throw httpRefusal(new AuthError('FORBIDDEN', 'this service verifies no tokens, so it serves no route that needs one'));
    try {
      const header = request.headers.authorization;
      request.principal = await this.verifier.fromAuthorization(Array.isArray(header) ? header[0] : header);
      return true;
    } catch (error) {
      if (error instanceof KeysUnavailable) throw new HttpException({ code: error.code, message: error.message, violations: [] }, 503);
      if (!(error instanceof AuthError)) throw error;
      http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', `Bearer realm="vle-tasks", error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`);
      throw httpRefusal(error);
    }
  }
}

@Controller('api/v1')
export class MeController {
  /** The verified caller: any valid token may ask who it is (no permission needed); 401 without one. */
  @Get('me')
  @PublicRoute()
  @UseGuards(AnyValidTokenGuard)
  me(@Caller() caller: Principal): MeView {
    return meOf(caller);
  }
}
