// Which clone SubTask holds a Proxmox VMID while it clones into it (README "Exactly one VM per
// clone"). /cluster/nextid reserves nothing: it answers every caller with the same lowest free VMID
// until a config file takes it, so two replicas pick the same one. One subject per VMID, published
// with expected last subject sequence 0, is a create-if-absent with no time window: one SubTask wins
// the VMID before anything reaches Proxmox, the others take another.

import { JetStreamApiError, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Topology } from '@vle/contracts';

/** The clone attempt that holds (or asks for) a VMID. */
export interface VmidHolder {
  readonly taskId: string;
  readonly subTaskId: string;
  readonly generation: number;
  readonly attempt: number;
}

export interface VmidReservation extends VmidHolder {
  readonly vmid: number;
  /** ISO 8601, when the holder's attempt took it. */
  readonly reservedAt: string;
  /** The UPID of the clone the holder started into this VMID, once Proxmox answered it. */
  readonly upid?: string;
  /** Stream sequence of this record: the expected last subject sequence of its next change. */
  readonly seq: number;
}

export type VmidClaim = { readonly kind: 'ours'; readonly reservation: VmidReservation } | { readonly kind: 'other'; readonly reservation: VmidReservation };

export interface VmidReservations {
  /** The VMID's reservation, if one is held. */
  get(vmid: number): Promise<VmidReservation | undefined>;
  /**
   * Reserves `vmid` for `holder` unless another SubTask holds it. A VMID this SubTask already holds
   * (an earlier attempt's) is taken over by this attempt, keeping its UPID.
   */
  claim(vmid: number, holder: VmidHolder): Promise<VmidClaim>;
  /** Records the UPID of the clone the holder started; rejects if another SubTask holds the VMID now. */
  recordUpid(reservation: VmidReservation, upid: string): Promise<VmidReservation>;
  /** Gives the VMID back: its clone is done (the VM's config guards it now) or was never ours to make. */
  release(reservation: VmidReservation): Promise<void>;
}

const WRONG_LAST_SEQUENCE = 10071;
/** A conflict means another writer just changed the record; more than a few in a row is a bug. */
const MAX_CONFLICTS = 5;

export class JetStreamVmidReservations implements VmidReservations {
  private jsm?: Promise<JetStreamManager>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(vmid: number): Promise<VmidReservation | undefined> {
    const stored = await (await this.manager()).streams.getMessage(this.topology.vmidReservationStream.name, { last_by_subj: this.topology.vmidReservationSubject(vmid) });
    return stored ? decode(vmid, stored.seq, stored.data) : undefined;
  }

  async claim(vmid: number, holder: VmidHolder): Promise<VmidClaim> {
    for (let conflicts = 0; ; conflicts++) {
      const current = await this.get(vmid);
      if (current && current.subTaskId !== holder.subTaskId) return { kind: 'other', reservation: current };
      if (current && current.generation === holder.generation && current.attempt === holder.attempt) return { kind: 'ours', reservation: current };
      const record = { vmid, ...pick(holder), reservedAt: this.now().toISOString(), ...(current?.upid ? { upid: current.upid } : {}) };
      const written = await this.write(vmid, record, current?.seq ?? 0);
      if (written) return { kind: 'ours', reservation: written };
      if (conflicts >= MAX_CONFLICTS) throw new Error(`the reservation of VMID ${vmid} changed ${MAX_CONFLICTS} times while it was claimed`);
    }
  }

  async recordUpid(reservation: VmidReservation, upid: string): Promise<VmidReservation> {
    let expected = reservation;
    for (let conflicts = 0; ; conflicts++) {
      const { seq: _seq, ...record } = expected;
      const written = await this.write(reservation.vmid, { ...record, upid }, expected.seq);
      if (written) return written;
      const current = await this.get(reservation.vmid);
      if (!current || current.subTaskId !== reservation.subTaskId) {
        throw new Error(`VMID ${reservation.vmid} is no longer reserved by SubTask ${reservation.subTaskId}`);
      }
      if (conflicts >= MAX_CONFLICTS) throw new Error(`the reservation of VMID ${reservation.vmid} changed ${MAX_CONFLICTS} times while its UPID was recorded`);
      expected = current;
    }
  }

  async release(reservation: VmidReservation): Promise<void> {
    // Up to and including this record only: a reservation written after it is not ours to drop.
    await (await this.manager()).streams.purge(this.topology.vmidReservationStream.name, { filter: this.topology.vmidReservationSubject(reservation.vmid), seq: reservation.seq + 1 });
  }

  /** Publishes `record` if the subject's last sequence is still `expectedSeq`; undefined on a conflict. */
  private async write(vmid: number, record: Omit<VmidReservation, 'seq'>, expectedSeq: number): Promise<VmidReservation | undefined> {
    try {
      const ack = await this.js.publish(this.topology.vmidReservationSubject(vmid), JSON.stringify(record), { expect: { lastSubjectSequence: expectedSeq } });
      return { ...record, seq: ack.seq };
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) return undefined;
      throw error;
    }
  }

  private manager(): Promise<JetStreamManager> {
    this.jsm ??= this.js.jetstreamManager();
    return this.jsm;
  }
}

function pick({ taskId, subTaskId, generation, attempt }: VmidHolder): VmidHolder {
  return { taskId, subTaskId, generation, attempt };
}

/** A record that is not ours to read (hand-written, another version) holds the VMID for nobody we know. */
function decode(vmid: number, seq: number, data: Uint8Array): VmidReservation {
  try {
    const record = JSON.parse(new TextDecoder().decode(data)) as Partial<VmidReservation>;
    if (typeof record.subTaskId === 'string' && typeof record.taskId === 'string' && Number.isInteger(record.generation) && Number.isInteger(record.attempt)) {
      return {
        vmid,
        taskId: record.taskId,
        subTaskId: record.subTaskId,
        generation: record.generation!,
        attempt: record.attempt!,
        reservedAt: typeof record.reservedAt === 'string' ? record.reservedAt : '',
        ...(typeof record.upid === 'string' ? { upid: record.upid } : {}),
        seq,
      };
    }
  } catch {
    // fall through
  }
  return { vmid, taskId: '', subTaskId: `(unreadable reservation #${seq})`, generation: 0, attempt: 0, reservedAt: '', seq };
}
