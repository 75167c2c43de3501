// Every failure of a send reaches the caller of tell/ask as a CairnError with a registered code.
import { describe, expect, it } from 'vitest';
import { translatePublishError } from '../../kernel/nats-sender.ts';
import { PublishAckError } from '../../kernel/stream-publisher.ts';
import { CairnError, KernelCodes, errorCodes, isCairnError } from '../../protocols/index.ts';

const registered = new Set<string>(errorCodes.map((e) => e.code));
const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

describe('translatePublishError', () => {
  it('send errors - each way a publish can fail becomes a registered code', () => {
    const cases: [unknown, string][] = [
      [named('NoRespondersError', 'no responders: no stream listens on this subject'), KernelCodes.JETSTREAM_UNAVAILABLE],
      [named('PublisherClosedError', 'publisher closed'), KernelCodes.SYSTEM_NOT_RUNNING],
      [named('TimeoutError', 'no publish ack within 5000 ms'), KernelCodes.SEND_FAILED],
      [new PublishAckError(10047, 'insufficient storage resources available'), KernelCodes.SEND_FAILED],
      [new Error('something else'), KernelCodes.SEND_FAILED],
      ['a string', KernelCodes.SEND_FAILED],
    ];
    for (const [input, code] of cases) {
      const out = translatePublishError(input, 'local/counter', 'local');
      expect(isCairnError(out, code), `${String((input as Error).name ?? input)} → ${out.code}`).toBe(true);
      expect(registered.has(out.code)).toBe(true);
      expect(out.message).toContain('local');
    }
  });

  it('send errors - a refusal keeps the server’s API code in the details, and a CairnError passes through unchanged', () => {
    expect(translatePublishError(new PublishAckError(10047, 'insufficient storage'), 'local/a', 'local').details).toMatchObject({ apiCode: 10047 });
    const coded = new CairnError(KernelCodes.ABORTED, 'stop');
    expect(translatePublishError(coded, 'local/a', 'local')).toBe(coded);
  });
});
