/**
 * A one-line progress bar for long CLI work, drawn on stderr only when it is a terminal (never in `--json` mode or when
 * output is piped).
 *
 * @example
 * const bar = new ProgressBar('training', process.stderr);
 * bar.update(0.5, 'epoch 3/12');
 * bar.done('trained in 41 s');
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDraw = 0;
  /** The fraction drawn last in this stage: the bar never moves backwards. */
  private shown = 0;
  private stage = 1;
  /** Whether the bar is drawn on the current line (not cleared for a printed line). */
  private onLine = false;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    enabled = stream.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  /**
   * Redraws the bar at `fraction` (0–1) with a detail text; throttled to 10 redraws a second. A fraction clearly below
   * the last one is a new stage of the work (the next candidate of a search): the finished bar stays on its line and a
   * new one starts below, so no bar ever moves backwards.
   */
  update(fraction: number, detail = ''): void {
    if (!this.enabled) return;
    const next = Math.min(1, Math.max(0, fraction));
    if (next < this.shown - 0.05) {
      if (this.onLine) this.stream.write('\n');
      this.stage++;
      this.shown = 0;
      this.lastDraw = 0;
    }
    const now = Date.now();
    if (now - this.lastDraw < 100 && next < 1) return;
    this.lastDraw = now;
    const f = Math.max(this.shown, next);
    this.shown = f;
    const label = this.stage > 1 ? `${this.label} (stage ${this.stage})` : this.label;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - label.length - detail.length - 12));
    const filled = Math.round(f * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.onLine = true;
    this.stream.write(`\r\x1b[2K${label} ${bar} ${(f * 100).toFixed(0).padStart(3)}% ${detail}`);
  }

  /** Erases the bar from its line so another line can be printed (it is redrawn at the next update). */
  clear(): void {
    if (!this.enabled) return;
    this.stream.write('\r\x1b[2K');
    this.lastDraw = 0;
    this.onLine = false;
  }

  /** Clears the bar and prints a final line (on a terminal only). */
  done(message = ''): void {
    if (!this.enabled) return;
    this.stream.write(`\r\x1b[2K${message ? `${this.label}: ${message}\n` : ''}`);
  }
}
