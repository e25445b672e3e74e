// The Moodle task types: deploying an event's course is one SubTask (one duplicate_course, looked up
// first so that it happens once); enrolling is one SubTask per user, so that each user's attempts and
// Moodle's answer are their own and one refused user does not hold the others back. A deploy with
// users enrols them behind the deploy (dependsOn), in the same Task.

import { RuleViolation } from '../task/rule-violation.js';
import type { JsonObject } from '../task/events.js';
import type { Planner, PlanParams, PlannedDraft } from './task-plan.js';

const DEPLOY_KEY = 'deploy-course';

interface CourseUser {
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly email: string;
}

const text = (params: PlanParams, key: string): string | undefined => (typeof params[key] === 'string' && params[key] !== '' ? (params[key] as string) : undefined);
const int = (params: PlanParams, key: string): number | undefined => (typeof params[key] === 'number' && params[key] !== 0 ? (params[key] as number) : undefined);

function defined(fields: Record<string, string | number | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
}

/** The users of the params; Moodle refuses a second account with a username or (by default) an email already used. */
function usersOf(params: PlanParams): CourseUser[] {
  const users = Array.isArray(params.users) ? (params.users as unknown as CourseUser[]) : [];
  const seen = new Map<string, number>();
  users.forEach((user, i) => {
    for (const [field, value] of [['username', user.username], ['email', user.email.toLowerCase()]] as const) {
      const first = seen.get(`${field}:${value}`);
      if (first !== undefined) throw new RuleViolation('INVALID_PARAMS', `params.users[${i}].${field}: ${value} is already params.users[${first}]`, `params.users[${i}].${field}`);
      seen.set(`${field}:${value}`, i);
    }
  });
  return users;
}

function enrolDrafts(courseShortname: string, users: readonly CourseUser[], dependsOn?: readonly string[]): PlannedDraft[] {
  return users.map((user, i): PlannedDraft => ({
    // Usernames may hold '@', which a key may not: the key is the user's position.
    key: `enrol-${i + 1}`,
    name: `Enrol ${user.username} in Moodle course ${courseShortname}`,
    action: 'enrol_user',
    queue: 'moodle',
    objectType: 'course',
    objectId: courseShortname,
    params: { courseShortname, username: user.username, firstname: user.firstname, lastname: user.lastname, email: user.email },
    ...(dependsOn ? { dependsOn } : {}),
  }));
}

export const planMoodleDeployCourse: Planner<PlanParams> = (params, { eventId }) => {
  const shortname = text(params, 'shortname') ?? (eventId ? `EV${eventId}` : undefined);
  if (!shortname) throw new RuleViolation('INVALID_PARAMS', 'params.shortname is required when the Task has no eventId (the default is EV<eventId>)', 'params.shortname');
  const users = usersOf(params);
  const deploy: PlannedDraft = {
    key: DEPLOY_KEY,
    name: `Deploy Moodle course ${shortname}`,
    action: 'deploy_course',
    queue: 'moodle',
    objectType: 'course',
    objectId: shortname,
    params: defined({ shortname, fullname: text(params, 'fullname'), templateCourseId: int(params, 'templateCourseId'), categoryId: int(params, 'categoryId') }),
  };
  return {
    name: `Deploy Moodle course ${shortname}${users.length > 0 ? ` and enrol ${users.length} user${users.length === 1 ? '' : 's'}` : ''}`,
    objectType: 'course',
    objectId: shortname,
    subtasks: [deploy, ...enrolDrafts(shortname, users, [DEPLOY_KEY])],
  };
};

export const planMoodleEnrol: Planner<PlanParams> = (params) => {
  const courseShortname = text(params, 'courseShortname')!;
  const users = usersOf(params);
  return {
    name: `Enrol ${users.length === 1 ? users[0]!.username : `${users.length} users`} in Moodle course ${courseShortname}`,
    objectType: 'course',
    objectId: courseShortname,
    subtasks: enrolDrafts(courseShortname, users),
  };
};
