/**
 * Background work run one job at a time per key (a ticket), different keys in parallel: a ticket's card must exist
 * before its thread gets replies, and its updates must land in order, while the customer's turn never waits for
 * Slack or Teams. Used by the agents' channels of both. Failures go to `onError`; {@link KeyedQueue.idle} waits for
 * everything started so far.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly onError: (key: string, error: unknown) => void) {}

  /** Runs `job` after the jobs already queued under `key`; the promise settles (never rejects) when it is done. */
  run(key: string, job: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(job).catch((e: unknown) => this.onError(key, e));
    this.tails.set(key, next);
    void next.then(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    return next;
  }

  /** Keys with work pending. */
  get size(): number {
    return this.tails.size;
  }

  /** Resolves when every job queued so far (and any queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
