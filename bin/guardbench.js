#!/usr/bin/env node
// Entry point for `npx guardbench` and `npm run bench`: loads the TypeScript sources through tsx, so a
// checkout runs without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
