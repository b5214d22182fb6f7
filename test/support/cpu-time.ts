/**
 * CPU milliseconds this process spent running `f`. The "stays linear" guards measure CPU time, not
 * wall time, so a loaded machine (CI beside other work) does not turn a linear pass into a failure,
 * while a quadratic blow-up on 100k-character input still costs seconds of CPU and fails.
 */
export function cpuMs(f: () => void): number {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
