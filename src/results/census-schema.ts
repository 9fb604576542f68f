/**
 * The census document, `guardbench.census/v1`: one TypeBox source gives the TypeScript types and the
 * JSON Schema that `parseCensus` validates against (the same pattern as the run contract). A run may
 * carry one as its `census` section; `guardbench census --out` writes it alone as census.json.
 */
import { createRequire } from 'node:module';
import type { Static } from '@sinclair/typebox';
import { documentReader } from './validator.js';

// TypeBox by require: loaded as ESM through tsx's hooks, its ~200 module files cost every command ~0.2 s.
const { Type } = createRequire(import.meta.url)('@sinclair/typebox') as typeof import('@sinclair/typebox');

export const CENSUS_SCHEMA_ID = 'guardbench.census/v1';

const Count = Type.Integer({ minimum: 0 });
const Address = Type.Integer({ minimum: 0 });

/** PROT_NONE VMAs that are not guards, by why not. */
export const ReservationsSchema = Type.Object({
  count: Count,
  bytes: Type.Number({ minimum: 0 }),
  /** larger than maxGuardBytes: allocator, JIT and runtime address-space reservations */
  tooLarge: Count,
  /** file-backed but not a loader gap (before loader gaps were counted apart, they were counted here) */
  fileBacked: Count,
  shared: Count,
  /** small, but next to no private writable anonymous mapping it could guard */
  noWritableNeighbour: Count,
});
export type Reservations = Static<typeof ReservationsSchema>;

export const MarkersSchema = Type.Object({
  /** VMAs whose smaps VmFlags carry `gu`; null when smaps (or the flag) was not available */
  vmas: Type.Union([Count, Type.Null()]),
  /** guard pages inside them; null when they could not be counted */
  pages: Type.Union([Count, Type.Null()]),
  method: Type.Union([Type.Literal('pagemap-scan'), Type.Literal('pagemap-bit58'), Type.Null()]),
  reason: Type.Optional(Type.String()),
  /** runs of guard pages (one per guarded range) among those pages; absent in censuses before it was counted */
  regions: Type.Optional(Type.Union([Count, Type.Null()])),
});
export type Markers = Static<typeof MarkersSchema>;

export const SavingsSchema = Type.Object({ lower: Count, upper: Count });

/** The VMA counts a process has and the totals sum. */
const VmaCounts = {
  vmas: Count,
  protNone: Count,
  guardVmas: Count,
  /** guards whose protected mapping lies above them (thread-stack style) / below them */
  guardSides: Type.Object({ above: Count, below: Count }),
  /** PROT_NONE VMAs of a file between pieces of the same file (absent in censuses before they were told apart) */
  loaderGaps: Type.Optional(Count),
  reservations: ReservationsSchema,
};

/** One process's counts. */
export const ProcessCensusSchema = Type.Object({
  pid: Type.Integer({ minimum: 1 }),
  comm: Type.String(),
  ...VmaCounts,
  markers: MarkersSchema,
  /** VMAs that would disappear if every guard became a marker */
  savings: SavingsSchema,
  /** whether smaps was read (VmFlags known) or only maps */
  smaps: Type.Boolean(),
  /** classified guard and reservation VMAs, only when the census was taken with `detail` */
  detail: Type.Optional(Type.Object({
    guards: Type.Array(Type.Object({
      start: Address, end: Address, side: Type.Union([Type.Literal('above'), Type.Literal('below')]),
      otherSideMerges: Type.Boolean(),
    })),
    reservations: Type.Array(Type.Object({ start: Address, end: Address, kind: Type.String() })),
    loaderGaps: Type.Optional(Type.Array(Type.Object({ start: Address, end: Address }))),
    /** `gu` VMAs with the guard pages (and regions) counted in each (null when not counted) */
    markerVmas: Type.Array(Type.Object({
      start: Address, end: Address, pages: Type.Union([Count, Type.Null()]), regions: Type.Optional(Type.Union([Count, Type.Null()])),
    })),
  })),
});
export type ProcessCensus = Static<typeof ProcessCensusSchema>;

export const UnreadableSchema = Type.Object({
  total: Count,
  permission: Count,
  vanished: Count,
  other: Count,
  /** the first few, for the user to see which */
  examples: Type.Array(Type.Object({ pid: Type.Integer({ minimum: 1 }), comm: Type.String(), reason: Type.String() })),
});

export const BoundSchema = Type.Object({
  vmas: Count,
  /** percent of all VMAs counted */
  percent: Type.Number({ minimum: 0 }),
  rule: Type.String({ minLength: 1 }),
});

export const CensusSchema = Type.Object({
  schema: Type.Literal(CENSUS_SCHEMA_ID),
  tool: Type.Object({ name: Type.Literal('guardbench'), version: Type.String() }),
  takenAt: Type.String(),
  durationMs: Type.Number({ minimum: 0 }),
  kernel: Type.String(),
  /** the whole machine, or only the pids asked for */
  scope: Type.Union([Type.Literal('system'), Type.Literal('pids')]),
  options: Type.Object({
    maxGuardBytes: Type.Integer({ minimum: 1 }),
    pids: Type.Union([Type.Array(Type.Integer({ minimum: 1 })), Type.Null()]),
  }),
  /** what this kernel lets the census see of markers */
  features: Type.Object({
    guardMarkers: Type.Boolean(),
    smapsGuardFlag: Type.Boolean(),
    pagemapScanGuard: Type.Boolean(),
    pagemapGuardBit: Type.Boolean(),
  }),
  guardRule: Type.String({ minLength: 1 }),
  /** what makes a PROT_NONE VMA a loader gap (absent before loader gaps were told apart) */
  loaderGapRule: Type.Optional(Type.String({ minLength: 1 })),
  headline: Type.String({ minLength: 1 }),
  totals: Type.Object({
    processes: Count,
    ...VmaCounts,
    markers: Type.Object({
      vmas: Type.Union([Count, Type.Null()]),
      pages: Type.Union([Count, Type.Null()]),
      regions: Type.Optional(Type.Union([Count, Type.Null()])),
      /** processes with at least one `gu` VMA */
      processes: Count,
      /** processes whose marker pages could not be counted */
      uncounted: Count,
      method: Type.Union([Type.Literal('pagemap-scan'), Type.Literal('pagemap-bit58'), Type.Null()]),
      /** why markers are not (fully) visible, when they are not */
      reason: Type.Optional(Type.String()),
    }),
    savings: Type.Object({ lower: BoundSchema, upper: BoundSchema }),
  }),
  processes: Type.Array(ProcessCensusSchema),
  /** readable processes left out of `processes` by a limit (the totals include them) */
  processesOmitted: Count,
  unreadable: UnreadableSchema,
  /** processes with no user address space: kernel threads and zombies */
  noAddressSpace: Count,
  /** anything the user should know about how complete the census is */
  notes: Type.Array(Type.String()),
}, { additionalProperties: true });
export type Census = Static<typeof CensusSchema>;

/** A file that is not a usable census: the message is one line, fit for the user. */
export class InvalidCensusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCensusError';
  }
}

const censuses = documentReader<Census>({ id: CENSUS_SCHEMA_ID, schema: CensusSchema, invalid: (m) => new InvalidCensusError(m) });

/** Check a parsed document; returns it typed, or throws InvalidCensusError. */
export function checkCensus(doc: unknown, source = 'census'): Census {
  return censuses.check(doc, source);
}

/** Parse JSON text as a census. */
export function parseCensus(text: string, source = 'census'): Census {
  return censuses.parse(text, source);
}

