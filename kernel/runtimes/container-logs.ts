import type Dockerode from 'dockerode';
import { listCairnContainers } from './container-labels.ts';
import { OutputLines } from './output-lines.ts';

/**
 * Splits Docker's multiplexed log format (Tty: false): frames of an 8-byte header (stream type in
 * byte 0, 1 = stdout, 2 = stderr; big-endian length in bytes 4-7) followed by the payload.
 */
export function demuxDockerStream(buf: Uint8Array): { stdout: Buffer; stderr: Buffer } {
  const data = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (data.length - offset >= 8) {
    const type = data.readUInt8(offset);
    const size = data.readUInt32BE(offset + 4);
    const payload = data.subarray(offset + 8, Math.min(data.length, offset + 8 + size));
    (type === 2 ? err : out).push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

/**
 * Recent stderr lines of an actor's containers on a site (stdout carries host-protocol frames and
 * is not text), oldest container first, for `cairn logs <actor>`. Containers are removed once
 * their guest ends, so this covers running guests (and leftovers of a crashed node); a running
 * channel's own `logs()` also keeps the last lines of ended incarnations.
 */
export async function containerLogs(docker: Dockerode, site: string, actor: string, opts: { tail?: number } = {}): Promise<string[]> {
  const containers = (await listCairnContainers(docker, { site, actor })).sort((a, b) => a.Created - b.Created);
  const lines: string[] = [];
  for (const c of containers) {
    try {
      const raw = (await docker.getContainer(c.Id).logs({ stdout: false, stderr: true, follow: false, tail: opts.tail ?? 200 })) as unknown as Buffer;
      const ring = new OutputLines(opts.tail ?? 200);
      ring.push(demuxDockerStream(raw).stderr);
      lines.push(...ring.snapshot());
    } catch (err) {
      // Removed between the listing and the read: its guest has ended, nothing to show.
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
  }
  return lines;
}
