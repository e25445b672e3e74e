import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Post, Put } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import { validated } from '../control/control-body.js';
import type { MoodleApi } from './moodle-api.js';
import { moodleAddCourseSchema, moodleDebugSchema, moodleFaultsSchema, moodleResetSchema, moodleTimingsSchema } from './moodle-control.schema.js';
import { MoodleFaults } from './moodle-faults.js';
import { MoodleSite } from './moodle-site.js';
import { MOODLE_API, MOODLE_DEFAULTS, type MoodleDefaults } from './moodle.tokens.js';

/** The Moodle simulator's control API (DESIGN §12): inspect, reset and misconfigure it from tests. */
// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox/moodle')
@PublicRoute()
export class MoodleControlController {
  constructor(
    private readonly site: MoodleSite,
    private readonly faults: MoodleFaults,
    @Inject(MOODLE_API) private readonly api: MoodleApi,
    @Inject(MOODLE_DEFAULTS) private readonly defaults: MoodleDefaults,
  ) {}

  @Get('state')
  state() {
    return { ...this.site.state(), settings: this.api.settings, faults: this.faults.current() };
  }

  @Get('ledger')
  ledger() {
    return this.site.ledger();
  }

  @Put('faults')
  setFaults(@Body() body: unknown) {
    this.faults.set(validated(moodleFaultsSchema, body));
    return { faults: this.faults.current() };
  }

  @Delete('faults')
  clearFaults() {
    this.faults.clear();
    return { faults: this.faults.current() };
  }

  @Put('timings')
  setTimings(@Body() body: unknown) {
    const { duplicateCourseMs } = validated(moodleTimingsSchema, body);
    if (duplicateCourseMs !== undefined) this.api.settings.duplicateCourseMs = duplicateCourseMs;
    return { timings: { duplicateCourseMs: this.api.settings.duplicateCourseMs } };
  }

  @Put('debug')
  setDebug(@Body() body: unknown) {
    this.api.settings.debug = validated(moodleDebugSchema, body).debug;
    return { debug: this.api.settings.debug };
  }

  @Post('reset')
  @HttpCode(200)
  reset(@Body() body: unknown) {
    const { timings, debug } = validated(moodleResetSchema, body);
    this.site.restoreSeed();
    this.faults.clear();
    this.api.settings.duplicateCourseMs = timings?.duplicateCourseMs ?? this.defaults.duplicateCourseMs;
    this.api.settings.debug = debug ?? this.defaults.debug;
    return this.state();
  }

  @Post('courses')
  addCourse(@Body() body: unknown) {
    const spec = validated(moodleAddCourseSchema, body);
    try {
      return this.site.addCourse({ shortname: spec.shortname, fullname: spec.fullname, categoryid: spec.categoryId, manualEnrol: spec.manualEnrol, visible: spec.visible ? 1 : 0 });
    } catch (error) {
      throw new BadRequestException({ statusCode: 400, field: (error as Error).message.includes('category') ? 'categoryId' : 'shortname', message: (error as Error).message });
    }
  }
}

