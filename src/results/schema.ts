/**
 * The run contract, `guardbench.run/v1` (design section 4): one TypeBox source gives both the
 * TypeScript types and the JSON Schema that every reader validates against. Reporters, compare and
 * history read runs only through `parseRun`, so a run made elsewhere is checked before it is trusted.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

export const RUN_SCHEMA_ID = 'guardbench.run/v1';

export const StrategyNameSchema = Type.Union([
  Type.Literal('no-guard'),
  Type.Literal('prot-none'),
  Type.Literal('guard-madvise'),
  Type.Literal('guard-process-madvise'),
]);
export type StrategyName = Static<typeof StrategyNameSchema>;
export const STRATEGY_NAMES: readonly StrategyName[] = ['no-guard', 'prot-none', 'guard-madvise', 'guard-process-madvise'];

export const ParamValueSchema = Type.Union([Type.Number(), Type.String(), Type.Boolean()]);
export type ParamValue = Static<typeof ParamValueSchema>;
export const ParamsSchema = Type.Record(Type.String(), ParamValueSchema);
export type Params = Static<typeof ParamsSchema>;

/** Latency statistics of one row, already scaled to the row's unit (ns per guard, per stack, ...). */
export const StatsSchema = Type.Object({
  mean: Type.Number(),
  median: Type.Number(),
  p75: Type.Number(),
  p99: Type.Number(),
  min: Type.Number(),
  max: Type.Number(),
  /** standard deviation of the per-iteration figures */
  sd: Type.Number(),
  /** relative margin of error of the mean, percent (95%, Student's t) */
  rme: Type.Number(),
  /** iterations measured */
  samples: Type.Integer({ minimum: 0 }),
});
export type Stats = Static<typeof StatsSchema>;

export const RowStatusSchema = Type.Union([Type.Literal('ok'), Type.Literal('skipped'), Type.Literal('failed')]);
export type RowStatus = Static<typeof RowStatusSchema>;

/** One measured quantity (tidy, long format). */
export const RowSchema = Type.Object({
  workload: Type.String({ minLength: 1 }),
  strategy: Type.String({ minLength: 1 }),
  params: ParamsSchema,
  metric: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
  unit: Type.String({ minLength: 1 }),
  /** the headline figure: the median for latencies; null when not measured */
  value: Type.Union([Type.Number(), Type.Null()]),
  stats: Type.Union([StatsSchema, Type.Null()]),
  status: RowStatusSchema,
  reason: Type.Optional(Type.String()),
});
export type Row = Static<typeof RowSchema>;

export const FeaturesSchema = Type.Object({
  guardInstall: Type.Boolean(),
  guardRemove: Type.Boolean(),
  processMadvise: Type.Boolean(),
  pidfdSelf: Type.Boolean(),
  pagemapGuardBit: Type.Boolean(),
  pagemapScanGuard: Type.Boolean(),
  smapsGuardFlag: Type.Boolean(),
}, { additionalProperties: Type.Union([Type.Boolean(), Type.String(), Type.Number(), Type.Null()]) });
export type Features = Static<typeof FeaturesSchema>;

export const EnvSchema = Type.Object({
  kernel: Type.Object({ release: Type.String(), version: Type.String(), machine: Type.String() }),
  cpu: Type.Object({ model: Type.String(), count: Type.Integer({ minimum: 1 }) }, { additionalProperties: true }),
  memBytes: Type.Number({ minimum: 0 }),
  pageSize: Type.Integer({ minimum: 1 }),
  maxMapCount: Type.Union([Type.Integer(), Type.Null()]),
  thp: Type.String(),
  libc: Type.String(),
  node: Type.String(),
  koffi: Type.String(),
  root: Type.Boolean(),
  features: FeaturesSchema,
}, { additionalProperties: true });
export type Env = Static<typeof EnvSchema>;

export const VerifyResultSchema = Type.Object({
  check: Type.String({ minLength: 1 }),
  ok: Type.Boolean(),
  detail: Type.String(),
}, { additionalProperties: true });
export type VerifyResult = Static<typeof VerifyResultSchema>;

export const ProfileSchema = Type.Union([Type.Literal('quick'), Type.Literal('default'), Type.Literal('full')]);
export type Profile = Static<typeof ProfileSchema>;

export const RunSchema = Type.Object({
  schema: Type.Literal(RUN_SCHEMA_ID),
  tool: Type.Object({
    name: Type.Literal('guardbench'),
    version: Type.String(),
    /** the git commit of the checkout that made the run; null outside a git checkout (absent before it was recorded) */
    commit: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  }),
  id: Type.String({ minLength: 1 }),
  startedAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  complete: Type.Boolean(),
  profile: ProfileSchema,
  argv: Type.Array(Type.String()),
  env: EnvSchema,
  verify: Type.Array(VerifyResultSchema),
  rows: Type.Array(RowSchema),
}, { additionalProperties: true });
export type Run = Static<typeof RunSchema>;

const ajv = new Ajv({ allErrors: false, strict: false });
const validateRun = ajv.compile<Run>(RunSchema);

/** A file that is not a usable run: the message is one line, fit for the user. */
export class InvalidRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRunError';
  }
}

/** Check a parsed document against the contract; returns it typed, or throws InvalidRunError. */
export function checkRun(doc: unknown, source = 'run'): Run {
  if (typeof doc === 'object' && doc !== null && 'schema' in doc) {
    const schema = (doc as { schema: unknown }).schema;
    if (typeof schema === 'string' && schema !== RUN_SCHEMA_ID && schema.startsWith('guardbench.run/')) {
      throw new InvalidRunError(`${source}: schema ${schema} is not one this guardbench reads (it reads ${RUN_SCHEMA_ID}); upgrade guardbench`);
    }
  }
  if (!validateRun(doc)) {
    const err = validateRun.errors?.[0];
    const where = err?.instancePath || '(top level)';
    throw new InvalidRunError(`${source}: not a ${RUN_SCHEMA_ID} document: ${where} ${err?.message ?? 'is invalid'}`);
  }
  return doc;
}

/** An error message safe for one terminal line: control and non-ASCII bytes shown as escapes. */
function printable(message: string, max = 120): string {
  const safe = message.replace(/[^\x20-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
  return safe.length > max ? `${safe.slice(0, max)}...` : safe;
}

/** Parse JSON text as a run. */
export function parseRun(text: string, source = 'run'): Run {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    const why = text.trim() === '' ? 'the file is empty' : `not JSON (${printable((e as Error).message.split('\n')[0] ?? '')})`;
    throw new InvalidRunError(`${source}: ${why}`);
  }
  return checkRun(doc, source);
}

/** JSON Schema of the contract, for users who validate runs with other tools. */
export const runJsonSchema = RunSchema;
