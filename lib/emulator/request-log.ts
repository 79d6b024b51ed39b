/** The log of API calls (`GET /__emulator/requests`); control calls are not logged. */

export interface RequestLogEntry {
  readonly method: string;
  /** The path without its query. */
  readonly path: string;
  /** The status answered; 0 when the connection was reset. */
  readonly status: number;
  /** When the call arrived, on the emulator's clock (ISO 8601). */
  readonly at: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
