import { createServer } from 'node:net';

/**
 * Whether this process could listen on host:port right now; when not, why (for the message).
 * The supervisor asks before it starts anything: an API child that cannot bind would otherwise
 * restart in a loop, and the readiness poll could even be answered by whoever holds the port.
 */
export function portAvailable(host: string, port: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason =
        err.code === 'EADDRINUSE'
          ? 'is already in use by another process'
          : err.code === 'EACCES'
            ? 'needs privileges this process does not have'
            : err.code === 'EADDRNOTAVAIL'
              ? `cannot be bound: ${host} is not an address of this machine`
              : `cannot be bound (${err.code ?? err.message})`;
      resolve({ ok: false, reason });
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}
