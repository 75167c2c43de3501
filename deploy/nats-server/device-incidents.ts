import { SITE_INTERNAL_USER } from '../../protocols/index.ts';
import type { DeviceIncident } from '../../protocols/index.ts';

// nats-server's log lines about an MQTT connection ("mid:"), e.g.
//   [12] 2026/12/02 01:01:09.469117 [ERR] 127.0.0.1:35704 - mid:6 - "sensor-1" - authentication error - User "dev1"
//   [12] 2026/12/02 01:01:09.533285 [ERR] 127.0.0.1:35718 - mid:9 - "dev1" - Publish Violation - Subject "sensors.dev2.t"
//   [12] 2026/12/02 01:01:09.541527 [ERR] 127.0.0.1:35718 - mid:9 - "dev1" - Subscription Violation - Subject "cmd.dev2.>", SID cmd.dev2.>
const LINE = /^\[\d+\] (\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d)\.(\d+) \[ERR\] (\S+) - mid:\d+ - "((?:[^"\\]|\\.)*)" - (.*)$/;
const AUTH = /^authentication error(?: - User "((?:[^"\\]|\\.)*)")?$/;
const VIOLATION = /^(Publish|Subscription) Violation - Subject "((?:[^"\\]|\\.)*)"/;

/**
 * The device incident a nats-server log line reports, or undefined for any other line: a refused
 * login, a publish or a subscription outside the device's permissions. A login the server tried as
 * the site's own user was one without credentials. Times are the server's, read as UTC. Pure.
 */
export function parseDeviceIncident(line: string): DeviceIncident | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, address, client, rest] = m;
  const ts = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Math.floor(Number(`0.${frac}`) * 1000));
  const auth = AUTH.exec(rest!);
  if (auth) {
    const user = auth[1];
    return { kind: 'login-refused', client: client!, address: address!, ts, ...(user === undefined || user === SITE_INTERNAL_USER ? {} : { user }) };
  }
  const v = VIOLATION.exec(rest!);
  if (v) return { kind: v[1] === 'Publish' ? 'publish-denied' : 'subscribe-denied', client: client!, address: address!, subject: v[2]!, ts };
  return undefined;
}
