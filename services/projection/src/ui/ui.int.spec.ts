// The admin UI's files on the projection's origin (ui-handler.ts), in a Nest app with the guard of
// service-kit and an API route (GET /api/v1/me), over real HTTP: the page, a deep link, an asset with
// its headers, the API's JSON 404 kept, path traversal refused, and a directory without a build.

import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceKitModule, tokenVerifierOptionsOf } from '@vle/service-kit';
import { bearer, testToken } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityModule } from '../identity/identity.module.js';
import { ASSET_CACHE_CONTROL, UI_CONTENT_SECURITY_POLICY } from './ui-handler.js';
import { UiModule } from './ui.module.js';

const INDEX = '<!doctype html><html><head><title>ui test</title><script type="module" src="/assets/app-3f2a1b.js"></script></head><body><div id="app"></div></body></html>';
const ASSET = 'console.log("app");';
const SECRET = 'secret-outside-the-build-7c1e';
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let root: string;
const apps: INestApplication[] = [];

async function appServing(dir: string): Promise<string> {
  const auth = tokenVerifierOptionsOf({ AUTH_JWT_ALGORITHM: 'RS256', AUTH_ISSUER: 'openvle', AUTH_AUDIENCE: 'vle-tasks' });
  const module = await Test.createTestingModule({ imports: [ServiceKitModule.forRoot({ service: 'test', config: {}, auth }), IdentityModule, UiModule.forRoot({ dir })] }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  return app.getUrl();
}

/** A request whose path goes out exactly as written (fetch resolves `..` before sending). */
function raw(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

let url: string;
let unbuilt: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'vle-ui-'));
  const dist = join(root, 'web', 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'app-3f2a1b.js'), ASSET);
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, '.env'), SECRET);
  writeFileSync(join(root, 'web', 'package.json'), SECRET);
  writeFileSync(join(root, 'outside.txt'), SECRET);
  mkdirSync(join(root, 'empty'));
  url = await appServing(dist);
  unbuilt = await appServing(join(root, 'empty'));
});

afterAll(async () => {
  for (const app of apps) await app.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

function expectUiHeaders(headers: Headers | Record<string, string | string[] | undefined>): void {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  expect(get('content-security-policy')).toBe(UI_CONTENT_SECURITY_POLICY);
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('no-referrer');
}

describe('the admin UI on the origin', () => {
  it('answers GET / with index.html, no-cache, and the security headers, without a token', async () => {
    const response = await fetch(`${url}/`, { headers: HTML });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expectUiHeaders(response.headers);
    expect(await response.text()).toBe(INDEX);
    // A plain client (Accept */*) gets the page at / too; HEAD has the headers and no body.
    expect((await fetch(`${url}/`)).status).toBe(200);
    const head = await raw(url, '/', HTML, 'HEAD');
    expect({ status: head.status, body: head.body }).toEqual({ status: 200, body: '' });
  });

  it('answers a deep link that asks for HTML with index.html (history-mode routing), and one that does not with the JSON 404', async () => {
    for (const path of ['/tasks/0190a7e2-0000-7000-8000-00000000ffff', '/tasks?q=status%20%3D%20failed', '/dead-letters/12', '/tasks/a%20b']) {
      const response = await fetch(`${url}${path}`, { headers: HTML });
      expect({ path, status: response.status, cache: response.headers.get('cache-control') }).toEqual({ path, status: 200, cache: 'no-cache' });
      expectUiHeaders(response.headers);
      expect(await response.text()).toBe(INDEX);
    }
    const json = await fetch(`${url}/tasks/1`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('serves an asset cached for a year (immutable) with its type and the security headers, and a file of the build no-cache', async () => {
    const response = await fetch(`${url}/assets/app-3f2a1b.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(response.headers.get('cache-control')).toBe(ASSET_CACHE_CONTROL);
    expectUiHeaders(response.headers);
    expect(await response.text()).toBe(ASSET);
    const favicon = await fetch(`${url}/favicon.svg`);
    expect({ status: favicon.status, type: favicon.headers.get('content-type'), cache: favicon.headers.get('cache-control') }).toEqual({ status: 200, type: 'image/svg+xml', cache: 'no-cache' });
    // A missing asset is not the page, even asked as HTML: a 404 of the API.
    const missing = await fetch(`${url}/assets/gone-000000.js`, { headers: HTML });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/json/);
    expect(missing.headers.get('content-security-policy')).toBeNull();
  });

  it('leaves the API its paths: /api/v1/unknown is still a JSON 404 asked as HTML, a route still needs its token, POST / is no page', async () => {
    for (const path of ['/api/v1/unknown', '/api/v1/tasks/x/nothing', '/api', '/health/unknown', '/metrics']) {
      const response = await fetch(`${url}${path}`, { headers: HTML });
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({ path, status: 404, type: expect.stringMatching(/^application\/json/) });
      expect(await response.json()).toMatchObject({ statusCode: 404 });
      expect(response.headers.get('content-security-policy')).toBeNull();
    }
    expect((await fetch(`${url}/api/v1/me`, { headers: HTML })).status).toBe(401);
    const me = await fetch(`${url}/api/v1/me`, { headers: { ...HTML, ...bearer(await testToken({ subject: 'ui' })) } });
    expect({ status: me.status, body: await me.json() }).toMatchObject({ status: 200, body: { subject: 'ui' } });
    const post = await fetch(`${url}/`, { method: 'POST', headers: HTML });
    expect(post.status).toBe(404);
  });

  it('refuses path traversal and dot files, encoded or not: never a file outside the build', async () => {
    const attempts = [
      '/assets/../../package.json',
      '/assets/../../outside.txt',
      '/assets/../../../outside.txt',
      '/../outside.txt',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/assets/..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/outside.txt',
      '/assets/..%5c..%5cpackage.json',
      '/assets/%252e%252e/%252e%252e/package.json',
      '/assets/%c0%ae%c0%ae/package.json',
      '/assets/app-3f2a1b.js%00.html',
      '/.env',
      '/assets/../.env',
      '/%2eenv',
    ];
    for (const path of attempts) {
      for (const headers of [{}, HTML]) {
        const answer = await raw(url, path, headers);
        expect({ path, leaked: answer.body.includes(SECRET) }).toEqual({ path, leaked: false });
        // Refused as not found (the API's JSON 404): neither a file nor the page.
        expect({ path, status: answer.status, type: answer.headers['content-type'] }).toEqual({ path, status: 404, type: expect.stringMatching(/^application\/json/) });
      }
    }
  });

  it('answers 503 text/html naming the fix when the directory holds no build; the API works meanwhile', async () => {
    for (const path of ['/', '/tasks/1']) {
      const response = await fetch(`${unbuilt}${path}`, { headers: HTML });
      expect({ path, status: response.status }).toEqual({ path, status: 503 });
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expectUiHeaders(response.headers);
      expect(await response.text()).toMatch(/the web UI is not built: run <code>npm run build<\/code>/i);
    }
    expect((await fetch(`${unbuilt}/assets/app-3f2a1b.js`)).status).toBe(404);
    expect((await fetch(`${unbuilt}/api/v1/unknown`, { headers: HTML })).status).toBe(404);
    expect((await fetch(`${unbuilt}/api/v1/me`, { headers: bearer(await testToken()) })).status).toBe(200);
  });
});
