import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The embedded example: the Telco churn table shipped in examples/ (npm start, glassbox demo, serve --example). */
export function exampleData(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of [join(here, '..', '..', '..'), join(here, '..', '..')]) {
    const p = join(up, 'examples', 'telco-churn.csv');
    if (existsSync(p)) return p;
  }
  return join('examples', 'telco-churn.csv');
}

/** The example's name in the web app, and what it predicts. */
export const EXAMPLE = { project: 'Example: Telco churn', file: 'telco-churn.csv', target: 'Churn' } as const;
