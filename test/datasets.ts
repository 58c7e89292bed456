import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared datasets: GLASSBOX_DATASETS, else ../shared/datasets beside the checkout, else /work/shared/datasets. */
export const DATASETS =
  process.env.GLASSBOX_DATASETS ??
  [join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'datasets'), '/work/shared/datasets'].find((d) =>
    existsSync(join(d, 'manifest.json')),
  ) ??
  '/work/shared/datasets';

export interface ManifestEntry {
  file: string;
  task: string;
  target?: string;
  positive?: string;
  sep: string;
  rows: number;
  cols: number;
  header?: boolean;
  columns?: string[];
}

export function manifest(): ManifestEntry[] {
  return JSON.parse(readFileSync(join(DATASETS, 'manifest.json'), 'utf8')) as ManifestEntry[];
}

export function datasetPath(file: string): string {
  return join(DATASETS, file);
}
