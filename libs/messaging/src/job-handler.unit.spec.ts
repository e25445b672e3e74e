import { describe, expect, it } from 'vitest';
import { responseMessageOf } from './job-handler.js';

// An external system's error text becomes a SubTask's responseMessage, and with it part of the event
// log, the read model and the admin UI: secrets inside it are masked here, the one place.
describe('responseMessageOf', () => {
  it('masks credentials and secret query parameters in URLs, Authorization values and Moodle echoes', () => {
    const error = new Error(
      'GET https://moodle.example/webservice/rest/server.php?wsfunction=core_user_get_users&wstoken=c4n4ry-ws&moodlewsrestformat=json failed; ' +
        'relay said: 550 see https://ops:c4n4ry-pw@relay.example/unblock?id=7&key=c4n4ry-key; ' +
        'Authorization: Basic c4n4ry-basic; PVEAPIToken=root@pam!ci=c4n4ry-pve; ' +
        'Invalid parameter value detected (users => Invalid external api parameter: the value is "c4n4ry-echo", the server was expecting "int" type)',
    );
    const message = responseMessageOf(error);
    expect(message).not.toMatch(/c4n4ry/);
    expect(message).toContain('wsfunction=core_user_get_users&wstoken=[REDACTED]&moodlewsrestformat=json');
    expect(message).toContain('https://ops:[REDACTED]@relay.example/unblock?id=7&key=[REDACTED]');
    expect(message).toContain('PVEAPIToken=root@pam!ci=[REDACTED]');
    expect(message).toContain('the server was expecting "int" type');
  });
});

describe('responseMessageOf, quoted values', () => {
  it('reads on inside a quoted value of a plain name (malformed JSON, a PHP dump)', () => {
    expect(responseMessageOf(new Error('{"callback":"https://x.example/?key=c4n4ry-q", broken'))).toBe('{"callback":"https://x.example/?key=[REDACTED]", broken');
  });
});
