import type { Strategy } from './types.js';
import { preparePerCall } from './per-call.js';

/** The floor: memory mapped the same way, no guard at all. */
export const noGuard: Strategy = {
  name: 'no-guard',
  description: 'maps the same memory and installs no guard: the floor the others are measured against',
  requires: [],
  guards: false,
  prepare: preparePerCall,
  install() {},
  remove() {},
};
