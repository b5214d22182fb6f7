import { defineConfig } from 'vitest/config';

/**
 * `npm run test:docker`: the image and the Compose stack under a real Docker
 * engine (test/docker). Kept out of `npm test`'s projects: it builds images
 * and needs root to start its own dockerd.
 */
export default defineConfig({
  test: {
    include: ['test/docker/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 900_000,
  },
});
