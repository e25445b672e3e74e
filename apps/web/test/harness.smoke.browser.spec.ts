// The browser tests' plumbing (harness.ts) end to end: the whole system boots, Chromium starts, the
// projection serves the UI's page with its security headers on its one origin, and a page of that
// origin reaches the API with a bearer token (GET /api/v1/me answers the token's subject); axe and the
// screenshot run.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, launchBrowser, screenshot, startStack, type Stack } from './harness.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('the browser harness', () => {
  it('loads the UI from the projection with its CSP, and calls /api/v1/me from the page with the bearer', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(`${stack.baseUrl}/`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers['content-type']).toMatch(/^text\/html/);
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(new URL(page.url()).origin).toBe(new URL(stack.baseUrl).origin);

    const token = await stack.token({ permissions: ['tasks_read'], subject: 'smoke-user' });
    const me = await page.evaluate(async (bearer) => {
      const answer = await fetch('/api/v1/me', { headers: { authorization: `Bearer ${bearer}` } });
      return { status: answer.status, body: (await answer.json()) as unknown };
    }, token);
    expect(me).toEqual({ status: 200, body: { subject: 'smoke-user', permissions: ['tasks_read'], scope: {}, expiresAt: expect.any(String) } });

    // Without the token, the same origin's API refuses: the page holds no ambient credential.
    const refused = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(refused).toBe(401);
    // axe runs under the page's CSP (the scan is injected by the browser's protocol, not by a <script>).
    const axe = await axeScan(page);
    expect(Array.isArray(axe.violations)).toBe(true);
    expect(typeof axe.summary).toBe('string');
    expect(await screenshot(page, 'harness-smoke')).toMatch(/harness-smoke\.png$/);
    await context.close();
  });
});
