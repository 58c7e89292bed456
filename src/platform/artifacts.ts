import { join } from 'node:path';

/**
 * Where the platform keeps files, by generated id only: an uploaded file's own name is stored as
 * data in the database and never becomes part of a path.
 */
export const DATASET_FORMATS = ['csv', 'xlsx', 'parquet', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export function datasetDir(dataDir: string, id: string): string {
  return join(dataDir, 'datasets', id);
}

/** The stored upload; its extension is the format Glassbox recognised, not the uploader's. */
export function datasetFile(dataDir: string, id: string, format?: DatasetFormat): string {
  return join(datasetDir(dataDir, id), `data.${format ?? 'csv'}`);
}

export function runDir(dataDir: string, id: string): string {
  return join(dataDir, 'runs', id);
}
