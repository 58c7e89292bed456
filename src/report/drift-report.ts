import type { DriftResult, FeatureDrift } from '../evaluate/drift.js';

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLOURS = { green: '#1a7f37', amber: '#bf8700', red: '#cf222e' } as const;

const p = (v: number): string => (v < 1e-4 ? v.toExponential(1) : v.toFixed(4));

function row(f: FeatureDrift): string {
  return `<tr><td><span class="dot" style="background:${COLOURS[f.light]}" aria-label="${f.light}"></span> ${f.light}</td><td>${escapeHtml(f.name)}</td><td>${f.kind}</td><td>${f.psi.toFixed(3)}</td><td>${f.test} ${f.statistic.toFixed(3)}</td><td>${p(f.pValue)}</td><td>${escapeHtml(f.detail)}</td></tr>`;
}

/** A drift check as one self-contained page: a traffic light per column and for the predictions. */
export function driftHtml(d: DriftResult, title: string): string {
  const rows = [...(d.prediction ? [d.prediction] : []), ...[...d.features].sort((a, b) => b.psi - a.psi)];
  const t = d.thresholds;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;font-size:.92rem}
.dot{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;vertical-align:middle}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${d.rows} scored rows against ${d.referenceRows} training rows. ${d.drifted.length} of ${d.features.length} columns drifted${d.drifted.length ? `: ${d.drifted.map(escapeHtml).join(', ')}` : ''}${d.prediction?.drifted ? '; the predictions drifted too' : ''}.</p>
<p>Red: PSI at least ${t.psiRed} and the test rejects "no change" at ${t.alpha}; amber: PSI at least ${t.psiAmber} (and significant); green otherwise. PSI compares the shares of rows in the training deciles (numbers) or categories; the test is Kolmogorov–Smirnov for numbers and chi-square for categories.</p>
<table><thead><tr><th>light</th><th>column</th><th>kind</th><th>PSI</th><th>test statistic</th><th>p-value</th><th>largest change</th></tr></thead>
<tbody>${rows.map(row).join('\n')}</tbody></table></body></html>
`;
}
