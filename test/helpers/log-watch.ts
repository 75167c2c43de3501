/** Collects log lines (pass `onLog` to startNatsServer) and waits for a line matching a pattern. */
export interface LogWatch {
  readonly lines: readonly string[];
  onLog(line: string): void;
  /** Resolves with the first line (already seen, or future) matching `pattern`; rejects after timeoutMs. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Like waitFor, but only lines logged after this call count. */
  waitForNext(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function createLogWatch(): LogWatch {
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const wait = (pattern: RegExp, timeoutMs: number, from: number): Promise<string> => {
    const seen = lines.slice(from).find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        pattern,
        resolve: (line: string) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`No log line matched ${String(pattern)} within ${timeoutMs} ms. Last lines:\n${lines.slice(-15).join('\n')}`));
      }, timeoutMs);
      waiters.add(waiter);
    });
  };
  return {
    lines,
    onLog(line) {
      lines.push(line);
      for (const w of [...waiters]) if (w.pattern.test(line)) w.resolve(line);
    },
    waitFor: (pattern, timeoutMs = 10_000) => wait(pattern, timeoutMs, 0),
    waitForNext: (pattern, timeoutMs = 10_000) => wait(pattern, timeoutMs, lines.length),
  };
}
