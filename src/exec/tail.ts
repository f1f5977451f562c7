/** The last lines of a command's combined output, with long lines cut, so a chatty command cannot flood memory or Slack. */
export class OutputTail {
  private lines: string[] = [];
  private partial = '';

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
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }

  /** The last `n` lines, including an unfinished one. */
  last(n = this.maxLines): string[] {
    const all = this.partial ? [...this.lines, this.cut(this.partial)] : this.lines;
    return all.slice(-n);
  }

  private cut(line: string): string {
    return line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
  }
}
