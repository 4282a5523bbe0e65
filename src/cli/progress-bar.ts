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

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    enabled = stream.isTTY === true,
  ) {
    this.enabled = enabled;
  }

  /** Redraws the bar at `fraction` (0–1) with a detail text; throttled to 10 redraws a second. */
  update(fraction: number, detail = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && fraction < 1) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - this.label.length - detail.length - 12));
    const f = Math.min(1, Math.max(0, fraction));
    const filled = Math.round(f * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    this.stream.write(`\r\x1b[2K${this.label} ${bar} ${(f * 100).toFixed(0).padStart(3)}% ${detail}`);
  }

  /** Erases the bar from its line so another line can be printed (it is redrawn at the next update). */
  clear(): void {
    if (!this.enabled) return;
    this.stream.write('\r\x1b[2K');
    this.lastDraw = 0;
  }

  /** Clears the bar and prints a final line (on a terminal only). */
  done(message = ''): void {
    if (!this.enabled) return;
    this.stream.write(`\r\x1b[2K${message ? `${this.label}: ${message}\n` : ''}`);
  }
}
