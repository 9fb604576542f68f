/**
 * Validators of the contract's documents, compiled on first use: compiling a schema costs ~0.1 s,
 * which every command that only writes a document (a run measures, it never validates) would pay.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';

export function lazyValidator<T>(schema: TSchema): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | null = null;
  return () => (compiled ??= new Ajv({ allErrors: false, strict: false }).compile<T>(schema));
}
