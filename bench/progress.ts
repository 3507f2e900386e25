/** Progress on stderr: one line per step, plus a live status line when stderr is a terminal. */
export class Progress {
  private readonly started = Date.now();
  private liveShown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private stamp(): string {
    const seconds = Math.floor((Date.now() - this.started) / 1000);
    return `[${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}]`;
  }

  elapsedSeconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  phase(title: string): void {
    this.line(`\n${this.stamp()} == ${title}`);
  }

  step(text: string): void {
    this.line(`${this.stamp()}    ${text}`);
  }

  /** Overwritten by the next live text or line; shown only on a terminal. */
  live(text: string): void {
    if (!this.stream.isTTY) return;
    this.stream.write(`\r\x1b[K${this.stamp()}    … ${text}`);
    this.liveShown = true;
  }

  clearLive(): void {
    if (!this.liveShown) return;
    this.stream.write('\r\x1b[K');
    this.liveShown = false;
  }

  private line(text: string): void {
    this.clearLive();
    this.stream.write(`${text}\n`);
  }
}
