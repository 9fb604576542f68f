#!/usr/bin/env node
// Entry point for `npx guardbench` and `npm run bench`: loads the TypeScript sources through tsx, so a
// checkout runs without a build step.
import { register } from 'tsx/esm/api';

// Whatever escapes the CLI's own handling (a source that fails to load, an error thrown from a
// callback) is guardbench's failure: one line and exit 3 (src/commands/exit-codes.ts), never Node's
// default exit 1, which a script would read as "compare found a regression".
function internalError(error) {
  const message = String(error instanceof Error ? error.message : error).split('\n')[0];
  console.error(`guardbench: internal error: ${message} (GUARDBENCH_DEBUG=1 prints the stack)`);
  if (process.env.GUARDBENCH_DEBUG) console.error(error);
  process.exit(3);
}
process.on('uncaughtException', internalError);
process.on('unhandledRejection', internalError);

try {
  register();
  const { main } = await import('../src/cli.ts');
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  internalError(error);
}
