/**
 * Horizontal SVG bar charts for report.html: one chart per metric, one bar per variant/deployment. Pure string
 * output with every label escaped; sizes are SVG attributes (no inline style, which the report's CSP forbids).
 */
import { formatNumber } from "../formatNumber";
import { escapeHtml } from "./escape";

export interface Bar {
  label: string;
  value: number;
}

const labelWidth = 210;
const barArea = 260;
const valueWidth = 80;
const rowHeight = 24;
const maxLabelChars = 30;

function shortLabel(label: string): string {
  return label.length <= maxLabelChars ? label : `${label.slice(0, maxLabelChars - 1)}…`;
}

/**
 * Bars share a scale from 0 to the chart's largest value, or 0..1 when every value is a fraction (so an accuracy
 * of 0.5 looks half full, not full). `lowerIsBetter` only changes the caption.
 */
export function renderBarChart(title: string, bars: Bar[], lowerIsBetter: boolean): string {
  const finite = bars.filter((bar) => Number.isFinite(bar.value));
  const largest = Math.max(0, ...finite.map((bar) => bar.value));
  const scale = finite.every((bar) => bar.value >= 0 && bar.value <= 1) ? 1 : largest || 1;
  const height = bars.length * rowHeight + 8;
  const width = labelWidth + barArea + valueWidth;
  const rows = bars.map((bar, index) => {
    const y = index * rowHeight + 4;
    const length = Number.isFinite(bar.value) ? Math.max(0, (bar.value / scale) * barArea) : 0;
    const label = escapeHtml(bar.label);
    return (
      `<g><title>${label}: ${escapeHtml(formatNumber(bar.value))}</title>` +
      `<text x="${labelWidth - 6}" y="${y + 15}" text-anchor="end" class="chart-label">${escapeHtml(shortLabel(bar.label))}</text>` +
      `<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${rowHeight - 8}" rx="2" class="bar bar-${index % 6}"/>` +
      `<text x="${(labelWidth + length + 6).toFixed(1)}" y="${y + 15}" class="chart-value">${escapeHtml(formatNumber(bar.value))}</text></g>`
    );
  });
  const caption = `${escapeHtml(title)} <span class="hint">(${lowerIsBetter ? "lower is better" : "higher is better"})</span>`;
  return (
    `<figure class="chart"><figcaption>${caption}</figcaption>` +
    `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(title)}">` +
    `${rows.join("")}</svg></figure>`
  );
}
