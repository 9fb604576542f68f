/**
 * The census, a survey rather than a benchmark: how many VMAs of the running system are PROT_NONE
 * guards, how many guard markers are already in use, and how many VMAs markers would save: the
 * cover letter's "13% fewer VMAs on idle Android", taken on the user's own machine. Report writers find
 * `renderCensusMarkdown` here; the bench runner calls `takeCensus` at the start of a run.
 */
export { takeCensus, type CensusOptions, type CensusFeatures } from './take.js';
export { renderCensusMarkdown, renderCensusText, headlineOf, topProcesses } from './render.js';
export {
  CENSUS_SCHEMA_ID, CensusSchema, InvalidCensusError, checkCensus, parseCensus, censusJsonSchema,
  type Census, type ProcessCensus,
} from '../results/census-schema.js';
export { DEFAULT_MAX_GUARD_BYTES, SAVINGS_RULES, classifyVmas, couldMerge, type Classification } from './classify.js';
