/**
 * Reading the contract's documents (runs, censuses): JSON text or a parsed value in, the typed
 * document out, or one line saying what is wrong with it. Validators are compiled on first use:
 * compiling a schema costs ~0.1 s, which every command that only writes a document (a run
 * measures, it never validates) would pay.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { printable } from '../errors.js';

/** One kind of document: its schema id (`guardbench.run/v1`), its schema, and the error a bad one raises. */
export interface DocumentKind {
  id: string;
  schema: TSchema;
  invalid: (message: string) => Error;
}

export interface DocumentReader<T> {
  /** a parsed value, checked against the schema */
  check(doc: unknown, source: string): T;
  /** JSON text, parsed and checked */
  parse(text: string, source: string): T;
}

export function documentReader<T>(kind: DocumentKind): DocumentReader<T> {
  let compiled: ValidateFunction<T> | null = null;
  const family = kind.id.slice(0, kind.id.lastIndexOf('/') + 1);
  const check = (doc: unknown, source: string): T => {
    const schema = typeof doc === 'object' && doc !== null ? (doc as { schema?: unknown }).schema : undefined;
    if (typeof schema === 'string' && schema !== kind.id && schema.startsWith(family)) {
      throw kind.invalid(`${source}: schema ${schema} is not one this guardbench reads (it reads ${kind.id}); upgrade guardbench`);
    }
    if (typeof schema === 'string' && schema !== kind.id) throw kind.invalid(`${source}: not a ${kind.id} document: /schema is ${schema}`);
    compiled ??= new Ajv({ allErrors: false, strict: false }).compile<T>(kind.schema);
    if (!compiled(doc)) {
      const err = compiled.errors?.[0];
      throw kind.invalid(`${source}: not a ${kind.id} document: ${err?.instancePath || '(top level)'} ${err?.message ?? 'is invalid'}`);
    }
    return doc;
  };
  const parse = (text: string, source: string): T => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const why = text.trim() === '' ? 'the file is empty' : `not JSON (${printable((e as Error).message.split('\n')[0] ?? '', 120)})`;
      throw kind.invalid(`${source}: ${why}`);
    }
    return check(doc, source);
  };
  return { check, parse };
}
