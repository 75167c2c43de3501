import type { DeviceCertificate } from './site-certificates.ts';

/**
 * Issues a device's client certificate from its site's CA (site-certificates.ts), loading the X.509
 * library only when called.
 */
export async function issueDeviceCertificate(siteDir: string, subject: string, opts: { readonly days?: number; readonly force?: boolean; readonly now?: Date } = {}): Promise<DeviceCertificate> {
  const { issueDeviceCertificate: issue } = await import('./site-certificates.ts');
  return issue(siteDir, subject, opts);
}
