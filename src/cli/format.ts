import { basename, extname } from 'node:path';

export function formatMetrics(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(4) : String(v)}`)
    .join(', ');
}

/** File name without folder and extension, safe as part of a folder name. */
export function stem(path: string): string {
  return basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, '_') || 'data';
}
