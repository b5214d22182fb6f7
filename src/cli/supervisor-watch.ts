/**
 * How a child of `npm start` learns that its supervisor is gone, however it ended (SIGKILL of its
 * process group included): the IPC channel the supervisor opened closes, and the child is
 * reparented (its ppid changes). Either one is enough; both are watched, so a channel some
 * library holds open or a missed event cannot leave a child behind.
 */
export function watchSupervisor(onGone: () => void, everyMs = 500): void {
  // Not started by the supervisor (no channel): `npm run api` and the like are nobody's child.
  if (!process.send) return;
  const parent = process.ppid;
  let fired = false;
  const fire = () => {
    if (fired) return;
    fired = true;
    clearInterval(timer);
    onGone();
  };
  process.on('disconnect', fire);
  const timer = setInterval(() => {
    if (process.ppid !== parent || !process.connected) fire();
  }, everyMs);
  timer.unref();
}
