/**
 * `guardbench verify`: check guard semantics on this kernel, per strategy, in cloned children, and
 * print a pass/fail table. Exit 0 when nothing failed (skipped checks fail nothing), 1 otherwise.
 */
import { probeFeatures } from '../probe/features.js';
import { runVerification, type CheckResult } from '../verify/index.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench verify [--json]

Checks, on the running kernel, that guards behave as guards before anyone trusts numbers about
them: a touched guard kills with SIGSEGV while its neighbours stay usable, MADV_DONTNEED/FREE,
fork, mprotect, split/merge and mremap keep it, munmap clears it, remove restores the page,
mlock'd ranges refuse it, pagemap bit 58 and PAGEMAP_SCAN see exactly it. Each check runs per
strategy (madvise, process_madvise, PROT_NONE where it applies); only cloned children touch guards.
Checks this kernel lacks the feature for are reported as skipped, with the kernel they need.
  --json   print the results as JSON

${exitCodesHelp({ '0': 'no check failed (skipped checks fail nothing)', '1': 'a check failed: guards misbehave on this kernel' })}`;

function status(r: CheckResult): string {
  return r.skipped ? 'skip' : r.ok ? 'pass' : 'FAIL';
}

export function renderVerifyTable(results: readonly CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.check.length), 5);
  const lines = results.map((r) => `${status(r).padEnd(4)}  ${r.check.padEnd(width)}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok).length;
  const skipped = results.filter((r) => r.skipped).length;
  const passed = results.length - failed - skipped;
  return [`${'    '}  ${'check'.padEnd(width)}  detail`, ...lines, '',
    `${passed} passed, ${failed} failed, ${skipped} skipped`].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const { results, failed } = runVerification(probeFeatures());
  if (values.json) console.log(JSON.stringify({ results, failed }, null, 2));
  else console.log(renderVerifyTable(results));
  return Object.keys(failed).length > 0 ? EXIT.finding : EXIT.ok;
}
