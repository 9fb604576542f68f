/**
 * The contract as plain JSON Schema documents (schema/run.v1.json, schema/census.v1.json), for
 * other tools that validate runs without guardbench. Generated from the TypeBox source by
 * scripts/write-schemas.ts; a test keeps the files equal to the source.
 */
import { CensusSchema, CENSUS_SCHEMA_ID } from './census-schema.js';
import { RunSchema, RUN_SCHEMA_ID } from './schema.js';

export interface SchemaFile {
  /** path relative to the repository root */
  path: string;
  text: string;
}

function document(id: string, title: string, schema: object): string {
  // JSON.stringify keeps the JSON Schema keywords and drops TypeBox's symbol-keyed metadata.
  const doc = { $schema: 'http://json-schema.org/draft-07/schema#', $id: id, title, ...JSON.parse(JSON.stringify(schema)) };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export function schemaFiles(): SchemaFile[] {
  return [
    { path: 'schema/run.v1.json', text: document(RUN_SCHEMA_ID, 'A guardbench run: environment, verify results and one row per measured quantity', RunSchema) },
    { path: 'schema/census.v1.json', text: document(CENSUS_SCHEMA_ID, 'A guardbench census: guard VMAs and guard markers of a system', CensusSchema) },
  ];
}
