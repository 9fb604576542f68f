/**
 * Parsing a command's options, the same way for every command: strict, and a bad flag becomes one
 * UsageError line (cli.ts prints it and exits 2). `--regions -5` is read as a value, not as two
 * flags, so the range check can name what is wrong with it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, oneLine } from '../errors.js';

/** Join `--flag -5` into `--flag=-5`: parseArgs would otherwise take -5 for an option. */
export function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i]!.startsWith('--') && !argv[i]!.includes('=') && next !== undefined && /^-\d/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]!);
  }
  return out;
}

export function parseCommandArgs<T extends ParseArgsConfig>(argv: readonly string[], config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs({ ...config, args: joinNegativeValues(argv), strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (e) {
    throw new UsageError(oneLine(e).replace(/\. To specify a positional argument.*$/, ''));
  }
}
