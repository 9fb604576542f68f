/**
 * The exit codes every command uses, in one table: the CLI's usage, each command's --help and
 * docs/output-formats.md print it, and scripts/ci-bench.sh keeps the same numbers. A script must be able to tell a
 * regression (1) from input it cannot use (2) and from guardbench failing (3): an internal error
 * must never read as a verdict about the kernel.
 */
export const EXIT = {
  ok: 0,
  /** compare: a regression; verify: a check that failed */
  finding: 1,
  /** bad flags, unreadable or invalid files, a missing piece */
  usage: 2,
  /** an unexpected exception anywhere: a bug, or the machine failing under guardbench */
  internal: 3,
  /** compare --strict: latencies that could not be compared (different testbeds, an emulated CPU) */
  notComparable: 4,
  sigint: 130,
  sigterm: 143,
} as const;

/** The meanings that are the same for every command (one line on stderr says what happened). */
const COMMON: Record<string, string> = {
  '2': 'unusable input: bad flags, unreadable or invalid files, a missing piece',
  '3': 'internal error: guardbench failed unexpectedly; never a verdict about the kernel',
};

/**
 * The exit-code lines for a --help text, in code order: the command's own meanings (keyed by the
 * code as the help writes it) and the common ones, a command's note on a common code appended to it.
 */
export function exitCodesHelp(own: Record<string, string>): string {
  const merged: Record<string, string> = { ...COMMON };
  for (const [code, meaning] of Object.entries(own)) merged[code] = code in COMMON ? `${COMMON[code]}; ${meaning}` : meaning;
  const rows = Object.entries(merged).sort(([a], [b]) => parseInt(a, 10) - parseInt(b, 10));
  const width = Math.max(...rows.map(([code]) => code.length));
  return ['exit codes:', ...rows.map(([code, meaning]) => `  ${code.padEnd(width)}  ${meaning}`)].join('\n');
}

/** The whole table, for the top-level usage. */
export const EXIT_CODES_HELP = exitCodesHelp({
  '0': 'success (compare: no regression beyond the threshold)',
  '1': 'a finding: compare found a regression, verify a check that failed',
  '4': 'compare --strict: latencies could not be compared (different testbeds, an emulated CPU)',
  '130/143': 'interrupted by SIGINT/SIGTERM; run keeps the partial run.json (complete: false)',
});
