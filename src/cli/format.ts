import { basename, extname } from 'node:path';
import { GlassboxError } from '../data/errors.js';

export function formatMetrics(m: Readonly<Record<string, number>>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(4) : String(v)}`)
    .join(', ');
}

/** File name without folder and extension, safe as part of a folder name. */
export function stem(path: string): string {
  return basename(path, extname(path)).replace(/[^A-Za-z0-9._-]+/g, '_') || 'data';
}

/**
 * `--profit tp=100,fp=-5[,fn=-20][,tn=0]`: what each outcome of acting on a row is worth (a
 * cost is negative; fn and tn default to 0).
 */
export function parseProfit(text: string): {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
  trueNegative: number;
} {
  const values: Record<string, number> = { fn: 0, tn: 0 };
  for (const part of text.split(',')) {
    const m = /^\s*(tp|fp|fn|tn)\s*=\s*(-?[0-9.]+(?:e-?\d+)?)\s*$/i.exec(part);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v))
      throw new GlassboxError(
        `--profit "${text}": expected tp=VALUE,fp=VALUE[,fn=VALUE][,tn=VALUE] with numbers, e.g. tp=190,fp=-10`,
        { code: 'bad-option' },
      );
    values[m[1].toLowerCase()] = v;
  }
  if (values.tp === undefined || values.fp === undefined)
    throw new GlassboxError(`--profit "${text}": give at least tp (a flagged positive) and fp (a flagged negative)`, {
      code: 'bad-option',
    });
  return { truePositive: values.tp, falsePositive: values.fp, falseNegative: values.fn, trueNegative: values.tn };
}
