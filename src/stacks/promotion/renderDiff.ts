import { escapeControlCharacters } from "../../core/controlCharacters";
import { defaultTextWidth, fittedTable, wrapParts } from "../textTable";
import { isRenameOnly } from "./environmentNames";
import type { Rename } from "./environmentNames";
import type { ArtifactRow, PromotionDiff, TrafficRow, ValueChange } from "./types";
import { formatValue } from "./valueDiff";

/**
 * Long values (Dockerfiles, JSON blobs, resource IDs) are cut in the middle so a diff stays readable and the
 * end of an ID or image reference (version, digest) stays visible; the --json file keeps them whole.
 */
const maxCell = 100;

function cell(value: unknown): string {
  const text = formatValue(value).replace(/\s+/g, " ");
  if (text.length <= maxCell) return text;
  const head = Math.floor(maxCell * 0.35);
  return `${text.slice(0, head)}…${text.slice(text.length - (maxCell - head - 1))}`;
}

function significant(changes: ValueChange[], renames: Rename[]): ValueChange[] {
  return changes.filter((change) => !isRenameOnly(change, renames));
}

function artifactNote(row: ArtifactRow, renames: Rename[]): string {
  if (row.from === undefined) return "added";
  if (row.to === undefined) return "removed";
  if (row.from === row.to) return "same";
  return isRenameOnly({ path: row.field, from: row.from, to: row.to }, renames) ? "same but per-environment names" : "differs";
}

function percent(value: number | undefined): string {
  return value === undefined ? "—" : `${value}%`;
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
  /** Per-resource detail: collapsed in markdown so the summary leads with the overview tables. */
  detail?: boolean;
}

function sections(diff: PromotionDiff): Section[] {
  const { from, to, renames } = diff;
  const result: Section[] = [];
  const resourceRows: string[][] = [
    ...diff.resources.added.map((resource) => ["+ added", resource.type, resource.name, ""]),
    ...diff.resources.removed.map((resource) => ["- removed", resource.type, resource.name, ""]),
  ];
  // Resources of one type with the very same differences (e.g. every uploaded flow file landing in another
  // storage account) are one row and one table.
  const groups = new Map<string, { type: string; names: string[]; real: ValueChange[]; hidden: number }>();
  let renamedOnly = 0;
  for (const change of diff.resources.changed) {
    const real = significant(change.changes, renames);
    if (real.length === 0) {
      renamedOnly++;
      continue;
    }
    const name = change.fromName === change.toName ? change.toName : `${change.fromName} → ${change.toName}`;
    const key = JSON.stringify([change.type, real]);
    const group = groups.get(key) ?? { type: change.type, names: [], real, hidden: change.changes.length - real.length };
    group.names.push(name);
    groups.set(key, group);
  }
  const details: Section[] = [];
  for (const group of groups.values()) {
    const name = group.names.length === 1 ? group.names[0] : `${group.names.length} resources (${group.names[0]}, …)`;
    const paths = group.real.map((value) => value.path).join(", ");
    resourceRows.push(["~ changed", group.type, name, group.hidden > 0 ? `${paths} (+${group.hidden} per-environment names or IDs)` : paths]);
    details.push({ title: `${group.type} ${name}`, header: ["input", from, to], rows: changeRows(group.real), detail: true });
  }
  const notes = [`${diff.resources.unchanged} resource(s) identical in both stacks.`];
  if (renamedOnly > 0) notes.push(`${renamedOnly} resource(s) differ only by per-environment names or generated IDs (${renames.map((rename) => `${rename.from} → ${rename.to}`).join(", ")}).`);
  result.push({
    title: `Resources (${to} compared with ${from})`,
    header: ["", "type", "name", "inputs that differ"],
    rows: resourceRows,
    note: notes.join(" "),
  });
  result.push(...details);
  result.push({
    title: "Traffic",
    header: ["endpoint", "deployment", `${from} live`, `${to} live`, `${from} mirror`, `${to} mirror`],
    rows: trafficRows(diff.traffic),
  });
  result.push({
    title: "Models and images",
    header: ["resource", "field", from, to, ""],
    rows: diff.artifacts.map((row) => [row.resource, row.field, cell(row.from), cell(row.to), artifactNote(row, renames)]),
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

/**
 * The promotion diff as plain-text tables for a terminal or a CI log, fitted to `width` columns: a row too wide
 * for one line is printed with each of its cells on a line of its own, labelled by its column.
 */
export function renderPromotionText(diff: PromotionDiff, width = defaultTextWidth): string {
  const lines: string[] = [escapeControlCharacters(`Promotion ${diff.from} → ${diff.to}`)];
  for (const section of sections(diff)) {
    lines.push("", ...wrapParts(escapeControlCharacters(`== ${section.title}`).split(" "), width, " "));
    if (section.rows.length === 0) lines.push("(no differences)");
    else lines.push(fittedTable(section.header, section.rows.map((row) => row.map(escapeControlCharacters)), width, undefined, "labelled"));
    if (section.note) lines.push(...wrapParts(escapeControlCharacters(section.note).split(" "), width, " "));
  }
  return `${lines.join("\n")}\n`;
}

function markdownCell(text: string): string {
  return escapeControlCharacters(text).replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The promotion diff as GitHub-flavoured markdown, for `$GITHUB_STEP_SUMMARY` or a PR comment. */
export function renderPromotionMarkdown(diff: PromotionDiff): string {
  const lines: string[] = [`## Promotion \`${diff.from}\` → \`${diff.to}\``];
  for (const section of sections(diff)) {
    if (section.detail) lines.push("", `<details><summary>${markdownCell(section.title)}</summary>`, "");
    else lines.push("", `### ${markdownCell(section.title)}`, "");
    if (section.rows.length === 0) {
      lines.push("_No differences._");
    } else {
      lines.push(`| ${section.header.map(markdownCell).join(" | ")} |`);
      lines.push(`| ${section.header.map(() => "---").join(" | ")} |`);
      for (const row of section.rows) lines.push(`| ${row.map(markdownCell).join(" | ")} |`);
    }
    if (section.note) lines.push("", markdownCell(section.note));
    if (section.detail) lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
