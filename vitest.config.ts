import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: keep the device/JVM tests from starving each other.
    maxWorkers: 2,
    // The default output, then one line per group of skipped tests saying what would enable them.
    reporters: ['default', './test/helpers/skip-reasons.ts'],
  },
});
