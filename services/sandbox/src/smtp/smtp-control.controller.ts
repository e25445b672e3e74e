import { Controller, Delete, Get, HttpCode, Post, Put, Query, Body } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import { validated } from '../control/control-body.js';
import { messageFilterSchema, smtpOutageSchema, smtpRuleSchema, smtpRulesSchema } from './smtp-control.schema.js';
import { defaultMessageOf } from './smtp-rules.js';
import { SmtpSink } from './smtp-sink.js';

/** The SMTP sink's control API (DESIGN §12): read what it received, make it refuse, take it down. */
// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox/smtp')
@PublicRoute()
export class SmtpControlController {
  constructor(private readonly sink: SmtpSink) {}

  @Get('state')
  state() {
    return this.sink.state();
  }

  /** ?to=&from=&subject=&messageId= */
  @Get('messages')
  messages(@Query() query: unknown) {
    const messages = this.sink.messages(validated(messageFilterSchema, query));
    return { count: messages.length, messages };
  }

  @Delete('messages')
  clearMessages() {
    return { deleted: this.sink.clearMessages() };
  }

  @Put('rules')
  setRules(@Body() body: unknown) {
    // The whole list, or one rule on its own.
    const many = typeof body === 'object' && body !== null && 'rules' in body;
    return { rules: this.sink.setRules(many ? validated(smtpRulesSchema, body).rules : [validated(smtpRuleSchema, body)]) };
  }

  @Delete('rules')
  clearRules() {
    return { rules: this.sink.setRules([]) };
  }

  @Put('outage')
  async setOutage(@Body() body: unknown) {
    const outage = validated(smtpOutageSchema, body);
    const code = outage.code ?? 421;
    await this.sink.setOutage(outage.mode === 'refuse' ? { mode: 'refuse' } : { mode: 'reject', code, message: outage.message ?? defaultMessageOf(code) });
    return this.sink.state();
  }

  @Delete('outage')
  async clearOutage() {
    await this.sink.setOutage(undefined);
    return this.sink.state();
  }

  @Post('reset')
  @HttpCode(200)
  async reset() {
    await this.sink.reset();
    return this.sink.state();
  }
}

