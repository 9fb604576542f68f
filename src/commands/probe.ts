/** `guardbench probe`: the kernel features and environment a run would record, as a table. */
import { probeFeatures, FEATURE_SINCE, type FeatureName } from '../probe/features.js';
import { captureEnv } from '../probe/env.js';
import { parseCommandArgs } from './args.js';
import { exitCodesHelp } from './exit-codes.js';

const HELP = `usage: guardbench probe [--json]

Tries each guard-marker feature on this kernel for real and prints what it found,
with the environment a run records (kernel, CPU, libc, THP, vm.max_map_count, ...).
  --json   print the environment as JSON instead of a table

${exitCodesHelp({ '0': 'probed (a feature this kernel lacks is a "no", not an error)' })}`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, { options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const probe = probeFeatures();
  const env = captureEnv(probe);
  if (values.json) {
    console.log(JSON.stringify(env, null, 2));
    return 0;
  }
  const rows: [string, string][] = [
    ['kernel', `${env.kernel.release} (${env.kernel.machine})`],
    ['cpu', `${env.cpu.model} x ${env.cpu.count}`],
    ['memory', `${(env.memBytes / 2 ** 30).toFixed(1)} GiB`],
    ['page size', String(env.pageSize)],
    ['vm.max_map_count', String(env.maxMapCount ?? 'unknown')],
    ['transparent hugepages', env.thp],
    ['libc', env.libc],
    ['node / koffi', `${env.node} / ${env.koffi}`],
    ['root', String(env.root)],
    ['cpufreq governor', env.governor ?? 'unknown'],
    ['ASLR (randomize_va_space)', env.aslr ?? 'unknown'],
    ['file-kind memory in', `${probe.fileBacking.dir} (${probe.fileBacking.fileSystem})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length), ...Object.keys(FEATURE_SINCE).map((k) => k.length));
  console.log('environment');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log('\nfeatures (tried for real)');
  for (const name of Object.keys(FEATURE_SINCE) as FeatureName[]) {
    const ok = probe.features[name];
    // A feature that answered but showed no effect keeps its note (an install that did nothing).
    const note = ok && name === 'pidfdSelf' ? `PIDFD_SELF = ${probe.pidfdSelfValue}` : probe.reasons[name] ?? '';
    console.log(`  ${name.padEnd(width)}  ${ok ? 'yes' : 'no '}  ${note}`);
  }
  return 0;
}
