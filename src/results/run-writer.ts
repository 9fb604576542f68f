/**
 * The run document as it grows: rows are appended as each point finishes and run.json is rewritten
 * atomically, so an interrupted run still leaves a valid document with everything measured so far
 * and `complete: false`. run.csv, the same rows as a table, is written when the run finishes or
 * stops (writing it after every point cost a quick run 4 of its 25 seconds).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './write.js';
import { runToCsv } from './csv.js';
import { headCommit } from './tool-commit.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { RUN_SCHEMA_ID, type Env, type Profile, type Row, type Run, type VerifyResult, type WorkloadSpec } from './schema.js';
import type { Census } from './census-schema.js';

/** A sortable, unique id: start time and kernel release. */
export function runId(startedAt: Date, kernelRelease: string): string {
  return `${startedAt.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}-${kernelRelease.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export interface RunHeader {
  profile: Profile;
  argv: string[];
  env: Env;
  startedAt: Date;
}

export class RunWriter {
  readonly run: Run;
  readonly jsonPath: string;
  readonly csvPath: string;

  constructor(readonly dir: string, header: RunHeader) {
    mkdirSync(dir, { recursive: true });
    this.jsonPath = join(dir, 'run.json');
    this.csvPath = join(dir, 'run.csv');
    this.run = {
      schema: RUN_SCHEMA_ID,
      tool: { name: TOOL_NAME, version: TOOL_VERSION, commit: headCommit() },
      id: runId(header.startedAt, header.env.kernel.release),
      startedAt: header.startedAt.toISOString(),
      finishedAt: null,
      complete: false,
      profile: header.profile,
      argv: header.argv,
      env: header.env,
      verify: [],
      rows: [],
    };
  }

  setVerify(results: VerifyResult[]): void {
    this.run.verify = results;
  }

  /** What the workloads of this run are and what their metrics mean. */
  setWorkloads(specs: WorkloadSpec[]): void {
    this.run.workloads = specs;
  }

  setCensus(census: Census): void {
    this.run.census = census;
  }

  /** Environment figures known only once measuring starts or ends (the FFI floor, VMA counts, the host's speed). */
  updateEnv(fields: Partial<Env>): void {
    Object.assign(this.run.env, fields);
  }

  private readonly points = new Map<string, Row[]>();

  /** Set (or replace, after another pass) the rows of one point, keeping points in first-seen order. */
  putPoint(key: string, rows: Row[]): void {
    this.points.set(key, rows);
    this.run.rows = [...this.points.values()].flat();
    writeJsonAtomic(this.jsonPath, this.run, { durable: false });
  }

  /** Write run.json and run.csv as they stand, synced to disk. */
  flush(): void {
    writeJsonAtomic(this.jsonPath, this.run);
    writeFileAtomic(this.csvPath, runToCsv(this.run));
  }

  finish(complete: boolean): void {
    this.run.finishedAt = new Date().toISOString();
    this.run.complete = complete;
    this.flush();
  }
}
