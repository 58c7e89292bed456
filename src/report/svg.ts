import type { VegaLiteSpec } from './charts.js';

let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;

/**
 * A Vega-Lite chart as an SVG string, rendered without a browser or a network (the spec's data
 * are inline; no loader is ever asked for a URL).
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Loaded on the first chart: Vega is a fifth of the CLI's start-up, and most commands draw none.
  libraries ??= Promise.all([import('vega'), import('vega-lite')]);
  const [{ parse, View }, { compile }] = await libraries;
  const vg = compile(spec as never).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
