import { describe, expect, it } from 'vitest';
import { loadConfig } from '@vle/service-kit';
import { projectionConfigSchema } from '../config.js';
import { DEFAULT_RETENTION_POLICY, describePolicy, isExpired, parseRetentionPolicy, ruleOf, type RetainedTask } from './retention-policy.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T03:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY).toISOString();
const task = (over: Partial<RetainedTask>): RetainedTask => ({ status: 'success', type: 'vm.clone', finishedAt: ago(0), pinned: false, ...over });

describe('RETENTION_POLICY', () => {
  it('reads the default: everything finished after 30 days, failed and timed out after 90, node syncs after 1', () => {
    const policy = parseRetentionPolicy(DEFAULT_RETENTION_POLICY);
    expect(describePolicy(policy)).toEqual([
      { match: 'type=pve.node_sync', days: 1 },
      { match: 'failed', days: 90 },
      { match: 'timed_out', days: 90 },
      { match: '*', days: 30 },
    ]);
  });

  it('lets the most specific rule win: status and type, then type, then status, then *', () => {
    const policy = parseRetentionPolicy('*:30, failed:90, type=pve.node_sync:1, failed&type=pve.node_sync:7, cancelled:never');
    expect(ruleOf(policy, { status: 'failed', type: 'pve.node_sync' })?.days).toBe(7);
    expect(ruleOf(policy, { status: 'success', type: 'pve.node_sync' })?.days).toBe(1);
    expect(ruleOf(policy, { status: 'failed', type: 'mail.send' })?.days).toBe(90);
    expect(ruleOf(policy, { status: 'warning', type: null })?.days).toBe(30);
    expect(ruleOf(policy, { status: 'cancelled', type: 'x' })?.days).toBeNull();
  });

  it.each([
    ['', 'is empty'],
    ['success', 'must be <match>:<days>'],
    ['success:0', 'days must be a whole number from 1 to 36500'],
    ['success:1.5', 'days must be a whole number'],
    ['running:3', '"running" is not a finished status'],
    ['succes:3', '"succes" is not a finished status'],
    ['success:3,success:4', 'another rule matches the same Tasks'],
    ['*:3,,failed:4', 'empty rule'],
    ['type=:3', 'is not a task type'],
    ['failed&cancelled:3', 'names two statuses'],
  ])('refuses %j naming the problem', (text, problem) => {
    expect(() => parseRetentionPolicy(text)).toThrow(problem);
  });

  it('is a ConfigError at boot naming the variable', () => {
    expect(() => loadConfig(projectionConfigSchema, { RETENTION_POLICY: 'success:often' })).toThrow(/RETENTION_POLICY: rule "success:often": days must be/);
    expect(() => loadConfig(projectionConfigSchema, { RETENTION_DISABLED: 'maybe' })).toThrow(/RETENTION_DISABLED: must be true or false/);
    const config = loadConfig(projectionConfigSchema, { RETENTION_POLICY: 'success:2', RETENTION_DISABLED: 'true' });
    expect(config).toMatchObject({ RETENTION_DISABLED: true, RETENTION_POLICY: { rules: [{ status: 'success', days: 2 }] }, RETENTION_BATCH_SIZE: 500 });
    expect(loadConfig(projectionConfigSchema, {}).RETENTION_POLICY.rules).toHaveLength(4);
  });
});

describe('the choice of Tasks', () => {
  const policy = parseRetentionPolicy(DEFAULT_RETENTION_POLICY);

  it('deletes a finished Task once its rule’s age has passed since it finished, not before', () => {
    expect(isExpired(policy, task({ finishedAt: ago(30) }), NOW)).toBe(true);
    expect(isExpired(policy, task({ finishedAt: new Date(Date.parse(ago(30)) + 1).toISOString() }), NOW)).toBe(false);
    expect(isExpired(policy, task({ status: 'failed', finishedAt: ago(60) }), NOW)).toBe(false);
    expect(isExpired(policy, task({ status: 'failed', finishedAt: ago(91) }), NOW)).toBe(true);
    expect(isExpired(policy, task({ type: 'pve.node_sync', status: 'failed', finishedAt: ago(1.5) }), NOW)).toBe(true);
  });

  it('never deletes a pinned Task, nor an unfinished one, whatever its age', () => {
    expect(isExpired(policy, task({ finishedAt: ago(400), pinned: true }), NOW)).toBe(false);
    for (const status of ['planning', 'scheduled', 'queued', 'running', 'cancelling']) {
      expect(isExpired(policy, task({ status, finishedAt: ago(400) }), NOW)).toBe(false);
      expect(isExpired(policy, task({ status, finishedAt: null }), NOW)).toBe(false);
    }
  });

  it('keeps a Task no rule matches, and one whose rule says never', () => {
    const narrow = parseRetentionPolicy('type=pve.node_sync:1,cancelled:never');
    expect(isExpired(narrow, task({ finishedAt: ago(400) }), NOW)).toBe(false);
    expect(isExpired(narrow, task({ type: 'pve.node_sync', status: 'cancelled', finishedAt: ago(2) }), NOW)).toBe(true);
    expect(isExpired(narrow, task({ type: 'x', status: 'cancelled', finishedAt: ago(400) }), NOW)).toBe(false);
  });
});
