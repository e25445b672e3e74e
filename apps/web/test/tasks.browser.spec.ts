// System → Tasks in a real Chromium against the running stack (harness.ts): task-api, integration-worker,
// the projection serving the UI, and the sandbox's SMTP sink, on the real NATS and PostgreSQL. Each
// "must show" of the web UI is one test; the screenshots of docs/ are taken here (UPDATE_SCREENSHOTS=1).

import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeScan, launchBrowser, screenshot, signIn, startStack, type Stack } from './harness.js';

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const run = Date.now().toString(36);

interface Created {
  readonly taskId: string;
  readonly subTaskIds: Record<string, string>;
}

async function create(body: Record<string, unknown>): Promise<Created> {
  const response = await stack.system.post('/api/v1/tasks', { createdBy: 'e2e-admin', ...body });
  if (response.status !== 201) throw new Error(`create answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as Created;
}

const noop = (name: string, extra: Record<string, unknown> = {}) => create({ name, ...extra, subtasks: [{ key: 'a', name: 'Do it', action: 'noop', queue: 'bench' }] });

async function status(taskId: string): Promise<string | undefined> {
  const answer = await stack.system.query(`/api/v1/tasks/${taskId}`);
  return answer.status === 200 ? (answer.body.status as string) : undefined;
}

async function until(taskId: string, wanted: string): Promise<void> {
  await waitFor(async () => ((await status(taskId)) === wanted ? true : undefined), { description: `Task ${taskId} to be ${wanted} in the read model`, timeoutMs: 30_000 });
}

const row = (p: Page, taskId: string) => p.locator(`[data-task-id="${taskId}"]`);

/** A page of its own, signed in with `token` (a context per token: sessionStorage is per tab). */
async function pageWith(token: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const own = await browser.newContext();
  const p = await own.newPage();
  await signIn(p, stack.baseUrl, token);
  return { page: p, close: () => own.close() };
}

/** A mail the sandbox's SMTP sink refuses (550), two SubTasks waiting on it side by side, and one on both. */
async function refusedMail(label: string): Promise<Created & { recipient: string }> {
  const recipient = `refused-${label}-${run}@ui.test`;
  await stack.system.sandboxCall('PUT', '/_sandbox/smtp/rules', { rules: [{ recipient, code: 550, message: '5.1.1 mailbox unavailable' }] });
  const created = await create({
    name: `Welcome ${label} ${run}`,
    eventId: `ev-${run}`,
    subtasks: [
      { key: 'mail', name: `Send the welcome mail (${label})`, action: 'send', queue: 'mails', objectType: 'mail', params: { to: [recipient], subject: 'Welcome', text: 'Hello' } },
      { key: 'record', name: `Record the welcome (${label})`, action: 'noop', queue: 'bench', dependsOn: ['mail'] },
      { key: 'notify', name: `Notify the tutor (${label})`, action: 'noop', queue: 'bench', dependsOn: ['mail'] },
      { key: 'report', name: `Report to the teacher (${label})`, action: 'noop', queue: 'bench', dependsOn: ['record', 'notify'] },
    ],
  });
  await until(created.taskId, 'failed');
  return { ...created, recipient };
}

beforeAll(async () => {
  stack = await startStack();
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  await signIn(page, stack.baseUrl, stack.system.token);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('System → Tasks', () => {
  it("the list shows a created Task with the seed's fields", async () => {
    const { taskId } = await noop(`Clone lab VMs ${run}`, { eventId: `ev-${run}` });
    await until(taskId, 'success');
    // The page comes from the projection's one origin with its CSP (nothing from elsewhere may load).
    const answer = await page.goto(`${stack.baseUrl}/tasks`);
    expect(answer?.headers()['content-security-policy']).toContain("default-src 'self'");
    await row(page, taskId).waitFor();
    const headers = await page.locator('[data-testid=task-table] thead th').allInnerTexts();
    expect(headers.map((h) => h.trim().toLowerCase())).toEqual(['id', 'name', 'status', 'progress', 'created at', 'created by', 'event', 'updated at']);
    const cells = (await row(page, taskId).locator('td').allInnerTexts()).map((c) => c.trim());
    expect(cells[0]).toBe(taskId.slice(0, 8));
    expect(cells[1]).toContain(`Clone lab VMs ${run}`);
    expect(cells[2]).toContain('Success');
    expect(cells[3]).toContain('1/1');
    expect(cells[4]).toMatch(/\d/);
    expect(cells[5]).toBe('e2e-admin');
    expect(cells[6]).toBe(`ev-${run}`);
    expect(cells[7]).toMatch(/\d/);
    // Times are the user's local ones, with the instant kept for a machine.
    expect(await row(page, taskId).locator('time').first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('a status filter and a search query narrow the list', async () => {
    const ok = await noop(`Narrow ok ${run}`);
    const bad = await refusedMail('narrow');
    await until(ok.taskId, 'success');
    await page.goto(`${stack.baseUrl}/tasks`);
    await row(page, ok.taskId).waitFor();
    await row(page, bad.taskId).waitFor();
    await page.getByTestId('status-filter').selectOption('failed');
    await page.waitForURL(/status=failed/);
    await row(page, bad.taskId).waitFor();
    await expect.poll(() => row(page, ok.taskId).count()).toBe(0);
    expect(await page.locator('[data-task-id]').evaluateAll((rows) => rows.map((r) => r.querySelector('[data-status]')?.getAttribute('data-status')))).toEqual(expect.arrayContaining(['failed']));
    expect(new Set(await page.locator('[data-task-id] td:nth-child(3) [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))))).toEqual(new Set(['failed']));

    await page.getByTestId('status-filter').selectOption('');
    await page.getByTestId('search').fill(`name = "Narrow ok ${run}"`);
    await page.getByTestId('search').press('Enter');
    await page.waitForURL(/q=/);
    await row(page, ok.taskId).waitFor();
    await expect.poll(() => page.locator('[data-task-id]').count()).toBe(1);

    // A broken query is answered with its error at its position, not an empty list.
    await page.getByTestId('search').fill('status = failed and (name ~ "x"');
    await page.getByTestId('search').press('Enter');
    await page.getByTestId('list-error').waitFor();
    expect(await page.getByTestId('list-error').innerText()).toMatch(/column \d+/);
    expect(await page.getByTestId('search-marker').count()).toBe(1);
    expect(await page.getByTestId('search').getAttribute('aria-invalid')).toBe('true');
  });

  it('a Task finishing elsewhere changes its row without a reload in under 2 s', async () => {
    // Without the worker of the bench queue the Task waits, queued; started again, it runs it.
    await stack.system.worker.stop();
    const { taskId } = await noop(`Finishes elsewhere ${run}`);
    await until(taskId, 'queued');
    await page.goto(`${stack.baseUrl}/tasks`);
    await row(page, taskId).locator('[data-status=queued]').waitFor();
    await page.getByTestId('live-indicator').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));

    const shown = row(page, taskId).locator('[data-status=success]').waitFor({ timeout: 30_000 }).then(() => Date.now());
    await stack.system.worker.restart();
    await until(taskId, 'success');
    const inReadModel = Date.now();
    const onScreen = await shown;
    // The row was updated in place: the page was not loaded again.
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    expect(onScreen - inReadModel).toBeLessThan(2_000);
  });

  it('a selected row pauses the live updates, counts what changed meanwhile, and Resume applies it without a reload', async () => {
    await stack.system.worker.stop();
    const { taskId } = await noop(`Paused meanwhile ${run}`);
    await until(taskId, 'queued');
    await page.goto(`${stack.baseUrl}/tasks`);
    await row(page, taskId).locator('[data-status=queued]').waitFor();
    await page.getByTestId('live-indicator').filter({ hasText: 'Live' }).waitFor();
    await row(page, taskId).locator('td').nth(3).click();
    await page.getByTestId('live-indicator').filter({ hasText: 'Paused (a row is selected) · 0' }).waitFor();
    await stack.system.worker.restart();
    await until(taskId, 'success');
    await page.getByTestId('live-indicator').filter({ hasText: /· [1-9]\d* Tasks? changed meanwhile/ }).waitFor({ timeout: 10_000 });
    expect(await row(page, taskId).locator('[data-status]').getAttribute('data-status')).toBe('queued');
    await page.getByTestId('resume').click();
    await row(page, taskId).locator('[data-status=success]').waitFor({ timeout: 2_000 });
    await page.getByTestId('live-indicator').filter({ hasText: /^\W*Live$/ }).waitFor();
  });

  it('a failed mail is retried from its SubTask through the dialog, which names what it releases, and its SubTask ends success live', async () => {
    const mail = await refusedMail('retry');
    await page.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=graph`);
    await page.getByTestId('task-status').filter({ hasText: 'Failed' }).waitFor();
    await screenshot(page, 'task-graph');
    await page.locator(`[data-testid=graph] [data-subtask-id="${mail.subTaskIds.mail}"]`).click();
    await page.getByTestId('subtask-panel').waitFor();
    await page.getByTestId('attempts').waitFor();
    expect(await page.getByTestId('attempts').innerText()).toContain('SMTP_550');
    // The sink takes the mail from now on.
    await stack.system.sandboxCall('DELETE', '/_sandbox/smtp/rules');
    await page.getByTestId('retry').click();
    const text = await page.getByTestId('dialog-text').innerText();
    expect(text).toContain('releases the 3 SubTasks waiting on it: Record the welcome (retry), Notify the tutor (retry), Report to the teacher (retry).');
    await screenshot(page, 'retry-dialog');
    await page.getByTestId('confirm').click();
    // The dialog closes once task-api has accepted the retry (a refusal would stay in it, with its reason).
    await waitFor(async () => ((await page.locator('dialog[open]').count()) === 0 ? true : undefined), {
      description: 'the retry dialog to close',
      timeoutMs: 10_000,
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}; the dialog says: ${await page.locator('dialog').first().innerText({ timeout: 1_000 })}`);
    });
    // The mail's SubTask ends success live, in its panel and in the graph; the SubTasks it released run.
    await page.locator('[data-testid=subtask-panel] h2 + [data-status=success]').waitFor({ timeout: 30_000 });
    for (const key of ['record', 'notify', 'report']) {
      await page.locator(`[data-testid=graph] [data-subtask-id="${mail.subTaskIds[key]}"]`).filter({ hasText: 'Success' }).waitFor({ timeout: 10_000 });
    }
    // The Task finished with a person's help: `warning` by the domain's rule (libs/domain task/status.ts).
    await page.getByTestId('task-status').filter({ hasText: 'Warning' }).waitFor({ timeout: 10_000 });
    expect(await status(mail.taskId)).toBe('warning');
    // The new attempt is in the SubTask's attempts, and the operator's retry in the history.
    await page.getByTestId('attempts').filter({ hasText: 'Succeeded' }).waitFor();
    await page.getByTestId('tab-history').click();
    await page.locator('[data-testid=history] li.person').filter({ hasText: 'SubTaskRetryRequested' }).filter({ hasText: 'by e2e-admin' }).waitFor();
  });

  it('a token without sub_tasks_read sees no SubTasks tab; one without sub_tasks_retry sees no Retry button', async () => {
    const mail = await refusedMail('perms');
    const reader = await pageWith(await stack.token({ subject: 'reader', permissions: ['tasks_read'] }));
    try {
      await reader.page.goto(`${stack.baseUrl}/tasks/${mail.taskId}`);
      await reader.page.getByTestId('task-detail').waitFor();
      expect(await reader.page.getByTestId('tab-history').count()).toBe(1);
      expect(await reader.page.getByTestId('tab-subtasks').count()).toBe(0);
      expect(await reader.page.getByTestId('tab-graph').count()).toBe(0);
      expect(await reader.page.getByTestId('cancel').count()).toBe(0);
    } finally {
      await reader.close();
    }
    const viewer = await pageWith(await stack.token({ subject: 'viewer', permissions: ['tasks_read', 'sub_tasks_read'] }));
    try {
      await viewer.page.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=subtasks&subtask=${mail.subTaskIds.mail}`);
      await viewer.page.getByTestId('subtask-table').waitFor();
      await viewer.page.getByTestId('attempts').waitFor();
      expect(await viewer.page.getByTestId('retry').count()).toBe(0);
      expect(await viewer.page.getByTestId('skip').count()).toBe(0);
    } finally {
      await viewer.close();
    }
    // The same SubTask for an admin: the button is there.
    await page.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=subtasks&subtask=${mail.subTaskIds.mail}`);
    await page.getByTestId('retry').waitFor();
  });

  it('an out-of-scope deep link shows not found', async () => {
    const { taskId } = await noop(`Not yours ${run}`);
    await until(taskId, 'success');
    const own = await pageWith(await stack.token({ subject: 'teacher', permissions: ['tasks_read', 'sub_tasks_read'], scope: { own: true } }));
    try {
      await own.page.goto(`${stack.baseUrl}/tasks/${taskId}`);
      await own.page.getByRole('heading', { name: 'Not found' }).waitFor();
      expect(await own.page.locator('main').innerText()).toContain(`Task ${taskId}`);
      expect(await own.page.getByTestId('task-detail').count()).toBe(0);
    } finally {
      await own.close();
    }
  });

  it('the live view survives a projection restart', async () => {
    await page.goto(`${stack.baseUrl}/tasks`);
    await page.getByTestId('live-indicator').filter({ hasText: 'Live' }).waitFor();
    await page.evaluate(() => ((globalThis as unknown as { loadedOnce: boolean }).loadedOnce = true));
    await stack.system.projection.stop();
    await page.getByTestId('live-indicator').filter({ hasText: 'Offline' }).waitFor({ timeout: 20_000 });
    await stack.system.projection.restart();
    await page.getByTestId('live-indicator').filter({ hasText: /^\W*Live$/ }).waitFor({ timeout: 30_000 });
    const { taskId } = await noop(`After the restart ${run}`);
    await row(page, taskId).locator('[data-status=success]').waitFor({ timeout: 20_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  });

  it('an expired token sends the user back to sign in with a message', async () => {
    const short = await pageWith(await stack.token({ subject: 'brief', permissions: ['tasks_read'], expiresInSeconds: 3 }));
    try {
      await short.page.goto(`${stack.baseUrl}/tasks`);
      await short.page.getByTestId('task-table').waitFor();
      await short.page.getByTestId('sign-in-notice').waitFor({ timeout: 20_000 });
      expect(await short.page.getByTestId('sign-in-notice').innerText()).toMatch(/expired/i);
      expect(short.page.url()).toContain('/sign-in');
    } finally {
      await short.close();
    }
  });

  it('the overview counts by status, shows the backlog and groups the failures by cause', async () => {
    await refusedMail('overview');
    await page.goto(`${stack.baseUrl}/overview`);
    await page.getByTestId('status-counts').filter({ hasText: 'Failed' }).waitFor();
    await page.getByTestId('backlog').waitFor();
    const groups = page.getByTestId('failure-groups');
    await groups.filter({ hasText: /send SubTasks? failed: / }).waitFor();
    expect(await groups.innerText()).toContain('mailbox unavailable');
    await screenshot(page, 'overview');
  });

  it('exports the filtered list as CSV and a Task as its HTML report', async () => {
    const { taskId } = await noop(`Exported ${run}`, { eventId: `ev-export-${run}` });
    await until(taskId, 'success');
    await page.goto(`${stack.baseUrl}/tasks?eventId=ev-export-${run}`);
    await row(page, taskId).waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const text = await readFile((await csv.path())!, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^ID,Name,Status,Created at,Created by,Event,Updated at/);
    expect(text).toContain(taskId);
    expect(text.trim().split('\n')).toHaveLength(2);

    await page.goto(`${stack.baseUrl}/tasks/${taskId}`);
    const [report] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'HTML report' }).click()]);
    expect(report.suggestedFilename()).toMatch(/\.html$/);
    expect(await readFile((await report.path())!, 'utf8')).toContain(`Exported ${run}`);
  });

  it('a SubTask that failed more than 24 hours ago offers no retry and says why', async () => {
    const mail = await refusedMail('old');
    const later = await browser.newContext();
    try {
      const p = await later.newPage();
      // The browser's clock a day and an hour on: the failure is now older than the retry window.
      await p.clock.setSystemTime(Date.now() + 25 * 3_600_000);
      await signIn(p, stack.baseUrl, stack.system.token);
      await p.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=subtasks&subtask=${mail.subTaskIds.mail}`);
      await p.getByTestId('subtask-panel').waitFor();
      expect(await p.getByTestId('retry').isDisabled()).toBe(true);
      expect(await p.getByTestId('subtask-panel').innerText()).toContain('Retry is not possible: it failed more than 24 hours ago');
    } finally {
      await later.close();
    }
  });

  it('the cancel dialog says what stops and what already runs, and the Task ends cancelled live', async () => {
    await stack.system.worker.stop();
    try {
      const { taskId } = await create({ name: `Cancelled ${run}`, subtasks: [{ key: 'a', name: 'First step', action: 'noop', queue: 'bench' }, { key: 'b', name: 'Second step', action: 'noop', queue: 'bench', dependsOn: ['a'] }] });
      await until(taskId, 'queued');
      await page.goto(`${stack.baseUrl}/tasks/${taskId}`);
      await page.getByTestId('cancel').click();
      const text = await page.getByTestId('dialog-text').innerText();
      expect(text).toContain('Stops 2 SubTasks that have not started: First step, Second step.');
      await page.getByTestId('confirm').click();
      await page.getByTestId('task-status').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('cancel').isDisabled()).toBe(true);
    } finally {
      await stack.system.worker.restart();
    }
  });

  it('the overview retries a group of failures after a confirmation', async () => {
    const mail = await refusedMail('group');
    await page.goto(`${stack.baseUrl}/overview`);
    // The refusal names its recipient, so each test's mail is a group of its own.
    const group = page.getByTestId('failure-groups').locator('li').filter({ hasText: `1 send SubTask failed: all recipients were rejected: ${mail.recipient}` });
    await group.getByRole('button', { name: /^Retry \d+$/ }).click();
    expect(await page.locator('dialog[open]').innerText()).toContain('The SubTask gets a new attempt now');
    await stack.system.sandboxCall('DELETE', '/_sandbox/smtp/rules');
    await page.locator('dialog[open]').getByTestId('confirm').click();
    await page.getByRole('status').filter({ hasText: '1 retried.' }).waitFor({ timeout: 15_000 });
    await until(mail.taskId, 'warning');
  });

  it('works from the keyboard: a row opens with Enter, the tabs move with the arrows, Escape closes a dialog', async () => {
    const mail = await refusedMail('keys');
    await page.goto(`${stack.baseUrl}/tasks?q=${encodeURIComponent(`id = ${mail.taskId}`)}`);
    await row(page, mail.taskId).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('task-detail').waitFor();
    await page.getByTestId('tab-graph').focus();
    await page.keyboard.press('ArrowRight');
    await page.getByTestId('subtask-table').waitFor();
    expect(await page.locator('#tab-subtasks').evaluate((tab) => tab === tab.ownerDocument.activeElement)).toBe(true);
    await page.locator(`[data-subtask-id="${mail.subTaskIds.mail}"] button`).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('retry').focus();
    await page.keyboard.press('Enter');
    await page.locator('dialog[open]').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('dialog[open]').count()).toBe(0);
  });

  it('axe-core finds no serious or critical violation on any screen, light or dark', async () => {
    const mail = await refusedMail('axe');
    const screens: [string, (p: Page) => Promise<unknown>][] = [
      ['sign-in', async (p) => p.goto(`${stack.baseUrl}/sign-in`)],
      ['list', async (p) => (await p.goto(`${stack.baseUrl}/tasks`), p.getByTestId('task-table').waitFor())],
      ['list with a search error', async (p) => (await p.goto(`${stack.baseUrl}/tasks?q=${encodeURIComponent('name = ')}`), p.getByTestId('list-error').waitFor())],
      ['task graph', async (p) => (await p.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=graph&subtask=${mail.subTaskIds.mail}`), p.getByTestId('attempts').waitFor())],
      ['task subtasks', async (p) => (await p.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=subtasks`), p.getByTestId('subtask-table').waitFor())],
      ['task history', async (p) => (await p.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=history`), p.getByTestId('history').waitFor())],
      ['retry dialog', async (p) => (await p.goto(`${stack.baseUrl}/tasks/${mail.taskId}?tab=graph&subtask=${mail.subTaskIds.mail}`), await p.getByTestId('retry').click(), p.getByTestId('dialog-text').waitFor())],
      ['overview', async (p) => (await p.goto(`${stack.baseUrl}/overview`), p.getByTestId('failure-groups').waitFor())],
      ['not found', async (p) => (await p.goto(`${stack.baseUrl}/tasks/00000000-0000-7000-8000-000000000000`), p.getByRole('heading', { name: 'Not found' }).waitFor())],
    ];
    const found: string[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, open] of screens) {
        await open(page);
        // The list once the other tests have filled it: the screenshot of docs/.
        if (name === 'list' && scheme === 'light') await screenshot(page, 'list');
        const report = await axeScan(page);
        if (report.violations.length) found.push(`${name} (${scheme}): ${report.summary}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(found).toEqual([]);
  });
});
