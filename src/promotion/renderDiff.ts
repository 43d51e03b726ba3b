import type { PromotionDiff, TrafficRow, ValueChange } from "./types";
import { formatValue } from "./valueDiff";

/** Long values (Dockerfiles, JSON blobs) are cut so a diff stays readable; the --json file keeps them whole. */
const maxCell = 120;

function cell(value: unknown): string {
  const text = formatValue(value).replace(/\s+/g, " ");
  return text.length > maxCell ? `${text.slice(0, maxCell - 1)}…` : text;
}

function percent(value: number | undefined): string {
  return value === undefined ? "—" : `${value}%`;
}

function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (row: string[]): string => row.map((value, column) => value.padEnd(widths[column])).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)];
}

function changeRows(changes: ValueChange[]): string[][] {
  return changes.map((change) => [change.path, cell(change.from), cell(change.to)]);
}

function trafficRows(rows: TrafficRow[]): string[][] {
  return rows.map((row) => [
    row.endpoint,
    row.deployment,
    percent(row.fromTraffic),
    percent(row.toTraffic),
    percent(row.fromMirror),
    percent(row.toMirror),
  ]);
}

interface Section {
  title: string;
  header: string[];
  rows: string[][];
  note?: string;
}

function sections(diff: PromotionDiff): Section[] {
  const { from, to } = diff;
  const result: Section[] = [];
  const resourceRows: string[][] = [
    ...diff.resources.added.map((resource) => ["+ added", resource.type, resource.name, ""]),
    ...diff.resources.removed.map((resource) => ["- removed", resource.type, resource.name, ""]),
    ...diff.resources.changed.map((change) => [
      "~ changed",
      change.type,
      change.fromName === change.toName ? change.toName : `${change.fromName} → ${change.toName}`,
      change.changes.map((value) => value.path).join(", "),
    ]),
  ];
  result.push({
    title: `Resources (${to} compared with ${from})`,
    header: ["", "type", "name", "inputs that differ"],
    rows: resourceRows,
    note: `${diff.resources.unchanged} resource(s) identical in both stacks.`,
  });
  for (const change of diff.resources.changed) {
    if (change.changes.length === 0) continue;
    result.push({
      title: `${change.type} ${change.toName}`,
      header: ["input", from, to],
      rows: changeRows(change.changes),
    });
  }
  result.push({
    title: "Traffic",
    header: ["endpoint", "deployment", `${from} live`, `${to} live`, `${from} mirror`, `${to} mirror`],
    rows: trafficRows(diff.traffic),
  });
  result.push({
    title: "Models and images",
    header: ["resource", "field", from, to],
    rows: diff.artifacts.map((row) => [row.resource, row.field, cell(row.from), cell(row.to)]),
  });
  result.push({
    title: `Stack config (Pulumi.${from}.yaml → Pulumi.${to}.yaml)`,
    header: ["key", from, to],
    rows: changeRows(diff.stackConfig),
  });
  for (const section of diff.deploymentConfig) {
    const missing = section.missingIn === undefined ? undefined : section.missingIn === "from" ? from : to;
    result.push({
      title: `deployment_config.json ${section.section}`,
      header: ["key", from, to],
      rows: changeRows(section.changes),
      note: missing === undefined ? undefined : `No ${section.section} entry for stack ${missing}'s environment.`,
    });
  }
  return result;
}

/** The promotion diff as plain-text tables for a terminal or a CI log. */
export function renderPromotionText(diff: PromotionDiff): string {
  const lines: string[] = [`Promotion ${diff.from} → ${diff.to}`];
  for (const section of sections(diff)) {
    lines.push("", `== ${section.title}`);
    if (section.rows.length === 0) lines.push("(no differences)");
    else lines.push(...textTable(section.header, section.rows));
    if (section.note) lines.push(section.note);
  }
  return `${lines.join("\n")}\n`;
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The promotion diff as GitHub-flavoured markdown, for `$GITHUB_STEP_SUMMARY` or a PR comment. */
export function renderPromotionMarkdown(diff: PromotionDiff): string {
  const lines: string[] = [`## Promotion \`${diff.from}\` → \`${diff.to}\``];
  for (const section of sections(diff)) {
    lines.push("", `### ${markdownCell(section.title)}`, "");
    if (section.rows.length === 0) {
      lines.push("_No differences._");
    } else {
      lines.push(`| ${section.header.map(markdownCell).join(" | ")} |`);
      lines.push(`| ${section.header.map(() => "---").join(" | ")} |`);
      for (const row of section.rows) lines.push(`| ${row.map(markdownCell).join(" | ")} |`);
    }
    if (section.note) lines.push("", markdownCell(section.note));
  }
  return `${lines.join("\n")}\n`;
}
