// Traces across the real processes (README, "Operating it"): a lab-event deploy on the whole system
// (task-api, projection, the three workers, the sandbox), every service exporting OTLP/JSON to a
// receiver of this test's own. Each child Task of the deploy is one trace, one connected tree: from
// the NATS command the deploy job sent, through task-api's append and dispatch, every job attempt on
// every worker and its handler, down to the HTTP calls to Proxmox, Guacamole and Moodle (which the
// sandbox joins) and the SMTP exchange, linked to the parent's job; the projection's batches link to
// every commit of it. A later command on a child (a pin) is a trace of its own that links to the child's.

import { SERVICE_IDENTITIES } from '@vle/auth';
import type { Task } from '@vle/domain';
import { bearer, startOtlpReceiver, traceTree, waitFor, type OtlpReceiver, type SpanRecord, type TraceTree } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskIdFor } from '../../task-api/src/tasks/task-ids.js';
import { System } from '../../task-api/test/system.js';

const WORKER = SERVICE_IDENTITIES['integration-worker'].subject;
const EVENT_ID = 4701;
const PARTICIPANTS = ['s01', 's02'];

let receiver: OtlpReceiver;
const system = new System();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // Debug lines: each job attempt logs one, inside its span (delivery.ts).
  await system.start({
    proxmox: { LOG_LEVEL: 'debug' },
    integrations: { LOG_LEVEL: 'debug' },
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
});

afterAll(async () => {
  await system.stop();
  await receiver?.close();
});

const spansWhere = (test: (span: SpanRecord) => boolean) => receiver.spans().filter(test);
const ofTask = (taskId: string) => (span: SpanRecord) => span.attributes['vle.task_id'] === taskId;
const named = (tree: TraceTree, name: string) => tree.spans.filter((s) => s.name === name);
/** The appends of `tree` that no `projection apply` span links to yet (commits not applied). */
const unapplied = (tree: TraceTree) => {
  const applied = new Set(spansWhere((s) => s.name === 'projection apply').flatMap((s) => s.links.map((l) => l.spanId)));
  return tree.spans.filter((s) => s.name.startsWith('append ') && !applied.has(s.spanId));
};

/** The one span of `tree` named `name`, in `service`. */
function only(tree: TraceTree, name: string, service: string): SpanRecord {
  const found = named(tree, name).filter((s) => s.service === service);
  expect(found, `${service}: ${name} in ${tree.spans.map((s) => `${s.service}: ${s.name}`).join('; ')}`).toHaveLength(1);
  return found[0]!;
}

async function deploy(): Promise<Task> {
  const response = await system.sandboxCall('POST', '/_sandbox/openvle/events', {
    id: EVENT_ID,
    name: `Traced Lab ${EVENT_ID}`,
    startsAt: new Date(Date.now() + 3600_000).toISOString(),
    endsAt: new Date(Date.now() + 5 * 3600_000).toISOString(),
    templateVmid: 9000,
    moodleTemplateCourseId: 2,
    participants: PARTICIPANTS.map((username, i) => ({ id: i + 1, username, firstName: 'Student', lastName: `No ${i + 1}`, email: `${username}@uni.example` })),
  });
  expect(response.status).toBe(201);
  // Through the one origin: the projection forwards the command to task-api.
  const created = await fetch(`${system.projection.url}/api/v1/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(system.token) },
    body: JSON.stringify({ type: 'event.deploy', createdBy: 'e2e', params: { eventId: EVENT_ID } }),
  });
  expect(created.status).toBe(201);
  return system.finished(((await created.json()) as { taskId: string }).taskId, 60_000);
}

describe('a lab-event deploy, traced', () => {
  it('is one connected trace per child Task, from the NATS command to the external calls, linked to the deploy job', async () => {
    const parent = await deploy();
    const keys = [...PARTICIPANTS.map((p) => `vm:${p}`), 'course'];
    const children = await Promise.all(keys.map((key) => system.finished(taskIdFor(WORKER, `event-${EVENT_ID}-${key}`), 90_000)));
    for (const child of children) expect(child).toMatchObject({ status: 'success', originTaskId: parent.id });
    const t = system.topology;

    // The parent's trace: the caller's request to the one origin, forwarded to task-api, its job on
    // integration-worker reading the event from the OpenVLE core API.
    const parentTree = await waitFor(
      () => {
        const created = spansWhere(ofTask(parent.id)).find((s) => s.name === 'command create');
        const tree = created && traceTree(receiver.spans(), created.traceId);
        return tree && named(tree, 'GET openvle').length > 0 && unapplied(tree).length === 0 ? tree : undefined;
      },
      { description: "the parent's trace with its job's call to the core API", timeoutMs: 30_000 },
    );
    expect(parentTree.root).toMatchObject({ service: 'projection', kind: 'server', name: 'POST /api/v1/tasks' });
    const forwarded = only(parentTree, 'POST task-api', 'projection');
    expect(only(parentTree, 'POST /api/v1/tasks', 'task-api').parentSpanId).toBe(forwarded.spanId);
    const deployJob = only(parentTree, 'job core_periodic/deploy_event', 'integration-worker');
    const deployHandler = only(parentTree, 'handle deploy_event', 'integration-worker');
    expect(deployHandler.parentSpanId).toBe(deployJob.spanId);
    expect(named(parentTree, 'GET openvle')[0]).toMatchObject({ kind: 'client', attributes: { 'http.response.status_code': 200, 'vle.external_system': 'openvle' } });
    expect(parentTree.pathTo(named(parentTree, 'GET openvle')[0]!).map((s) => s.name)).toContain('handle deploy_event');

    for (const child of children) {
      // Every span naming the child is in one trace: the one its creating command started.
      const tree = await waitFor(
        () => {
          const spans = spansWhere(ofTask(child.id));
          const traces = new Set(spans.map((s) => s.traceId));
          if (traces.size !== 1) return undefined;
          const tree = traceTree(receiver.spans(), [...traces][0]!);
          // Complete once the last SubTask's job and the projection's apply of every commit are in.
          const jobs = new Set(tree.spans.filter((s) => s.name.startsWith('job ')).map((s) => s.attributes['vle.subtask_id']));
          return child.subtasks.every((s) => jobs.has(s.id)) && unapplied(tree).length === 0 ? tree : undefined;
        },
        { description: `the trace of child Task ${child.name}`, timeoutMs: 30_000 },
      );
      for (const span of spansWhere(ofTask(child.id))) expect(span.traceId).toBe(tree.root.traceId);

      // The root is the command integration-worker sent, a trace of its own linked to the deploy's handler.
      expect(tree.root).toMatchObject({ service: 'integration-worker', kind: 'client', name: `send ${t.requestSubject('create')}`, attributes: { 'vle.task_id': child.id, 'messaging.system': 'nats' } });
      expect(tree.root.links).toEqual([expect.objectContaining({ traceId: parentTree.root.traceId, spanId: deployHandler.spanId })]);
      const intake = only(tree, `process ${t.requestSubject('create')}`, 'task-api');
      expect(intake.parentSpanId).toBe(tree.root.spanId);
      const command = only(tree, 'command create', 'task-api');
      expect(command.parentSpanId).toBe(intake.spanId);
      const append = tree.children(command).find((s) => s.name === `append ${t.eventStream.name}`);
      expect(append).toMatchObject({ kind: 'producer', attributes: { 'vle.task_id': child.id } });

      // Each SubTask: dispatched as a child of the append that queued it, one attempt on its queue's
      // worker, its handler inside it, its start and its outcome appended from inside the job.
      for (const subTask of child.subtasks) {
        const job = tree.spans.find((s) => s.name === `job ${subTask.queue}/${subTask.action}` && s.attributes['vle.subtask_id'] === subTask.id && s.attributes['vle.outcome'] === 'succeeded')!;
        expect(job, `the successful attempt of ${subTask.name}`).toBeDefined();
        expect(job).toMatchObject({ kind: 'consumer', status: { code: 'unset' }, attributes: { 'vle.attempt': subTask.attempt, 'messaging.destination.name': t.jobSubject(subTask.queue as never) } });
        const dispatch = tree.spans.find((s) => s.spanId === job.parentSpanId)!;
        expect(dispatch).toMatchObject({ kind: 'producer', name: `dispatch ${t.jobSubject(subTask.queue as never)}`, attributes: { 'vle.subtask_id': subTask.id } });
        expect(tree.spans.find((s) => s.spanId === dispatch.parentSpanId)?.name).toBe(`append ${t.eventStream.name}`);
        expect(tree.children(job).map((s) => s.name)).toEqual(expect.arrayContaining([`handle ${subTask.action}`, `append ${t.eventStream.name}`]));
        expect(tree.children(job).filter((s) => s.name === `append ${t.eventStream.name}`).length).toBeGreaterThanOrEqual(2);
      }

      // The external calls: client spans under their handler, with the answer's status, joined by the sandbox.
      const calls = tree.spans.filter((s) => s.kind === 'client' && s.attributes['vle.external_system'] !== undefined && s.attributes['vle.external_system'] !== 'smtp');
      const systems = new Set(calls.map((s) => s.attributes['vle.external_system']));
      expect([...systems].sort()).toEqual(child.objectType === 'vm' ? ['guacamole', 'proxmox'] : ['moodle']);
      for (const call of calls) {
        expect(call.attributes['http.response.status_code']).toBeTypeOf('number');
        expect(tree.pathTo(call).some((s) => s.name.startsWith('handle '))).toBe(true);
      }
      const clone = calls.find((s) => s.name === 'POST proxmox' && String(s.attributes['url.path']).endsWith('/clone'));
      if (child.objectType === 'vm') {
        expect(clone).toMatchObject({ attributes: { 'http.response.status_code': 200 }, status: { code: 'unset' } });
        expect(tree.pathTo(clone!).map((s) => s.name)).toEqual([
          tree.root.name,
          `process ${t.requestSubject('create')}`,
          'command create',
          `append ${t.eventStream.name}`,
          `dispatch ${t.jobSubject('pve_vm_clone')}`,
          'job pve_vm_clone/clone',
          'handle clone',
          'POST proxmox',
        ]);
        expect(tree.children(clone!)).toEqual([expect.objectContaining({ service: 'sandbox', kind: 'server' })]);
        expect(named(tree, 'send smtp')).toEqual([expect.objectContaining({ service: 'integration-worker', kind: 'client', attributes: expect.objectContaining({ 'vle.external_system': 'smtp' }) })]);
      }
      // The projection applied every commit of the child in batches of its own trace, linked to the commits'.
      const applies = spansWhere((s) => s.name === 'projection apply' && s.links.some((l) => l.traceId === tree.root.traceId));
      expect(applies.length).toBeGreaterThan(0);
      for (const apply of applies) {
        expect(apply).toMatchObject({ service: 'projection', attributes: { 'vle.projection': expect.any(String) } });
        expect(apply.parentSpanId).toBeUndefined();
      }
      expect(named(tree, 'projection apply')).toEqual([]);
    }

    // Log lines written inside a child's spans carry its trace id (text format: a suffix).
    const [first] = children;
    const traceOfFirst = spansWhere(ofTask(first!.id))[0]!.traceId;
    const lines = [system.vmCloneWorker!, system.vmActionWorker!, system.worker].flatMap((p) => p.output().split('\n')).filter((line) => line.includes(`trace_id=${traceOfFirst}`));
    expect(lines.some((line) => line.includes(`Task ${first!.id}`) && / span_id=[0-9a-f]{16}$/.test(line))).toBe(true);
  });

  it('gives a later command on a child Task a trace of its own, linked to the child trace', async () => {
    const child = taskIdFor(WORKER, `event-${EVENT_ID}-vm:${PARTICIPANTS[0]}`);
    const childTrace = spansWhere(ofTask(child)).find((s) => s.name === 'command create')!.traceId;
    expect((await system.post(`/api/v1/tasks/${child}/pin`, { reason: 'kept for the audit' })).status).toBe(202);
    const pin = await waitFor(() => spansWhere(ofTask(child)).find((s) => s.name === 'command pin'), { description: 'the span of the pin', timeoutMs: 15_000 });
    expect(pin.traceId).not.toBe(childTrace);
    expect(pin.links).toEqual([expect.objectContaining({ traceId: childTrace, attributes: { 'vle.task_id': child } })]);
    const tree = traceTree(receiver.spans(), pin.traceId);
    expect(tree.root).toMatchObject({ service: 'task-api', kind: 'server', name: 'POST /api/v1/tasks/:taskId/pin' });
  });
});
