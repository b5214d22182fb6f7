import { describe, expect, it } from 'vitest';
import { decideRoute } from '../../src/router/decide.js';

describe('decideRoute', () => {
  it.each([
    ['auto', 1, 1, 'primary'],
    ['auto', 0, 2, 'backup'],
    ['auto', 0, 0, 'primary'],
    ['primary', 0, 3, 'primary'],
    ['backup', 4, 0, 'backup'],
  ] as const)('%s with %i primary / %i backup workers → %s', (requested, primary, backup, route) => {
    expect(decideRoute({ requested, live: { primary, backup } })).toBe(route);
  });
});
