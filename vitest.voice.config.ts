import { defineConfig } from 'vitest/config';

/**
 * The voice tier (`npm run test:voice`, run by CI after the other tiers): the real Kokoro, installed
 * with the npm source into a cache outside the repository, heard by Whisper-small. One file at a
 * time: each starts the service with the real model, and two at once would share 2 cores.
 */
export default defineConfig({
  test: {
    name: 'voice',
    include: ['test/voice/**/*.test.ts'],
    globalSetup: ['test/voice/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
