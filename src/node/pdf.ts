import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GlassboxError } from '../data/errors.js';
import { writeFileAtomic } from './files.js';

/** Headless Chromium without a sandbox, GPU or any background network traffic. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Writes report.html and report.md into `dir` (and report.pdf with `pdf`); returns the names written. */
export function writeReport(dir: string, report: { html: string; markdown: string }, pdf = false): string[] {
  writeFileAtomic(join(dir, 'report.html'), report.html);
  writeFileAtomic(join(dir, 'report.md'), report.markdown + '\n');
  if (!pdf) return ['report.html', 'report.md'];
  htmlToPdf(join(dir, 'report.html'), join(dir, 'report.pdf'));
  return ['report.html', 'report.md', 'report.pdf'];
}

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** The browser that prints PDFs: $GLASSBOX_CHROMIUM, else the usual install paths. */
export function findChromium(): string | undefined {
  const env = process.env.GLASSBOX_CHROMIUM;
  if (env) return existsSync(env) ? env : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * Prints an HTML file to PDF with headless Chromium (no network: the report's own policy forbids
 * every request). Written beside and renamed, so a failed print leaves no half file.
 */
export function htmlToPdf(htmlPath: string, pdfPath: string, timeoutMs = 120_000): void {
  const chromium = findChromium();
  if (!chromium)
    throw new GlassboxError(
      'no Chromium found to print the PDF: install it (Debian: apt-get install chromium) or set GLASSBOX_CHROMIUM to its path',
      { code: 'missing-dependency' },
    );
  const profile = mkdtempSync(join(tmpdir(), 'glassbox-pdf-'));
  const tmp = join(dirname(resolve(pdfPath)), `.${process.pid}.pdf.tmp`);
  try {
    const r = spawnSync(
      chromium,
      [
        ...CHROMIUM_FLAGS,
        `--user-data-dir=${profile}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${tmp}`,
        pathToFileURL(resolve(htmlPath)).href,
      ],
      { encoding: 'utf8', timeout: timeoutMs },
    );
    if (r.status !== 0 || !existsSync(tmp) || readFileSync(tmp).subarray(0, 5).toString('latin1') !== '%PDF-')
      throw new GlassboxError(
        `Chromium could not print ${htmlPath} to PDF${r.error ? ` (${r.error.message})` : r.status !== 0 ? ` (exit code ${r.status})` : ''}`,
        { code: 'pdf-failed' },
      );
    renameSync(tmp, pdfPath);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(profile, { recursive: true, force: true });
  }
}
