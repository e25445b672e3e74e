// How the Guacamole REST API reports a failure (guacamole-client rest/RESTExceptionMapper.java,
// rest/APIError.java): the status comes from GuacamoleStatus (400, 403 for both bad credentials and a
// dead token, 404, 409, 500), the body is an APIError.

export type GuacErrorType = 'BAD_REQUEST' | 'INVALID_CREDENTIALS' | 'INSUFFICIENT_CREDENTIALS' | 'INTERNAL_ERROR' | 'NOT_FOUND' | 'PERMISSION_DENIED' | 'STREAM_ERROR';

export class GuacSimError extends Error {
  override readonly name = 'GuacSimError';

  constructor(
    readonly status: number,
    readonly type: GuacErrorType,
    message: string,
  ) {
    super(message);
  }

  /** The APIError document of the answer. */
  body(): Record<string, unknown> {
    return apiError(this.type, this.message);
  }
}

export function apiError(type: GuacErrorType, message: string): Record<string, unknown> {
  return { message, translatableMessage: { key: 'APP.TEXT_UNTRANSLATED', variables: { MESSAGE: message } }, statusCode: null, expected: null, patches: null, type };
}

export const badRequest = (message: string): GuacSimError => new GuacSimError(400, 'BAD_REQUEST', message);
/** DirectoryResource: `Not found: "57"`. */
export const notFound = (identifier: string): GuacSimError => new GuacSimError(404, 'NOT_FOUND', `Not found: "${identifier}"`);
export const permissionDenied = (): GuacSimError => new GuacSimError(403, 'PERMISSION_DENIED', 'Permission Denied.');
export const invalidCredentials = (): GuacSimError => new GuacSimError(403, 'INVALID_CREDENTIALS', 'Invalid login.');
