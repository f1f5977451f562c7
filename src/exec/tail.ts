/** The last lines of a command's combined output, with long lines cut, so a chatty command cannot flood memory or Slack. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';
  /** Complete lines pushed so far, including those the tail no longer keeps. */
  private complete = 0;

  constructor(
    private readonly maxLines = 40,
    private readonly maxLineLength = 500,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    if (this.partial.length > this.maxLineLength * 4) {
      parts.push(this.partial);
      this.partial = '';
    }
    for (const line of parts) this.lines.push(this.cut(line));
    this.complete += parts.length;
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** The last `n` lines, including an unfinished one. */
  last(n = this.maxLines): string[] {
    const all = this.partial ? [...this.lines, this.cut(this.partial)] : this.lines;
    return all.slice(-n);
  }

  /**
   * The complete lines after the first `seen` (a count an earlier call returned as `seen`), as far
   * as the tail still keeps them; `final` adds the unfinished line (the output has ended).
   * `skipped` counts new lines the tail no longer held.
   */
  since(seen: number, final = false): { lines: string[]; seen: number; skipped: number } {
    const fresh = Math.min(this.complete - seen, this.lines.length);
    const lines = fresh > 0 ? this.lines.slice(-fresh) : [];
    if (final && this.partial) lines.push(this.cut(this.partial));
    return { lines, seen: this.complete, skipped: Math.max(0, this.complete - seen - this.lines.length) };
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
