// The REST server's default format (moodlewsrestformat absent or not json): XML as
// webservice/rest/locallib.php writes it, RESPONSE/MULTIPLE/SINGLE/KEY/VALUE, or EXCEPTION.

import type { MoodleException } from './moodle-exception.js';

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xmlOf(value: unknown): string {
  if (value === null || value === undefined) return '<VALUE null="null"/>\n';
  if (Array.isArray(value)) return `<MULTIPLE>\n${value.map(xmlOf).join('')}</MULTIPLE>\n`;
  if (typeof value === 'object') {
    const keys = Object.entries(value).map(([k, v]) => `<KEY name="${escape(k)}">${xmlOf(v)}</KEY>\n`);
    return `<SINGLE>\n${keys.join('')}</SINGLE>\n`;
  }
  return `<VALUE>${escape(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}</VALUE>\n`;
}

export function xmlResponse(value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n${value === null ? '' : xmlOf(value)}</RESPONSE>\n`;
}

export function xmlException(error: MoodleException, debug: boolean): string {
  const debuginfo = debug && error.debuginfo !== undefined ? `<DEBUGINFO>${escape(error.debuginfo)}</DEBUGINFO>\n` : '';
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="${escape(error.exception)}">\n<ERRORCODE>${escape(error.errorcode)}</ERRORCODE>\n<MESSAGE>${escape(error.message)}</MESSAGE>\n${debuginfo}</EXCEPTION>\n`;
}
