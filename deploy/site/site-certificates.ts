// The certificates `cairn site init` makes for a site's TLS listeners, and those `cairn site cert`
// issues to its devices: a CA per site (kept once made: device certificates chain to it), a server
// certificate for the site's names signed by it, and client certificates for device subjects.
// ECDSA P-256 through Node's WebCrypto; @peculiar/x509 writes the X.509 (it needs a Reflect
// polyfill, imported first).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { CairnError, DeployCodes } from '../../protocols/index.ts';
import { formatCertificateSubject, parseCertificateSubject, subjectFileName } from '../../actors/index.ts';
import type { SubjectPart } from '../../actors/index.ts';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** How long a site CA is valid. */
export const SITE_CA_DAYS = 3650;
/** How long a site's server certificate and a device's certificate are valid (the most browsers and Apple clients accept). */
export const LEAF_CERTIFICATE_DAYS = 825;
const KEY_MODE = 0o600;

/** Where a site's TLS files are, under its directory. */
export interface SiteTlsPaths {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
  readonly devices: string;
}

export function siteTlsPaths(siteDir: string): SiteTlsPaths {
  const dir = join(siteDir, 'tls');
  return { dir, ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem'), devices: join(dir, 'devices') };
}

export interface SiteCertificatesResult {
  readonly paths: SiteTlsPaths;
  /** Whether the CA was made now (false: an earlier one was kept). */
  readonly newCa: boolean;
  /** Every file written, in order. */
  readonly written: readonly string[];
}

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function writeKey(path: string, key: CryptoKey): Promise<void> {
  const pem = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey), 'PRIVATE KEY');
  await writeFile(path, `${pem}\n`, { mode: KEY_MODE });
  await chmod(path, KEY_MODE);
}

async function readKey(path: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(await readFile(path, 'utf8'));
  return (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, false, ['sign'])) as unknown as CryptoKey;
}

const serial = (): string => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  // An hour back: a device whose clock is a little behind still accepts it.
  return { notBefore: new Date(now.getTime() - 3_600_000), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

interface Authority {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

async function loadAuthority(paths: SiteTlsPaths): Promise<Authority> {
  try {
    return { cert: new x509.X509Certificate(await readFile(paths.ca, 'utf8')), key: await readKey(paths.caKey) };
  } catch (err) {
    throw new CairnError(DeployCodes.SITE_CA_UNREADABLE, `cannot read the site CA (${paths.ca}, ${paths.caKey}): ${(err as Error).message}. Run \`cairn site init\` for this site first.`, { cause: err, details: { ca: paths.ca, caKey: paths.caKey } });
  }
}

async function signed(ca: Authority, subject: string, days: number, now: Date, extensions: x509.Extension[]): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject,
    issuer: ca.cert.subject,
    ...validity(now, days),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
      ...extensions,
    ],
  });
  return { cert, key: keys.privateKey };
}

/**
 * Makes the TLS files of one site under `<siteDir>/tls/`: its CA (kept if one is there: device
 * certificates chain to it), and a server certificate for `names` (host names and IP addresses)
 * that also allows client use, because the hub logs in to its own listener with it.
 */
export async function makeSiteCertificates(siteDir: string, site: string, names: readonly string[], now = new Date()): Promise<SiteCertificatesResult> {
  const paths = siteTlsPaths(siteDir);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const newCa = !((await exists(paths.ca)) && (await exists(paths.caKey)));
  if (newCa) {
    const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=Cairn site ${site} CA`,
      ...validity(now, SITE_CA_DAYS),
      keys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    await writeKey(paths.caKey, keys.privateKey);
    await writeFile(paths.ca, `${cert.toString('pem')}\n`);
    written.push(paths.ca, paths.caKey);
  }
  const ca = await loadAuthority(paths);
  const altNames = [...new Set(names)].map((n) => (isIP(n.replace(/^\[|\]$/g, '')) ? { type: 'ip' as const, value: n.replace(/^\[|\]$/g, '') } : { type: 'dns' as const, value: n }));
  const server = await signed(ca, `CN=${site}`, LEAF_CERTIFICATE_DAYS, now, [
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
    new x509.SubjectAlternativeNameExtension(altNames),
  ]);
  await writeKey(paths.key, server.key);
  await writeFile(paths.cert, `${server.cert.toString('pem')}\n`);
  written.push(paths.cert, paths.key);
  return { paths, newCa, written };
}

export interface DeviceCertificate {
  /** The subject as nats-server prints it, the text of a `certificate` principal. */
  readonly subject: string;
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/**
 * Issues a client certificate for a device, signed by the site's CA, under
 * `<siteDir>/tls/devices/`. Its parts are written in reverse, so that nats-server's log (Go
 * prints a name's parts last first) shows the subject as the principal writes it.
 */
export async function issueDeviceCertificate(siteDir: string, subject: string, opts: { readonly days?: number; readonly force?: boolean; readonly now?: Date } = {}): Promise<DeviceCertificate> {
  let parts: SubjectPart[];
  try {
    parts = parseCertificateSubject(subject);
  } catch (err) {
    throw new CairnError(DeployCodes.CERTIFICATE_SUBJECT_INVALID, (err as Error).message, { details: { subject } });
  }
  const paths = siteTlsPaths(siteDir);
  const ca = await loadAuthority(paths);
  const base = join(paths.devices, subjectFileName(parts));
  const out = { cert: `${base}.pem`, key: `${base}-key.pem` };
  if (opts.force !== true && ((await exists(out.cert)) || (await exists(out.key)))) {
    throw new CairnError(DeployCodes.DEVICE_CERTIFICATE_EXISTS, `a certificate for ${subject} exists already (${out.cert}); pass --force to issue a new one (the old one stays valid until it expires)`, { details: { existing: [out.cert, out.key] } });
  }
  await mkdir(paths.devices, { recursive: true, mode: 0o700 });
  const name = [...parts].reverse().map(([k, v]) => `${k}=${v}`).join(', ');
  const device = await signed(ca, name, opts.days ?? LEAF_CERTIFICATE_DAYS, opts.now ?? new Date(), [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]);
  await writeKey(out.key, device.key);
  await writeFile(out.cert, `${device.cert.toString('pem')}\n`);
  return { subject: formatCertificateSubject(parts), ...out, ca: paths.ca };
}
