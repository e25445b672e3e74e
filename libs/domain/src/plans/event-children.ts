// What an event's jobs create, planned from the event's data as the OpenVLE core API gives it: the
// child Tasks of a deploy (per participant clone VM -> start VM -> Guacamole connection -> access
// mail, and the event's Moodle course with its enrolments), of an archive (per participant delete
// the Guacamole connection -> stop VM -> delete VM), and the advance notice. Pure: the job sends
// them to task-api with their idempotency keys, so a redelivered job creates nothing twice.

import type { PlannedDraft } from './task-plan.js';
import { planGuacamoleCleanup, planGuacamoleProvision } from './guacamole.plans.js';
import { planMoodleDeployCourse } from './moodle.plans.js';

export interface LabParticipant {
  readonly id: number;
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
}

export interface LabEvent {
  readonly id: number;
  readonly name: string;
  /** ISO 8601. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly templateVmid: number;
  readonly protocol: 'rdp' | 'vnc';
  readonly moodleTemplateCourseId?: number;
  readonly participants: readonly LabParticipant[];
}

/** A Task a job creates: its SubTasks, and the key that makes creating it again a no-op. */
export interface ChildTaskPlan {
  /** Unique among the children of one parent (the idempotency key is `<parent task id>:<key>`). */
  readonly key: string;
  readonly name: string;
  readonly objectType?: PlannedDraft['objectType'];
  readonly objectId?: string;
  readonly subtasks: readonly PlannedDraft[];
}

export interface EventPlanOptions {
  /** DNS domain of the lab network: a VM is reached as `<vm name>.<domain>`. */
  readonly vmDomain: string;
}

/**
 * The participant's VM name: `ev<event>-<username>`, made a DNS name (Proxmox requires one) of at
 * most 63 characters. Deterministic, so the archive finds the VMs the deploy made.
 */
export function labVmName(event: Pick<LabEvent, 'id'>, participant: Pick<LabParticipant, 'username'>): string {
  const user = participant.username.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || `p`;
  return `ev${event.id}-${user}`.slice(0, 63).replace(/-+$/, '');
}

const fullName = (p: LabParticipant) => `${p.firstName} ${p.lastName}`;

/** Clone the participant's VM, start it, give it a Guacamole connection, and mail the access. */
export function planParticipantDeploy(event: LabEvent, participant: LabParticipant, options: EventPlanOptions): ChildTaskPlan {
  const vmName = labVmName(event, participant);
  const [connection] = planGuacamoleProvision(
    { connections: [{ username: participant.username, fullName: fullName(participant), connectionName: vmName, protocol: event.protocol, hostname: `${vmName}.${options.vmDomain}` }], validUntil: event.endsAt.slice(0, 10) },
    { eventId: String(event.id) },
  ).subtasks;
  return {
    key: `vm:${participant.username}`,
    name: `Lab VM ${vmName} for ${participant.username} (event ${event.id})`,
    objectType: 'vm',
    subtasks: [
      { key: 'clone', name: `Clone VM ${vmName}`, action: 'clone', queue: 'pve_vm_clone', objectType: 'template', objectId: String(event.templateVmid), params: { templateVmid: event.templateVmid, name: vmName, full: false } },
      { key: 'start', name: `Start VM ${vmName}`, action: 'start', queue: 'pve_vm_actions', objectType: 'vm', dependsOn: ['clone'], params: {} },
      { ...connection!, key: 'connection', dependsOn: ['start'] },
      {
        key: 'mail',
        name: `Mail the access to ${participant.email}`,
        action: 'lab_access',
        queue: 'mails',
        objectType: 'mail',
        dependsOn: ['connection'],
        params: { to: [participant.email], fullName: fullName(participant), username: participant.username, connectionName: vmName, eventName: event.name, startsAt: event.startsAt, endsAt: event.endsAt },
      },
    ],
  };
}

/** The event's Moodle course, duplicated from its template, with every participant enrolled. */
export function planCourseDeploy(event: LabEvent): ChildTaskPlan | undefined {
  if (event.moodleTemplateCourseId === undefined) return undefined;
  const plan = planMoodleDeployCourse(
    {
      shortname: `EV${event.id}`,
      fullname: event.name,
      templateCourseId: event.moodleTemplateCourseId,
      users: event.participants.map((p) => ({ username: p.username, firstname: p.firstName, lastname: p.lastName, email: p.email })),
    },
    { eventId: String(event.id) },
  );
  return { key: 'course', name: `${plan.name} (event ${event.id})`, objectType: plan.objectType, objectId: plan.objectId, subtasks: plan.subtasks };
}

/** Delete the participant's Guacamole connection, then stop the VM, then delete it: each only after the one before succeeded. */
export function planParticipantArchive(event: LabEvent, participant: LabParticipant): ChildTaskPlan {
  const vmName = labVmName(event, participant);
  const [connection] = planGuacamoleCleanup({ connections: [{ username: participant.username, connectionName: vmName }] }, { eventId: String(event.id) }).subtasks;
  return {
    key: `archive:${participant.username}`,
    name: `Archive lab VM ${vmName} of ${participant.username} (event ${event.id})`,
    objectType: 'vm',
    subtasks: [
      { ...connection!, key: 'connection' },
      // A VM a failed deploy never made has nothing to stop (and its delete counts it as deleted).
      { key: 'stop', name: `Stop VM ${vmName}`, action: 'stop', queue: 'pve_vm_actions', objectType: 'vm', dependsOn: ['connection'], params: { vmName, ifExists: true } },
      { key: 'delete', name: `Delete VM ${vmName}`, action: 'delete', queue: 'pve_vm_clone', objectType: 'vm', dependsOn: ['stop'], params: { vmName } },
    ],
  };
}

/** One mail per participant: the event starts soon. */
export function planAdvanceNotice(event: LabEvent): ChildTaskPlan | undefined {
  if (event.participants.length === 0) return undefined;
  return {
    key: 'notice',
    name: `Advance notice of event ${event.id} to ${event.participants.length} participant${event.participants.length === 1 ? '' : 's'}`,
    objectType: 'event',
    objectId: String(event.id),
    subtasks: event.participants.map((p, i) => ({
      key: `notice-${i + 1}`,
      name: `Mail the advance notice to ${p.email}`,
      action: 'send',
      queue: 'mails',
      objectType: 'mail',
      params: {
        to: [p.email],
        subject: `${event.name} starts on ${event.startsAt.slice(0, 10)}`,
        text: `Hello ${fullName(p)},\n\nyour lab "${event.name}" runs from ${event.startsAt} to ${event.endsAt} (UTC). You will receive your access details when your lab machine is ready.\n`,
      },
    })),
  };
}
