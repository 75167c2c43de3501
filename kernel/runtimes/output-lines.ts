/**
 * A guest's text output (stderr, a worker's stdout and stderr, container logs) cut into lines: the
 * newest `capacity` are kept for `cairn logs`, and each completed line goes to the listeners as it
 * comes (`cairn logs -f`). A trailing `\r` is dropped; multi-byte characters split across chunks
 * are joined (Buffers are decoded with a streaming decoder).
 */
export class OutputLines {
  private readonly lines: string[] = [];
  private partial = '';
  private readonly decoder = new TextDecoder('utf-8');
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(private readonly capacity = 200) {}

  /** Adds a chunk; returns the lines it completed (also given to every listener). */
  push(chunk: Uint8Array | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true }));
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const done = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    for (const line of done) this.add(line);
    return done;
  }

  /** The output ended: an unfinished last line counts as a line (given to the listeners too). */
  end(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest) this.add(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }

  /** Calls `listener` with every line completed from now on. */
  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  /** Every kept line, plus the unfinished last one. */
  snapshot(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }

  /** The newest line, finished or not. */
  last(): string | undefined {
    return this.partial || this.lines.at(-1);
  }

  private add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    for (const l of this.listeners) l(line);
  }
}
