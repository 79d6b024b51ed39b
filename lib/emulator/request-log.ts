/** The log of API calls (`GET /__emulator/requests`), in arrival order; control calls are not logged. */

export interface RequestLogEntry {
  readonly method: string;
  /** The path without its query. */
  readonly path: string;
  /** The status answered; 0 when the connection was reset. */
  readonly status: number;
  /** When the call arrived, on the emulator's clock (ISO 8601). */
  readonly at: string;
}

interface Slot {
  readonly method: string;
  readonly path: string;
  readonly at: string;
  status?: number;
}

export class RequestLog {
  private slots: Slot[] = [];

  /** Takes the call's place in the log when it arrives; `finish` records its status when answered. */
  begin(method: string, path: string, at: string): { finish(status: number): void } {
    const slot: Slot = { method, path, at };
    this.slots.push(slot);
    return {
      finish: (status) => {
        slot.status = status;
      },
    };
  }

  /** The answered calls, in the order they arrived. */
  list(): RequestLogEntry[] {
    return this.slots
      .filter((s) => s.status !== undefined)
      .map((s) => ({ method: s.method, path: s.path, status: s.status as number, at: s.at }));
  }

  clear(): void {
    this.slots = [];
  }
}
