import { X509Certificate } from 'node:crypto';

/** The extended key usages that allow a certificate to be a TLS client's. */
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_USAGE = '2.5.29.37.0';

/**
 * Why the hub cannot log in to its own listener with this certificate (PEM), or undefined when it
 * can: a listener that verifies clients asks the hub for one, and the hub presents the listener's
 * own; one whose extended key usage leaves out client authentication is refused in the handshake.
 * No extended key usage at all allows any use.
 */
export function clientUseProblem(pem: string | Buffer): string | undefined {
  let usages: string[] | undefined;
  try {
    usages = new X509Certificate(pem).keyUsage;
  } catch (err) {
    return `it cannot be read as an X.509 certificate (${(err as Error).message})`;
  }
  if (usages === undefined || usages.includes(CLIENT_AUTH) || usages.includes(ANY_USAGE)) return undefined;
  return `its extended key usage (${usages.join(', ')}) does not include client authentication (${CLIENT_AUTH})`;
}
