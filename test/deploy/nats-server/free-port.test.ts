import { describe, expect, it } from 'vitest';
import { ephemeralPortRange, freePort, freePorts, listenPortRange } from '../../../deploy/nats-server/free-port.ts';

describe('free ports', () => {
  it('free ports - the ephemeral range is read from the OS, with the IANA range when it cannot be', () => {
    expect(ephemeralPortRange(() => '32768\t60999\n')).toEqual([32768, 60999]);
    expect(ephemeralPortRange(() => 'garbage')).toEqual([49152, 65535]);
    expect(ephemeralPortRange(() => {
      throw new Error('no /proc');
    })).toEqual([49152, 65535]);
  });

  it('free ports - listening ports are picked below the ephemeral range, or by the OS when there is no room', () => {
    expect(listenPortRange([32768, 60999])).toEqual([10000, 32767]);
    expect(listenPortRange([1024, 65535])).toBeUndefined();
  });

  it('free ports - ports handed out are distinct, bindable and outside the ephemeral range outgoing connections use', async () => {
    const range = listenPortRange(ephemeralPortRange());
    const ports = [...(await freePorts(8)), await freePort()];
    expect(new Set(ports.slice(0, 8)).size).toBe(8);
    if (range) for (const p of ports) expect(p >= range[0] && p <= range[1], String(p)).toBe(true);
  });
});
