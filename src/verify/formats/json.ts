/** verify as one JSON document: what was checked and why, every result, and the failures per kind. */
import type { VerifyFormat } from './types.js';

export const jsonFormat: VerifyFormat = {
  name: 'json',
  render({ verification: { kinds, results, failed }, selection }) {
    return JSON.stringify({
      kinds, kindsWhy: selection.kindsWhy, kindNotes: selection.kindNotes,
      strategies: selection.strategies, strategiesWhy: selection.strategiesWhy,
      results, failed,
    }, null, 2);
  },
};
