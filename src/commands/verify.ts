/**
 * `guardbench verify`: check guard semantics on this kernel, per strategy and memory kind, in
 * cloned children, and print the results as a table, JSON or KTAP. Exit 0 when nothing failed
 * (skipped checks fail nothing), 1 otherwise; with --kselftest-exit, kselftest's codes.
 */
import { probeFeatures, type FeatureProbe } from '../probe/features.js';
import { STRATEGY_NAMES, type StrategyName } from '../results/schema.js';
import { MEMORY_KINDS, isMemoryKind, type MemoryKind } from '../sys/memory.js';
import { CHECKS, runVerification, type Verification } from '../verify/index.js';
import { VERIFY_FORMATS, tally, verifyFormat, type VerifySelection } from '../verify/formats/index.js';
import { UsageError } from '../errors.js';
import { parseCommandArgs } from './args.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';

/** kselftest's exit codes (tools/testing/selftests/kselftest.h): KSFT_PASS, KSFT_FAIL, KSFT_SKIP. */
const KSFT = { pass: 0, fail: 1, skip: 4 } as const;

/** Strategies some check runs under: no-guard installs nothing, so nothing verifies it. */
const CHECKED_STRATEGIES = STRATEGY_NAMES.filter((s) => CHECKS.some((c) => c.strategies.includes(s)));

const HELP = `usage: guardbench verify [--memory KIND[,KIND]] [--strategy NAME] [--format FORMAT]
                         [--kselftest-exit]

Checks, on the running kernel, that guards behave as guards before anyone trusts numbers about
them, as the kernel's guard-regions selftest does: a touched guard kills with SIGSEGV while its
neighbours stay usable; install over gaps, adjacent VMAs and process_madvise iovecs; MADV_DONTNEED,
FREE, COLD, PAGEOUT, fork, copy-on-write, mprotect, split/merge and mremap keep it; WIPEONFORK and
munmap clear it; POPULATE fails on it; userfaultfd, fault-around and readahead never fill it;
remove restores the page; mlock'd ranges refuse it; pagemap bit 58, PAGEMAP_SCAN and smaps gu see
exactly it; a huge-page collapse keeps it or is refused. Each check runs per strategy (madvise,
process_madvise, PROT_NONE where it applies) and per memory kind: anon (private anonymous), shmem
(a memfd) and file (a file on disk). Only cloned children touch guards. A check this machine
cannot run is skipped with the cause it measured. docs/verify-checks.md lists every check.
  --memory KIND[,KIND]   only these memory kinds (${MEMORY_KINDS.join(', ')}; default: all)
  --strategy NAME        only this strategy; repeatable or comma-separated
                         (${CHECKED_STRATEGIES.join(', ')})
  --format FORMAT        ${VERIFY_FORMATS.map((f) => f.name).join(', ')} (default: text); --json is --format json
  --kselftest-exit       exit as a kselftest does: 0 pass, 1 a check failed, 4 every check skipped

${exitCodesHelp({
  '0': 'no check failed (skipped checks fail nothing)',
  '1': 'a check failed: guards misbehave on this kernel',
  '4': 'with --kselftest-exit: every check was skipped (KSFT_SKIP)',
})}`;

/** "a,b" and repeated flags alike, each value checked against `allowed`. */
function listOption<T extends string>(flag: string, values: readonly string[] | undefined, allowed: readonly T[]): T[] | null {
  if (!values) return null;
  const items = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const v of items) if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag}: unknown '${v}' (choose from ${allowed.join(', ')})`);
  if (items.length === 0) throw new UsageError(`${flag}: give at least one of ${allowed.join(', ')}`);
  return [...new Set(items)] as T[];
}

function selection(kinds: MemoryKind[] | null, strategies: StrategyName[] | null, probe: FeatureProbe): VerifySelection {
  const chosenKinds = kinds ?? [...MEMORY_KINDS];
  return {
    kinds: MEMORY_KINDS.filter((k) => chosenKinds.includes(k)),
    kindsWhy: kinds ? 'as --memory asked' : 'every kind (no --memory given)',
    kindNotes: (['shmem', 'file'] as const).filter((k) => chosenKinds.includes(k) && probe.unmappable[k])
      .map((k) => `${k} not mappable: ${probe.unmappable[k]}`),
    strategies: strategies ?? CHECKED_STRATEGIES,
    strategiesWhy: strategies ? 'as --strategy asked' : 'every strategy that installs a guard (no --strategy given)',
    backing: { anon: 'private anonymous', shmem: 'a memfd', file: `${probe.fileBacking.fileSystem} in ${probe.fileBacking.dir}` },
  };
}

function exitCode(v: Verification, kselftest: boolean): number {
  const t = tally(v.results);
  if (!kselftest) return t.fail > 0 ? EXIT.finding : EXIT.ok;
  if (t.fail > 0) return KSFT.fail;
  return t.pass === 0 ? KSFT.skip : KSFT.pass;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    options: {
      json: { type: 'boolean' },
      format: { type: 'string' },
      memory: { type: 'string', multiple: true },
      strategy: { type: 'string', multiple: true },
      'kselftest-exit': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return EXIT.ok;
  }
  if (values.json && values.format && values.format !== 'json') throw new UsageError(`--json and --format ${values.format} contradict each other`);
  const formatName = values.format ?? (values.json ? 'json' : 'text');
  const format = verifyFormat(formatName);
  if (!format) throw new UsageError(`--format: unknown '${formatName}' (choose from ${VERIFY_FORMATS.map((f) => f.name).join(', ')})`);
  const kinds = listOption('--memory', values.memory, MEMORY_KINDS.filter(isMemoryKind));
  const strategies = listOption('--strategy', values.strategy, CHECKED_STRATEGIES);
  const probe = probeFeatures();
  const chosen = selection(kinds, strategies, probe);
  const verification = runVerification(probe, { kinds: chosen.kinds, strategies: chosen.strategies });
  console.log(format.render({ verification, selection: chosen }));
  return exitCode(verification, Boolean(values['kselftest-exit']));
}
