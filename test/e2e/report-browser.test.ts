import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS } from '../../src/node/pdf.js';
import { datasetPath } from '../datasets.js';
import { glassbox, tempDir } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [...CHROMIUM_FLAGS];
/** Screenshots kept for the reader of a run (not committed). */
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts');

describe('report.html in a real browser', () => {
  it('renders every chart of the bank-full report, and no request leaves the file', async () => {
    expect(existsSync(CHROMIUM), `headless tests need Debian's chromium at ${CHROMIUM} (.ci/run installs it)`).toBe(
      true,
    );
    const out = join(tempDir(), 'run');
    const train = glassbox(['train', datasetPath('bank-full.csv'), '--target', 'y', '--out', out]);
    expect(train.code, train.stderr).toBe(0);
    const file = join(out, 'report.html');
    const url = pathToFileURL(file).href;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const violations: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') violations.push(m.text());
      });
      await page.goto(url, { waitUntil: 'load' });
      // Every figure holds an SVG that laid out with a size and drew marks.
      const charts = await page.$$eval('figure svg', (svgs) =>
        svgs.map((s) => {
          const box = (s as unknown as { getBBox(): { width: number; height: number } }).getBBox();
          return { width: box.width, height: box.height, paths: s.querySelectorAll('path').length };
        }),
      );
      expect(charts).toHaveLength(9);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.height).toBeGreaterThan(100);
        expect(c.paths).toBeGreaterThan(1);
      }
      expect(await page.textContent('h2')).toBe('Summary');
      expect(requests).toEqual([url]);
      expect(violations).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'report-bank-full.png'), fullPage: false });
      expect(readFileSync(join(ARTIFACTS, 'report-bank-full.png')).length).toBeGreaterThan(10000);
    } finally {
      await browser.close();
    }
  });
});
