import { describe, expect, it } from 'vitest';
import { certificateSubjectProblem, formatCertificateSubject, parseCertificateSubject, subjectFileName } from '../../../actors/index.ts';

describe('certificate subjects', () => {
  it('certificate subject - parts in order, trimmed, attribute names upper-cased; printed without spaces', () => {
    const parts = parseCertificateSubject('cn=sensor-1, O = plant');
    expect(parts).toEqual([['CN', 'sensor-1'], ['O', 'plant']]);
    expect(formatCertificateSubject(parts)).toBe('CN=sensor-1,O=plant');
    expect(parseCertificateSubject('CN=line 3 press,OU=north,O=acme.example,L=Lyon,C=FR,DC=example')).toHaveLength(6);
  });

  it('certificate subject - what is no distinguished name is named; what nats-server reads (escapes, multi-valued parts) passes', () => {
    expect(certificateSubjectProblem('sensor-1')).toMatch(/not attribute=value/);
    expect(certificateSubjectProblem('=x')).toMatch(/not attribute=value/);
    expect(certificateSubjectProblem(' ')).toMatch(/is empty/);
    // A principal may use what nats-server matches; only writing a certificate is narrower.
    expect(certificateSubjectProblem('CN=a,2.5.4.5=123')).toBeUndefined();
    expect(certificateSubjectProblem('CN=a+UID=7,O=Acme\\, Inc.')).toBeUndefined();
  });

  it('certificate subject - writing one refuses what it cannot write plainly', () => {
    expect(() => parseCertificateSubject('CN=a+b')).toThrow(/without , \+ "/);
    expect(() => parseCertificateSubject('CN=')).toThrow(/CN=""/);
    expect(() => parseCertificateSubject('CN=a,')).toThrow(/not attribute=value/);
  });

  it('certificate subject - writing one takes the attributes it knows, exactly one CN and a two-letter country', () => {
    expect(() => parseCertificateSubject('CN=a,2.5.4.5=123')).toThrow(/cairn site cert writes CN, O, OU, L, ST, C, DC/);
    expect(() => parseCertificateSubject('CN=a,CN=b')).toThrow(/CN twice/);
    expect(() => parseCertificateSubject('O=plant')).toThrow(/has no CN/);
    expect(() => parseCertificateSubject('CN=a,C=France')).toThrow(/two capital letters/);
  });

  it('certificate subject - a file name starts with the CN and keeps to safe characters', () => {
    expect(subjectFileName(parseCertificateSubject('O=plant,CN=line 3/press'))).toBe('line_3_press.plant');
  });
});
