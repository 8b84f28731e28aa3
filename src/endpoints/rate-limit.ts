/** Requests-per-minute limiter: spaces request starts evenly so a vendor's RPM quota is never exceeded. */
export class RpmLimiter {
  private next = 0;
  private readonly interval: number;

  constructor(
    rpm: number,
    private readonly now: () => number = Date.now,
  ) {
    this.interval = 60_000 / rpm;
  }

  /** Milliseconds the caller must wait before its request may start (reserves the slot). */
  reserve(): number {
    const now = this.now();
    const start = Math.max(now, this.next);
    this.next = start + this.interval;
    return start - now;
  }

  async acquire(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
