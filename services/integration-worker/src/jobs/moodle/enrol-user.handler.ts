// Enrol one user into an event's course as a student: find the course by shortname, find or create
// the user (get_users_by_field first: an existing username is only `invalidparameter` with the reason
// in debuginfo, reference §3), then enrol_manual_enrol_users, which is harmless when repeated. The
// password is Moodle's to make and mail (createpassword=1): a job never carries a secret.

import { isMoodleError, type MoodleUser } from '@vle/integrations';
import { defineHandler, JobFailureError, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import type { MoodleJobDeps } from './moodle-jobs.js';

/** What planMoodleEnrol and planMoodleDeployCourse give each enrolment SubTask. */
const EnrolUserParams = z.object({
  courseShortname: z.string().min(1),
  username: z.string().min(1),
  firstname: z.string().min(1),
  lastname: z.string().min(1),
  email: z.string().min(1),
  roleId: z.number().int().positive().optional(),
});

type EnrolParams = z.output<typeof EnrolUserParams>;

export function createEnrolUserHandler(deps: MoodleJobDeps): JobHandler {
  const { moodle } = deps;

  async function userNamed(username: string, signal: AbortSignal): Promise<MoodleUser | undefined> {
    return (await moodle.getUsersByField('username', [username], { signal })).find((u) => u.username === username);
  }

  /** The user, made now or by an earlier attempt whose answer was lost; and whether we made it now. */
  async function findOrCreate(p: EnrolParams, signal: AbortSignal): Promise<{ user: MoodleUser; created: boolean }> {
    const existing = await userNamed(p.username, signal);
    if (existing) return { user: existing, created: false };
    try {
      const [made] = await moodle.createUsers([{ username: p.username, firstname: p.firstname, lastname: p.lastname, email: p.email, createpassword: true }], { signal });
      if (!made) throw new JobFailureError(`core_user_create_users returned no user for ${p.username}`, 'MOODLE_NO_USER', { permanent: false });
      return { user: made, created: true };
    } catch (error) {
      if (!isMoodleError(error) || (error.errorcode !== 'invalidparameter' && error.kind !== 'timeout')) throw error;
      const found = await userNamed(p.username, signal);
      if (found) return { user: found, created: false };
      if (error.errorcode === 'invalidparameter') {
        // Without Moodle's debugging the reason is unknown; the likeliest one is worth naming.
        const sameEmail = (await moodle.getUsersByField('email', [p.email], { signal }))[0];
        if (sameEmail) throw new JobFailureError(`cannot create Moodle user ${p.username}: email ${p.email} belongs to user ${sameEmail.username} (id ${sameEmail.id})`, 'MOODLE_invalidparameter', { permanent: true });
      }
      throw error;
    }
  }

  return defineHandler(EnrolUserParams, async (p, _job, context) => {
    const { signal } = context;
    const course = await moodle.getCourseByShortname(p.courseShortname, { signal });
    if (!course) throw new JobFailureError(`there is no Moodle course with shortname ${p.courseShortname}`, 'MOODLE_COURSE_NOT_FOUND', { permanent: true });
    const { user, created } = await findOrCreate(p, signal);
    const roleId = p.roleId ?? deps.studentRoleId;
    await moodle.enrolUsers([{ roleId, userId: user.id, courseId: course.id }], { signal });
    return { responseCode: 'OK', responseMessage: `${created ? 'created and ' : ''}enrolled user ${p.username} (id ${user.id}) in course ${course.shortname} (id ${course.id}) with role ${roleId}` };
  });
}
