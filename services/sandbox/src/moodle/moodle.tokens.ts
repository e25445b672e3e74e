/** Injection tokens of the Moodle simulator's module. */
export const MOODLE_API = Symbol('MoodleApi');
export const MOODLE_DEFAULTS = Symbol('MoodleDefaults');

/** What `POST /_sandbox/moodle/reset` returns to: the sandbox's configuration. */
export interface MoodleDefaults {
  readonly duplicateCourseMs: number;
  readonly debug: boolean;
}
