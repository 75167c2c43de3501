import type Dockerode from 'dockerode';
import type { GuestUsage } from '../guest-channel.ts';

/**
 * CPU and memory use from one `container.stats({ stream: false })` sample, the way `docker stats`
 * computes them: CPU is the container's share of the host's CPU time between the two readings the
 * sample carries (100 = one full core); memory is usage minus reclaimable page cache.
 */
export function usageFromStats(stats: Dockerode.ContainerStats): GuestUsage {
  const cpu = stats.cpu_stats;
  const pre = stats.precpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (pre?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (pre?.system_cpu_usage ?? 0);
  const cores = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  // The first sample of a container has no previous reading: no interval, no rate.
  const hasPrevious = Boolean(pre?.system_cpu_usage && pre?.cpu_usage?.total_usage);
  const cpuPercent = hasPrevious && cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cores * 100 : 0;
  const mem = stats.memory_stats ?? ({} as Dockerode.ContainerStats['memory_stats']);
  const detail = (mem?.stats ?? {}) as unknown as Record<string, number | undefined>;
  // cgroup v1 reports total_inactive_file, v2 inactive_file; both are cache the kernel can drop.
  const cache = detail.total_inactive_file ?? detail.inactive_file ?? 0;
  const usage = mem?.usage ?? 0;
  return { cpuPercent: Math.round(cpuPercent * 10) / 10, memoryBytes: Math.max(0, usage - (cache < usage ? cache : 0)) };
}

/** One stats sample of a container, or undefined if it is gone. Takes about a second (Docker samples twice). */
export async function sampleUsage(container: Dockerode.Container): Promise<GuestUsage | undefined> {
  try {
    return usageFromStats(await container.stats({ stream: false }));
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}
