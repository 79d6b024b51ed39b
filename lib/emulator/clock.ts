/** The emulator's clock: real time plus an offset that only moves forward (`POST /__emulator/clock`). */
export class Clock {
  private offset: number;

  constructor(offsetMs = 0, private readonly realNow: () => number = Date.now) {
    this.offset = offsetMs;
  }

  /** The current emulator time. */
  now(): Date {
    return new Date(this.realNow() + this.offset);
  }

  /** How far the clock runs ahead of real time, in milliseconds (persisted in the state file). */
  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock forward and returns the new time. */
  advance(seconds: number): Date {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`cannot advance the clock by ${seconds}s: give a finite number of seconds >= 0`);
    }
    this.offset += Math.round(seconds * 1000);
    return this.now();
  }

  /** Back to real time. */
  reset(): void {
    this.offset = 0;
  }
}
