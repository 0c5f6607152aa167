import { defineConfig } from 'vitest/config'

// .ci/run asks for a JSON report too, to print its one-line "N passed, M failed" summary.
const jsonReport = process.env.VITEST_JSON_REPORT

export default defineConfig({
  test: {
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
    include: ['tests/**/*.test.ts'],
    // Integration tests open real sockets; a generous bound catches hangs without timing anything.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    typecheck: { enabled: true, include: ['tests/types/**/*.test-d.ts'] },
  },
})
