import { AppError } from '../domain/errors.js';

/** Which routes a key is checked for. */
export type Role = 'client' | 'admin' | 'metrics';

/** Why a request was not authenticated: told apart so that a client that sent a key learns it was refused. */
export type Refusal = 'missing' | 'malformed' | 'not_accepted';

export const CHALLENGE: Record<Role, string> = {
  client: 'Bearer realm="Tandem TTS"',
  // Browsers prompt for Basic credentials, which is how a person opens Bull Board.
  admin: 'Basic realm="Tandem TTS admin", charset="UTF-8"',
  metrics: 'Bearer realm="Tandem TTS metrics"',
};

/** The 401 for a request whose key matched nothing; `details.reason` says why, for clients like the page. */
export function unauthorized(role: Role, reason: Refusal): AppError {
  const what = role === 'admin' ? 'an admin key' : role === 'metrics' ? 'a metrics key' : 'an API key';
  const message = {
    missing: `This needs ${what}: send Authorization: Bearer <key>`,
    malformed: `The Authorization header was not understood: this needs ${what}, sent as Authorization: Bearer <key>`,
    not_accepted: `The key sent was not accepted: it matches no key configured on this server (this needs ${what})`,
  }[reason];
  // The challenge travels with the error, so only errorResponse writes it (never onto an answered response).
  return new AppError('unauthorized', message, {
    status: 401,
    details: { reason },
    headers: { 'WWW-Authenticate': CHALLENGE[role] },
  });
}
