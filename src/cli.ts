/**
 * guardbench's command line: picks a subcommand and hands it the rest of argv. Each command lives in
 * src/commands/<name>.ts and returns its exit code; bad input anywhere becomes one line and exit 2.
 */
import { InvalidRunError } from './results/schema.js';
import { UsageError, oneLine } from './errors.js';

type CommandMain = (argv: string[]) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<{ main: CommandMain }>;
}

const COMMANDS: Record<string, CommandEntry> = {
  run: { summary: 'measure the running kernel (the default command)', load: () => import('./commands/run.js') },
  probe: { summary: 'print the kernel features and environment guardbench sees', load: () => import('./commands/probe.js') },
  verify: { summary: 'check guard semantics on this kernel, in child processes', load: () => import('./commands/verify.js') },
  report: { summary: 'render a run.json as Markdown, PNG charts and HTML', load: () => import('./commands/report.js') },
  compare: { summary: 'compare two runs and flag regressions (exit 1 on one)', load: () => import('./commands/compare.js') },
  history: { summary: 'trend of headline metrics across runs, ordered by kernel', load: () => import('./commands/history.js') },
  baseline: { summary: 'save a run as the baseline for this kernel', load: () => import('./commands/baseline.js') },
  census: { summary: 'count PROT_NONE guard VMAs and guard markers on this system', load: () => import('./commands/census.js') },
  kernel: { summary: 'boot another kernel image in QEMU and run guardbench there', load: () => import('./commands/kernel.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: guardbench [command] [options]',
    '',
    'Measures what Linux guard markers (MADV_GUARD_INSTALL) cost and save against PROT_NONE guard VMAs.',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'guardbench <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(usage());
    return 0;
  }
  if (first === '--version') {
    console.log('guardbench 0.1.0');
    return 0;
  }
  const isCommand = first !== undefined && !first.startsWith('-');
  const name = isCommand ? first : 'run';
  const entry = COMMANDS[name];
  if (!entry) {
    console.error(`guardbench: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.main(isCommand ? rest : argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof InvalidRunError) {
      console.error(`guardbench ${name}: ${e.message}`);
      return 2;
    }
    console.error(`guardbench ${name}: ${oneLine(e)}`);
    if (process.env.GUARDBENCH_DEBUG) console.error(e);
    return 1;
  }
}
