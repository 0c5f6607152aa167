import { defineConfig } from 'vitest/config'

// .ci/run asks for a JSON report too, to print its one-line "N passed, M failed" summary.
const jsonReport = process.env.VITEST_JSON_REPORT

export default defineConfig({
  test: {
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    // Integration tests open real sockets; a generous bound catches hangs without timing anything.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/load/**'],
          typecheck: { enabled: true, include: ['tests/types/**/*.test-d.ts'] },
          sequence: { groupOrder: 0 },
        },
      },
      {
        // The load smoke test needs the machine to itself (500 connections, and the server and autocannon
        // share 2 cores): it runs after every other file has finished, never beside them.
        extends: true,
        test: { name: 'load', include: ['tests/load/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
})
