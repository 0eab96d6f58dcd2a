import net from 'node:net';

/**
 * Distinct free loopback ports below 32768. Temporal stores membership ports in a PostgreSQL
 * `smallint` (at most 32767), and the kernel's ephemeral range (what `listen(0)` hands out, and what
 * outgoing connections use) starts at 32768, so this range is also safe from those.
 */
export async function freePorts(count: number, taken: number[] = []): Promise<number[]> {
  const ports = new Set<number>(taken);
  for (let attempt = 0; ports.size < count + taken.length; attempt++) {
    if (attempt > 1000) throw new Error('no free ports found between 20000 and 32767');
    const candidate = 20_000 + Math.floor(Math.random() * 12_768);
    if (!ports.has(candidate) && (await portIsFree(candidate))) ports.add(candidate);
  }
  return [...ports].slice(taken.length);
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
