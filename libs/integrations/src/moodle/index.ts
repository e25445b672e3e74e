export { MoodleClient, type MoodleClientOptions } from './moodle-client.js';
export { isMoodleError, isTransientStatus, MoodleError, PERMANENT_MOODLE_ERRORCODES, type MoodleErrorInit, type MoodleErrorKind } from './moodle-error.js';
export { encodeMoodleParams, type MoodleParams, type MoodleParamValue } from './moodle-params.js';
export type * from './moodle-types.js';
