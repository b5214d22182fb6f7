import type { Request } from 'express';
import type { KeyHash } from '../config/schema.js';
import { ANONYMOUS } from '../domain/job.js';

export { ANONYMOUS };

/** Who is asking: the tenant (key name) jobs are recorded under, and whether it may see every tenant's jobs. */
export interface Caller {
  tenant: string;
  admin: boolean;
  /** The key's own quota overrides, if its entry sets any. */
  quota?: KeyHash['quota'];
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by the client auth middleware on every `/api` and `/v1` request. */
    caller?: Caller;
  }
}

/**
 * The caller of a request. A request the auth middleware did not see is the
 * anonymous tenant without admin rights, so a route mounted by mistake
 * outside `/api` leaks nothing.
 */
export function callerOf(req: Request): Caller {
  return req.caller ?? { tenant: ANONYMOUS, admin: false };
}

/** Whether `caller` may see a job owned by `owner` (jobs from before tenants existed belong to the anonymous tenant). */
export function mayAccess(caller: Caller, owner: string | undefined): boolean {
  return caller.admin || (owner ?? ANONYMOUS) === caller.tenant;
}
