/**
 * guardbench's command line: picks a subcommand and hands it the rest of argv. Each command lives in
 * src/commands/<name>.ts and returns its exit code (src/commands/exit-codes.ts); bad input anywhere
 * becomes one line and exit 2, an unexpected exception one line and exit 3.
 */
import { UsageError, oneLine } from './errors.js';
import { TOOL_NAME, TOOL_VERSION } from './version.js';
import { EXIT, EXIT_CODES_HELP } from './commands/exit-codes.js';

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
  export: { summary: 'write a run for Bencher (BMF) or github-action-benchmark', load: () => import('./commands/export.js') },
  census: { summary: 'count PROT_NONE guard VMAs and guard markers on this system', load: () => import('./commands/census.js') },
  kernel: { summary: 'boot another kernel image in QEMU and run guardbench there', load: () => import('./commands/kernel.js') },
};

/** The command names, in the order usage lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: guardbench [command] [options]',
    '       guardbench help [command]',
    '',
    'Measures what Linux guard markers (MADV_GUARD_INSTALL) cost and save against PROT_NONE guard VMAs.',
    '',
    'commands:',
    ...lines,
    '',
    "Run 'guardbench help <command>' or 'guardbench <command> --help' for a command's options;",
    '--version prints the version. Results go to stdout; progress, notes and warnings to stderr.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

function versionLine(): string {
  return `${TOOL_NAME} ${TOOL_VERSION}`;
}

function usageLine(message: string): number {
  console.error(`guardbench: ${message}`);
  return EXIT.usage;
}

function unknownCommand(name: string): number {
  console.error(`guardbench: unknown command '${name}' (commands: ${COMMAND_NAMES.join(', ')})`);
  return EXIT.usage;
}

/** Run one command, turning what it throws into one line and an exit code that says whose fault it was. */
async function runCommand(name: string, entry: CommandEntry, argv: string[]): Promise<number> {
  try {
    const command = await entry.load();
    return await command.main(argv);
  } catch (e) {
    // The run contract (TypeBox and ajv, half a second) is loaded here only: --version and --help
    // do not need it, and a command that threw one of its errors has loaded it already.
    const { InvalidRunError } = await import('./results/schema.js');
    if (e instanceof UsageError || e instanceof InvalidRunError) {
      console.error(`guardbench ${name}: ${e.message}`);
      return EXIT.usage;
    }
    console.error(`guardbench ${name}: internal error: ${oneLine(e)} (GUARDBENCH_DEBUG=1 prints the stack)`);
    if (process.env.GUARDBENCH_DEBUG) console.error(e);
    return EXIT.internal;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help') {
    if (rest.length === 0) {
      console.log(usage());
      return EXIT.ok;
    }
    if (rest.length > 1) return usageLine(`help takes one command, got ${rest.join(' ')}`);
    const entry = COMMANDS[rest[0]!];
    return entry ? runCommand(rest[0]!, entry, ['--help']) : unknownCommand(rest[0]!);
  }
  if (first === '--help' || first === '-h') {
    console.log(usage());
    return EXIT.ok;
  }
  const isCommand = first !== undefined && !first.startsWith('-');
  const name = isCommand ? first : 'run';
  const entry = COMMANDS[name];
  if (!entry) return unknownCommand(name);
  const commandArgv = isCommand ? rest : argv;
  // --version answers on every command (`guardbench compare --version`), before its own parsing.
  if (commandArgv.includes('--version')) {
    console.log(versionLine());
    return EXIT.ok;
  }
  return runCommand(name, entry, commandArgv);
}
