import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import type { VegaLiteSpec } from './charts.js';

/**
 * A Vega-Lite chart as an SVG string, rendered without a browser or a network (the spec's data
 * are inline; no loader is ever asked for a URL).
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vg = compile(spec as never).spec;
  const view = new View(parse(vg), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
