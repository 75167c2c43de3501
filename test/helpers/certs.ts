// Certificates for the TLS tests, made with the machine's openssl: a CA, a server certificate for
// 127.0.0.1 signed by it, a client certificate signed by it, and a client certificate of another
// (unknown) CA.
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  readonly dir: string;
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Like serverCert, for server use only (extendedKeyUsage serverAuth): the hub cannot log in with it. */
  readonly serverOnlyCert: string;
  readonly serverOnlyKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Signed by the CA, for a subject no principal names (CN=stranger). */
  readonly strangerCert: string;
  readonly strangerKey: string;
  /** Signed by a CA the server does not know. */
  readonly rogueCert: string;
  readonly rogueKey: string;
}

const openssl = (cwd: string, ...args: string[]): void => void execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function selfSignedCa(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`);
}

function signed(dir: string, name: string, ca: string, subject: string, ext?: string): void {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...(ext ? ['-extfile', ext] : []));
}

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-certs-'));
  selfSignedCa(dir, 'ca');
  await writeFile(join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  signed(dir, 'server', 'ca', '/CN=127.0.0.1', 'server.ext');
  await writeFile(join(dir, 'server-only.ext'), 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n');
  signed(dir, 'server-only', 'ca', '/CN=127.0.0.1', 'server-only.ext');
  signed(dir, 'client', 'ca', '/CN=sensor-1');
  signed(dir, 'stranger', 'ca', '/CN=stranger');
  selfSignedCa(dir, 'rogue-ca');
  signed(dir, 'rogue', 'rogue-ca', '/CN=sensor-1');
  const f = (n: string): string => join(dir, n);
  return { dir, ca: f('ca.pem'), serverCert: f('server.pem'), serverKey: f('server.key'), serverOnlyCert: f('server-only.pem'), serverOnlyKey: f('server-only.key'), clientCert: f('client.pem'), clientKey: f('client.key'), strangerCert: f('stranger.pem'), strangerKey: f('stranger.key'), rogueCert: f('rogue.pem'), rogueKey: f('rogue.key') };
}
