// Deploy an event's course: duplicate the template under the event's shortname, exactly once however
// often the job is delivered (DESIGN §7).
//
// duplicate_course backs up and restores inside one long request (reference §3), and a request that
// timed out may have finished or may still be running. Moodle's restore makes the new course (hidden)
// before it fills it, so its shortname is taken from the start. So: look the shortname up first; a
// course found is ours when its fullname and category are the ones asked for (duplicate_course sets no
// idnumber to mark it otherwise); ours and hidden means an earlier attempt's restore still runs, which
// is waited for; `shortnametaken` on the duplicate is looked up the same way.

import { abortableSleep, isMoodleError, type MoodleCourse } from '@vle/integrations';
import { defineHandler, JobFailureError, type JobContext, type JobHandler, type JobResult } from '@vle/messaging';
import { z } from 'zod';
import type { MoodleJobDeps } from './moodle-jobs.js';

/** What planMoodleDeployCourse (and an event's deploy) gives the SubTask. */
const DeployCourseParams = z.object({
  shortname: z.string().min(1),
  fullname: z.string().min(1),
  templateCourseId: z.number().int().positive().optional(),
  categoryId: z.number().int().positive().optional(),
});

interface DeployParams {
  readonly shortname: string;
  readonly fullname: string;
  readonly templateCourseId?: number;
  readonly categoryId: number;
}

export function createDeployCourseHandler(deps: MoodleJobDeps): JobHandler {
  const { moodle } = deps;
  const pollMs = deps.pollMs ?? 2_000;

  async function templateId(p: DeployParams, signal: AbortSignal): Promise<number> {
    if (p.templateCourseId !== undefined) return p.templateCourseId;
    if ('id' in deps.template) return deps.template.id;
    const template = await moodle.getCourseByShortname(deps.template.shortname, { signal });
    if (!template) throw new JobFailureError(`the template course "${deps.template.shortname}" (MOODLE_TEMPLATE_SHORTNAME) does not exist`, 'MOODLE_TEMPLATE_NOT_FOUND', { permanent: true });
    return template.id;
  }

  /** A course found under our shortname: done if it is ours and restored; waits while ours is restored; refused if someone else's. */
  async function adopt(found: MoodleCourse, p: DeployParams, context: JobContext, how: string): Promise<JobResult> {
    if (found.fullname !== p.fullname || found.categoryid !== p.categoryId) {
      throw new JobFailureError(`shortname ${p.shortname} is used by another course (id ${found.id}, "${found.fullname}" in category ${found.categoryid}), not by this deploy ("${p.fullname}" in category ${p.categoryId})`, 'MOODLE_shortnametaken', { permanent: true });
    }
    let course: MoodleCourse | undefined = found;
    const deadline = Date.now() + deps.restoreWaitMs;
    while (course && course.visible === 0 && Date.now() < deadline) {
      await abortableSleep(pollMs, context.signal);
      course = await moodle.getCourseByShortname(p.shortname, { signal: context.signal });
    }
    if (!course) throw new JobFailureError(`course ${p.shortname} (id ${found.id}) vanished while its restore was awaited`, 'MOODLE_COURSE_VANISHED', { permanent: false });
    if (course.visible === 0) {
      throw new JobFailureError(`course ${p.shortname} (id ${course.id}) is still hidden after ${deps.restoreWaitMs} ms: an earlier attempt's restore is still running or failed`, 'MOODLE_RESTORING', { permanent: false });
    }
    return { responseCode: 'OK', responseMessage: `course ${p.shortname} (id ${course.id}) ${how}` };
  }

  return defineHandler(DeployCourseParams, async (params, _job, context) => {
    const p: DeployParams = { ...params, categoryId: params.categoryId ?? deps.categoryId };
    const { signal } = context;
    const existing = await moodle.getCourseByShortname(p.shortname, { signal });
    if (existing) return adopt(existing, p, context, 'already exists (made by an earlier attempt)');
    const template = await templateId(p, signal);
    try {
      const made = await moodle.duplicateCourse({ courseId: template, fullname: p.fullname, shortname: p.shortname, categoryId: p.categoryId, options: { users: false } }, { signal });
      return { responseCode: 'OK', responseMessage: `course ${made.shortname} (id ${made.id}) duplicated from course ${template}` };
    } catch (error) {
      // Taken meanwhile (a concurrent delivery), or our request's answer was lost: look again.
      if (isMoodleError(error, 'shortnametaken') || (isMoodleError(error) && error.kind === 'timeout')) {
        const found = await moodle.getCourseByShortname(p.shortname, { signal });
        if (found) return adopt(found, p, context, `duplicated from course ${template} (found after ${error.errorcode})`);
      }
      throw error;
    }
  });
}
