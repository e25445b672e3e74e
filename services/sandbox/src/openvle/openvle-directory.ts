// The OpenVLE core API's view of lab events, as the sandbox simulates it: events with their dates,
// template and participants. Plain state, no HTTP; the controllers serve it.

export interface OpenVleParticipant {
  readonly id: number;
  readonly username: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
}

export interface OpenVleEvent {
  readonly id: number;
  readonly name: string;
  /** ISO 8601. */
  readonly startsAt: string;
  readonly endsAt: string;
  /** The Proxmox template every participant's VM is cloned from. */
  readonly templateVmid: number;
  /** Remote desktop protocol of the participants' VMs. */
  readonly protocol: 'rdp' | 'vnc';
  /** The Moodle course the event's course is duplicated from (none: the event has no course). */
  readonly moodleTemplateCourseId?: number;
  readonly participants: readonly OpenVleParticipant[];
}

export interface EventFilter {
  readonly startsFrom?: Date;
  readonly startsTo?: Date;
  readonly endsFrom?: Date;
  readonly endsTo?: Date;
}

export class OpenVleDirectory {
  private readonly events = new Map<number, OpenVleEvent>();

  add(event: OpenVleEvent): OpenVleEvent {
    this.events.set(event.id, event);
    return event;
  }

  remove(id: number): boolean {
    return this.events.delete(id);
  }

  get(id: number): OpenVleEvent | undefined {
    return this.events.get(id);
  }

  /** Events whose start and end fall in the filter's bounds (inclusive), by start time. */
  list(filter: EventFilter = {}): OpenVleEvent[] {
    const within = (iso: string, from?: Date, to?: Date) => (!from || Date.parse(iso) >= from.getTime()) && (!to || Date.parse(iso) <= to.getTime());
    return [...this.events.values()]
      .filter((e) => within(e.startsAt, filter.startsFrom, filter.startsTo) && within(e.endsAt, filter.endsFrom, filter.endsTo))
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || a.id - b.id);
  }

  reset(): void {
    this.events.clear();
  }
}
