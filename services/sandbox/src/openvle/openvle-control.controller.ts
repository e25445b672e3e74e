// The OpenVLE core simulator's control API: tests put the events (dates, template, participants)
// the workers will read.

import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Put } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import { z } from 'zod';
import { validated } from '../control/control-body.js';
import { OpenVleDirectory, type OpenVleEvent } from './openvle-directory.js';
import { OpenVleOutage } from './openvle-outage.js';

const isoTime = z.iso.datetime({ offset: true });

const eventSchema = z
  .strictObject({
    id: z.number().int().positive(),
    name: z.string().min(1).max(200),
    startsAt: isoTime,
    endsAt: isoTime,
    templateVmid: z.number().int().min(100).max(999_999_999),
    protocol: z.enum(['rdp', 'vnc']).default('rdp'),
    moodleTemplateCourseId: z.number().int().positive().optional(),
    participants: z
      .array(
        z.strictObject({
          id: z.number().int().positive(),
          username: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be a lower-case user name'),
          firstName: z.string().min(1),
          lastName: z.string().min(1),
          email: z.email(),
        }),
      )
      .max(1000),
  })
  .refine((e) => Date.parse(e.endsAt) > Date.parse(e.startsAt), { message: 'must be later than startsAt', path: ['endsAt'] });

const outageSchema = z.strictObject({ down: z.boolean() });

// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox/openvle')
@PublicRoute()
export class OpenVleControlController {
  constructor(
    private readonly directory: OpenVleDirectory,
    private readonly outage: OpenVleOutage,
  ) {}

  @Get('state')
  state(): { events: OpenVleEvent[]; down: boolean } {
    return { events: this.directory.list(), down: this.outage.active };
  }

  @Post('events')
  add(@Body() body: unknown): OpenVleEvent {
    return this.directory.add(validated(eventSchema, body));
  }

  @Delete('events/:id')
  @HttpCode(204)
  remove(@Param('id') id: string): void {
    if (!this.directory.remove(Number(id))) throw new NotFoundException(`no event ${id}`);
  }

  @Put('outage')
  setOutage(@Body() body: unknown): { down: boolean } {
    this.outage.set(validated(outageSchema, body).down);
    return { down: this.outage.active };
  }

  @Post('reset')
  @HttpCode(200)
  reset(): { events: OpenVleEvent[]; down: boolean } {
    this.directory.reset();
    this.outage.set(false);
    return this.state();
  }
}

