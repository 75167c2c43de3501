/**
 * Certificate subjects (distinguished names) such as `CN=sensor-1,O=plant`. nats-server's
 * verify_and_map compares a principal's text with a device certificate's subject as distinguished
 * names (go-ldap: spaces around parts, case and the order of the parts do not matter), so a
 * principal matches only if its text parses as one. Pure.
 */

/** The attributes `cairn site cert` writes into a certificate. */
export const SUBJECT_ATTRIBUTES = ['CN', 'O', 'OU', 'L', 'ST', 'C', 'DC'] as const;
export type SubjectAttribute = (typeof SUBJECT_ATTRIBUTES)[number];
export type SubjectPart = readonly [SubjectAttribute, string];

/** Values without the characters a distinguished name escapes (escapes and multi-valued parts are not supported). */
const VALUE = /^[^,+"\\<>;=#]+$/;
const TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$/;

/** `type=value` parts, trimmed; why not, as text, when it is not a distinguished name of that form. */
function partsOf(subject: string): { parts: [string, string][] } | { problem: string } {
  if (subject.trim() === '') return { problem: 'is empty: give a subject such as "CN=sensor-1,O=plant"' };
  const parts: [string, string][] = [];
  for (const raw of subject.split(',')) {
    const eq = raw.indexOf('=');
    const type = (eq < 0 ? raw : raw.slice(0, eq)).trim();
    const value = eq < 0 ? '' : raw.slice(eq + 1).trim();
    if (eq < 0 || !TYPE.test(type)) return { problem: `has ${JSON.stringify(raw.trim())}, which is not attribute=value: write a distinguished name such as "CN=sensor-1,O=plant"` };
    if (!VALUE.test(value)) return { problem: `has ${type}=${JSON.stringify(value)}: give a value without , + " \\ < > ; = # (escaped characters are not supported)` };
    parts.push([type, value]);
  }
  return { parts };
}

/**
 * Why `subject` cannot name a device certificate (it is no distinguished name: nats-server would
 * never match it), or undefined. Lenient: escaped characters and multi-valued parts, which
 * nats-server reads, pass; only what is not `attribute=value…` at all is named.
 */
export function certificateSubjectProblem(subject: string): string | undefined {
  if (subject.trim() === '') return 'is empty: give a subject such as "CN=sensor-1,O=plant"';
  const eq = subject.indexOf('=');
  const type = eq < 0 ? '' : subject.slice(0, eq).trim();
  if (!TYPE.test(type)) return `has ${JSON.stringify(subject.trim())}, which is not attribute=value: write a distinguished name such as "CN=sensor-1,O=plant"`;
  return undefined;
}

/**
 * `CN=sensor-1, O=plant` → [['CN','sensor-1'],['O','plant']], for writing a certificate: the
 * attributes SUBJECT_ATTRIBUTES only, CN once, C two capital letters. Throws a RangeError naming the problem.
 */
export function parseCertificateSubject(subject: string): SubjectPart[] {
  const r = partsOf(subject);
  const fail = (problem: string): never => {
    throw new RangeError(`certificate subject ${JSON.stringify(subject)} ${problem}`);
  };
  if ('problem' in r) return fail(r.problem);
  const parts = r.parts.map(([type, value]) => [type.toUpperCase(), value] as const);
  for (const [type, value] of parts) {
    if (!(SUBJECT_ATTRIBUTES as readonly string[]).includes(type)) fail(`has ${type}: cairn site cert writes ${SUBJECT_ATTRIBUTES.join(', ')}`);
    if (type === 'C' && !/^[A-Z]{2}$/.test(value)) fail(`has C=${JSON.stringify(value)}: a country is two capital letters`);
  }
  const cns = parts.filter(([t]) => t === 'CN').length;
  if (cns === 0) fail('has no CN: give the device a common name, e.g. "CN=sensor-1"');
  if (cns > 1) fail('names CN twice');
  return parts as SubjectPart[];
}

/** The subject as one text, `CN=sensor-1,O=plant`: what `cairn site cert` prints for a principal. */
export function formatCertificateSubject(parts: readonly SubjectPart[]): string {
  return parts.map(([k, v]) => `${k}=${v}`).join(',');
}

/** A file name for a subject's certificate: its CN, then the rest, in safe characters. */
export function subjectFileName(parts: readonly SubjectPart[]): string {
  const cn = parts.find(([k]) => k === 'CN')![1];
  const rest = parts.filter(([k]) => k !== 'CN').map(([, v]) => v);
  return [cn, ...rest].join('.').replace(/[^A-Za-z0-9._-]+/g, '_');
}
