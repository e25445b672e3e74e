// The admin UI on the one origin (README, "The admin UI"): the files of a `vite build` (index.html and
// assets/), served by the projection next to its API, after every route of it. What it serves:
//   - /assets/<file>: the hashed bundles, cached for a year (immutable); a missing one is the API's 404;
//   - any other file of the build (favicon ...): no-cache, it keeps its name across builds;
//   - GET / and every other GET that asks for text/html (a deep link /tasks/<id>, /tasks?q=...
//     reloaded): index.html, no-cache (history-mode routing of the app);
//   - nothing under /api/, /health or /metrics: those stay the API's (its JSON 404 included).
// The files go out with express's res.sendFile under `root`: `..` after decoding is refused (403 in
// `send`) and answered here as not found, dot files are not served, and nothing outside the directory
// is ever read. Every UI answer carries the Content-Security-Policy below (only this origin, no
// inline script or style, no framing), nosniff, and Referrer-Policy no-referrer (the UI may be opened
// with a token in the URL fragment). Without an index.html (the UI not built) GET / is a 503 page
// saying how to build it: the API still works, and the service boots all the same.

import type { IncomingMessage, ServerResponse } from 'node:http';

export const UI_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': UI_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The hashed bundles of vite: a new build names new files, so an old name never changes. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const PAGE_CACHE_CONTROL = 'no-cache';

/** The API's paths: never the UI's, whatever the Accept header says. */
const API_PREFIXES = ['/api', '/health', '/metrics'];

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

interface SendFileOptions {
  readonly root: string;
  readonly dotfiles: 'deny';
  readonly index: false;
  readonly cacheControl: false;
  readonly lastModified: boolean;
  readonly headers: Record<string, string>;
}

/** What the handler uses of express's request and response. */
export interface UiRequest extends IncomingMessage {
  readonly path: string;
}
export interface UiResponse extends ServerResponse {
  sendFile(path: string, options: SendFileOptions, done: (error?: NodeJS.ErrnoException & { status?: number; statusCode?: number }) => void): void;
}
export type Next = (error?: unknown) => void;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>vle-tasks: the web UI is not built</title></head>
<body><h1>The web UI is not built</h1>
<p>The web UI is not built: run <code>npm run build</code> (it builds <code>apps/web</code> into <code>apps/web/dist</code>), or point <code>PROJECTION_UI_DIR</code> at a built UI, then reload. The API under <code>/api/v1/</code> works meanwhile.</p>
</body></html>
`;

/** The path the browser asked for, decoded; undefined when it cannot name a file of the build. */
function filePathOf(path: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return undefined;
  return decoded;
}

function wantsHtml(request: IncomingMessage): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept);
}

const isMissing = (error: NodeJS.ErrnoException & { status?: number; statusCode?: number }) =>
  error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR' || error.status === 404 || error.statusCode === 404 || error.status === 403 || error.statusCode === 403;

/** The express middleware of the UI in `dir`, mounted after every route of the projection. */
export function uiHandler(dir: string): (request: UiRequest, response: UiResponse, next: Next) => void {
  const send = (response: UiResponse, file: string, cacheControl: string, onMissing: () => void, next: Next) => {
    response.sendFile(file, { root: dir, dotfiles: 'deny', index: false, cacheControl: false, lastModified: true, headers: { ...UI_SECURITY_HEADERS, 'Cache-Control': cacheControl } }, (error) => {
      if (!error) return;
      if (response.headersSent) return;
      // Nothing was sent yet: the headers set for the file go, so that a 404 of the API is its own.
      for (const name of [...Object.keys(UI_SECURITY_HEADERS), 'Cache-Control']) response.removeHeader(name);
      if (isMissing(error)) onMissing();
      else next(error);
    });
  };
  const page = (response: UiResponse, next: Next) =>
    send(response, 'index.html', PAGE_CACHE_CONTROL, () => {
      const body = Buffer.from(NOT_BUILT_PAGE);
      response.writeHead(503, { ...UI_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', 'Retry-After': '60' });
      response.end(response.req.method === 'HEAD' ? undefined : body);
    }, next);

  return (request, response, next) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const path = request.path;
    if (isApiPath(path)) return next();
    if (path === '/' || path === '/index.html') return page(response, next);
    const file = filePathOf(path);
    // A path that cannot be a file of the build (`..`, a dot file, a bad escape) is not one.
    if (file === undefined) return next();
    const fallback = () => (!path.startsWith('/assets/') && wantsHtml(request) ? page(response, next) : next());
    send(response, file.slice(1), path.startsWith('/assets/') ? ASSET_CACHE_CONTROL : PAGE_CACHE_CONTROL, fallback, next);
  };
}
