import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM_FLAGS } from '../../src/node/pdf.js';
import { datasetPath } from '../datasets.js';
import { serve, tempDir } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots kept for the reader of a run (not committed). */
const ARTIFACTS = join(ROOT, 'artifacts');

describe('the web app in a real browser', () => {
  it('upload -> profile -> goal and target -> run with live progress -> report -> score new data', async () => {
    expect(existsSync(CHROMIUM), `headless tests need Debian's chromium at ${CHROMIUM} (.ci/run installs it)`).toBe(
      true,
    );
    // A database the operator lets users score: a patients table with an id.
    const crm = join(tempDir(), 'crm.db');
    const db = new Database(crm);
    const lines = readFileSync(datasetPath('diabetes.csv'), 'utf8').trimEnd().split(/\r?\n/);
    const header = lines[0].split(',').filter((h) => h !== 'Outcome');
    db.exec(`CREATE TABLE patients (patient_id TEXT, ${header.map((h) => `"${h}" REAL`).join(', ')})`);
    const insert = db.prepare(`INSERT INTO patients VALUES (?, ${header.map(() => '?').join(', ')})`);
    db.transaction(() =>
      lines.slice(1, 101).forEach((l, i) => insert.run(`p${i + 1}`, ...l.split(',').slice(0, -1).map(Number))),
    )();
    db.close();
    const { child, url } = await serve(tempDir(), ['--connection', `crm=sqlite:${crm}`]);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
    mkdirSync(ARTIFACTS, { recursive: true });
    const shot = (page: import('playwright-core').Page, name: string) =>
      page.screenshot({ path: join(ARTIFACTS, `web-${name}.png`), fullPage: true });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.getByLabel('New project').fill('Diabetes screening');
      await page.getByRole('button', { name: 'Create' }).click();
      await page.getByRole('heading', { name: 'Diabetes screening' }).waitFor();

      // Upload through the file picker; the dataset page shows the profile.
      await page.getByLabel('Upload a table').setInputFiles(datasetPath('diabetes.csv'));
      await page.getByRole('heading', { name: 'diabetes.csv' }).waitFor();
      await expect.poll(() => page.getByText('768 rows, 9 columns.').count()).toBe(1);
      const datasetUrl = page.url();
      await page.getByLabel('Column to predict').selectOption('Outcome');
      await page.getByLabel('Time budget').selectOption('30');
      await shot(page, '1-profile');
      await page.getByRole('button', { name: 'Build the model' }).click();

      // Live progress over server-sent events, then the leaderboard and the model.
      await page.getByRole('heading', { name: 'Predicting Outcome' }).waitFor();
      await page.getByTestId('run-state').filter({ hasText: 'done' }).waitFor({ timeout: 120_000 });
      await page.getByRole('link', { name: 'See the model and its report' }).waitFor();
      expect(await page.locator('tbody tr').count()).toBeGreaterThan(3);
      await page.locator('img[alt="Trial scores in the order they ran"]').waitFor();
      await shot(page, '2-run');
      await page.getByRole('link', { name: 'See the model and its report' }).click();
      await expect
        .poll(async () => (await page.textContent('main')) ?? '')
        .toMatch(/AUC 0\.\d{3} on rows it never saw/);

      // The report opens (its own page, every chart drawn).
      const reportHref = await page.getByRole('link', { name: 'Open the report' }).getAttribute('href');
      const report = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      report.on('request', (r) => requests.push(r.url()));
      await report.goto(new URL(reportHref as string, url).href);
      expect(await report.locator('figure svg').count()).toBeGreaterThanOrEqual(9);
      await report.screenshot({ path: join(ARTIFACTS, 'web-3-report.png') });
      await report.close();

      // Score new data with reasons: a preview and a download.
      await page.getByLabel('File to score').setInputFiles(datasetPath('diabetes.csv'));
      await page.getByRole('button', { name: 'Score', exact: true }).click();
      await page.getByRole('link', { name: 'Download predictions.csv' }).waitFor({ timeout: 60_000 });
      const head = await page.locator('table[aria-label="First predictions"] th').allTextContents();
      expect(head).toEqual(['prediction', 'proba_0', 'proba_1', 'reason_1', 'reason_2', 'reason_3']);
      expect(await page.locator('table[aria-label="First predictions"] tbody tr').count()).toBe(10);
      expect(await page.getByText('(768 rows)').count()).toBe(1);
      await shot(page, '4-score');

      // A table of the operator's database, scored into a new table beside it.
      const tables = page.getByRole('region', { name: 'Score a database table' });
      await tables.getByLabel('Table to score').fill('patients');
      await tables.getByLabel('New table for the predictions').fill('diabetes_risk');
      await tables.getByLabel('Columns to copy (an id to join on)').fill('patient_id');
      await tables.getByRole('button', { name: 'Score the table' }).click();
      await tables.getByText(/^Wrote 100 predictions to diabetes_risk\. drift: \d+ of 8 features drifted/).waitFor();
      const written = new Database(crm, { readonly: true });
      expect(written.prepare('SELECT count(*) AS n FROM diabetes_risk').get()).toEqual({ n: 100 });
      written.close();

      // Monitoring: the scored file is in the history with its drift check; its outcomes (the
      // file itself is labelled) give the realised performance, then a challenger is trained.
      const monitoring = page.getByRole('region', { name: 'Monitoring' });
      await monitoring.getByText('Scored 768 rows of diabetes.csv').waitFor();
      await monitoring.getByText('Scored 100 rows of crm:patients').waitFor();
      await monitoring
        .getByLabel('Data with the outcomes (Outcome)')
        .selectOption({ label: 'diabetes.csv · 768 rows' });
      await monitoring.getByRole('button', { name: 'Check realised performance' }).click();
      await monitoring.getByText(/Outcomes of 768 rows \(diabetes\.csv\): AUC 0\.\d+/).waitFor({ timeout: 60_000 });
      await monitoring.locator('img[alt^="Realised performance"]').waitFor();
      await monitoring.getByLabel('Promote the challenger').selectOption('always');
      await monitoring.getByRole('button', { name: 'Retrain' }).click();
      await monitoring.getByText('Version 2 promoted').waitFor({ timeout: 60_000 });
      await monitoring.getByText('Serving version 2').waitFor();
      await shot(page, '4b-monitoring');

      // Start at any stage: a pipeline built by hand from the schema-generated forms, no search.
      await page.goto(datasetUrl);
      await page.getByLabel('Column to predict').selectOption('Outcome');
      await page.getByText('Or build the pipeline yourself').click();
      await page.getByLabel('Add a step').selectOption('impute');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByLabel('Add a step').selectOption('standard-scale');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByLabel('Model', { exact: true }).selectOption('linear');
      await page.getByLabel('l2').fill('0.5');
      await shot(page, '5-by-hand');
      await page.getByRole('button', { name: 'Train this pipeline' }).click();
      await page.getByText('One pipeline, trained as you built it').waitFor();
      await page.getByTestId('run-state').filter({ hasText: 'done' }).waitFor({ timeout: 60_000 });
      await page.getByRole('link', { name: 'See the model and its report' }).click();
      await expect
        .poll(async () => (await page.textContent('h1')) ?? '')
        .toBe('Outcome: impute → standard-scale → linear');

      // An API token for scripts: shown once, works, and stops working once revoked.
      await page.getByRole('link', { name: 'API tokens' }).click();
      await page.getByLabel('Token name').fill('nightly scoring');
      await page.getByRole('button', { name: 'Make a token' }).click();
      const token = (await page.getByLabel('New token').textContent()) ?? '';
      expect(token).toMatch(/^gbx_/);
      const withToken = () => fetch(`${url}/api/projects`, { headers: { authorization: `Bearer ${token}` } });
      expect((await withToken()).status).toBe(200);
      await page.getByRole('button', { name: 'Revoke nightly scoring' }).click();
      await page.getByRole('button', { name: 'Revoke nightly scoring' }).waitFor({ state: 'detached' });
      expect((await withToken()).status).toBe(401);

      // Nothing came from anywhere but the server: no CDN.
      for (const r of requests) expect(r.startsWith(url) || r.startsWith('blob:')).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  }, 240_000);
});
