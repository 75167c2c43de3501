import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientUseProblem } from '../../../actors/hub/listener-cert.ts';

const dir = mkdtempSync(join(tmpdir(), 'cairn-listener-cert-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate made by the machine's openssl, with `ext` added (none: no extension). */
function certificate(name: string, ext?: string): string {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '1', '-subj', `/CN=${name}`, ...(ext ? ['-addext', ext] : [])], { stdio: 'pipe' });
  return readFileSync(join(dir, `${name}.pem`), 'utf8');
}

describe('the hub logging in with its listener certificate', () => {
  it('listener certificate - server use only is named; client use, any use or no extended key usage is fine', () => {
    expect(clientUseProblem(certificate('server-only', 'extendedKeyUsage=serverAuth'))).toMatch(/its extended key usage \(1\.3\.6\.1\.5\.5\.7\.3\.1\) does not include client authentication/);
    expect(clientUseProblem(certificate('both', 'extendedKeyUsage=serverAuth,clientAuth'))).toBeUndefined();
    expect(clientUseProblem(certificate('any', 'extendedKeyUsage=anyExtendedKeyUsage'))).toBeUndefined();
    expect(clientUseProblem(certificate('plain'))).toBeUndefined();
    expect(clientUseProblem('not a certificate')).toMatch(/cannot be read as an X\.509 certificate/);
  });
});
