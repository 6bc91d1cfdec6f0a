/** Server-rendered SVG bar charts (no script; colours come from the stylesheet). */
import { html } from 'hono/html';
import type { Html } from './layout.js';

export interface Bar {
  label: string;
  value: number;
  /** Read out and shown on hover. */
  title: string;
  /** Written above a column whose value is not zero (e.g. "$0.13"). */
  valueLabel?: string;
}

/** Vertical bars, e.g. one per day. */
export function columnChart(bars: Bar[], caption: string): Html {
  const width = 640;
  const height = 180;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const step = width / Math.max(bars.length, 1);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height + 20}" role="img" aria-label="${caption}">
<line class="axis" x1="0" y1="${height}" x2="${width}" y2="${height}"></line>
${bars.map((b, i) => {
  const h = Math.round((b.value / max) * (height - 10));
  const x = (i * step + step * 0.15).toFixed(1);
  const middle = i * step + step / 2;
  // Near the edges the label is anchored inside the chart rather than cut off.
  const anchor = middle > width - 24 ? 'end' : middle < 24 ? 'start' : 'middle';
  const value =
    b.valueLabel !== undefined && b.value > 0
      ? html`<text class="value" x="${anchor === 'end' ? width - 1 : anchor === 'start' ? 1 : middle.toFixed(1)}" y="${Math.max(height - h - 3, 9)}" text-anchor="${anchor}">${b.valueLabel}</text>`
      : '';
  return html`<rect class="bar" x="${x}" y="${height - h}" width="${(step * 0.7).toFixed(1)}" height="${h}"><title>${b.title}</title></rect>${value}${
    i % Math.ceil(bars.length / 6) === 0 ? html`<text x="${x}" y="${height + 14}">${b.label}</text>` : ''
  }`;
})}
</svg>`;
}

/** Horizontal bars with their labels, e.g. one per model. */
export function barChart(bars: Bar[], caption: string): Html {
  const width = 640;
  const row = 28;
  const labelWidth = 120;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  return html`<svg class="chart" viewBox="0 0 ${width} ${Math.max(bars.length, 1) * row}" role="img" aria-label="${caption}">
${bars.map((b, i) => {
  const w = Math.round((b.value / max) * (width - labelWidth - 110));
  return html`<text x="0" y="${i * row + 18}">${b.label}</text><rect class="bar" x="${labelWidth}" y="${i * row + 6}" width="${w}" height="16"><title>${b.title}</title></rect><text x="${labelWidth + w + 6}" y="${i * row + 18}">${b.title}</text>`;
})}
</svg>`;
}
