import { describe, expect, it } from 'vitest';
import { isRouterMode, withMode } from '../../src/router/mode.js';
import { initialRouterState, type RouterState } from '../../src/router/policy.js';

describe('operator mode switch', () => {
  const start: RouterState = { ...initialRouterState(1000), since: 1000 };

  it('forcing the other route switches at once and records why', () => {
    const { state, switched } = withMode(start, 'backup', 5000);
    expect(state).toMatchObject({ mode: 'backup', route: 'backup', reason: 'operator set mode backup', since: 5000 });
    expect(switched).toEqual({ from: 'primary', to: 'backup', reason: 'operator set mode backup', at: 5000 });
  });

  it('forcing the current route changes the mode only', () => {
    const { state, switched } = withMode(start, 'primary', 5000);
    expect(state).toMatchObject({ mode: 'primary', route: 'primary', since: 1000 });
    expect(switched).toBeUndefined();
  });

  it('back to auto keeps the route for the monitor to decide', () => {
    const forced = withMode(start, 'backup', 5000).state;
    const { state, switched } = withMode(forced, 'auto', 9000);
    expect(state).toMatchObject({ mode: 'auto', route: 'backup', reason: 'operator set mode auto', since: 5000 });
    expect(switched).toBeUndefined();
  });

  it('setting the mode it already has changes nothing', () => {
    expect(withMode(start, 'auto', 5000)).toEqual({ state: start });
  });

  it.each([
    ['auto', true],
    ['backup', true],
    ['Auto', false],
    [1, false],
    [undefined, false],
  ])('%s is a mode: %s', (value, ok) => {
    expect(isRouterMode(value)).toBe(ok);
  });
});
