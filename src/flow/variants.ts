import { UserError } from "../core/userError";
import { applyVariant } from "./parseFlow";
import type { Flow } from "./types";
import { validateGraph } from "./validateFlow";

/** `default`, `all` (one variant at a time, like the LLMOps template), `product`, or `node.variant,...`. */
export type VariantSelection = string;

export interface VariantRun {
  /** Chosen variant per node that has variants (every such node is named). */
  label: Record<string, string>;
  flow: Flow;
}

/** `{summarize: "variant_1"}` → `summarize.variant_1`; `default` for a flow without variants. */
export function variantLabelText(label: Record<string, string>): string {
  const parts = Object.entries(label).map(([node, id]) => `${node}.${id}`);
  return parts.length > 0 ? parts.join(",") : "default";
}

function defaults(flow: Flow): Record<string, string> {
  return Object.fromEntries(Object.entries(flow.nodeVariants).map(([node, v]) => [node, v.defaultVariantId]));
}

function explicitLabel(flow: Flow, selection: string): Record<string, string> {
  const label = defaults(flow);
  for (const raw of selection.split(",")) {
    // Accept prompt flow's own spelling too: `${node.variant_id}`.
    const item = raw.trim().replace(/^\$\{(.*)\}$/, "$1");
    const dot = item.indexOf(".");
    const node = item.slice(0, dot);
    const id = item.slice(dot + 1);
    if (dot <= 0 || id.length === 0) {
      throw new UserError(`variant selection '${raw.trim()}': expected default, all, product or <node>.<variant_id>[,...]`);
    }
    const variants = flow.nodeVariants[node];
    if (!variants) {
      const known = Object.keys(flow.nodeVariants);
      throw new UserError(`${flow.file}: variant selection '${item}': node '${node}' has no variants (nodes with variants: ${known.join(", ") || "none"})`);
    }
    if (!(id in variants.variants)) {
      throw new UserError(`${flow.file}: variant selection '${item}': node '${node}' has no variant '${id}' (variants: ${Object.keys(variants.variants).join(", ")})`);
    }
    label[node] = id;
  }
  return label;
}

function labelsFor(flow: Flow, selection: string): Record<string, string>[] {
  const base = defaults(flow);
  const choice = selection.trim();
  if (choice === "" || choice === "default") return [base];
  if (choice === "all") {
    const labels = [base];
    for (const [node, variants] of Object.entries(flow.nodeVariants)) {
      for (const id of Object.keys(variants.variants)) {
        if (id !== variants.defaultVariantId) labels.push({ ...base, [node]: id });
      }
    }
    return labels;
  }
  if (choice === "product") {
    let labels: Record<string, string>[] = [{}];
    for (const [node, variants] of Object.entries(flow.nodeVariants)) {
      // Defaults first so the first run of a product is the default flow.
      const ids = [variants.defaultVariantId, ...Object.keys(variants.variants).filter((id) => id !== variants.defaultVariantId)];
      labels = labels.flatMap((label) => ids.map((id) => ({ ...label, [node]: id })));
    }
    return labels;
  }
  return [explicitLabel(flow, choice)];
}

/** The flow with the variants of `label` applied. */
export function applyVariants(flow: Flow, label: Record<string, string>): Flow {
  const nodes = flow.nodes.map((node) => {
    const variants = flow.nodeVariants[node.name];
    const id = label[node.name];
    return variants && id !== undefined ? applyVariant(node, id, variants.variants[id]) : node;
  });
  const resolved = { ...flow, nodes };
  validateGraph(resolved);
  return resolved;
}

/** Pure: the flows to run for a selection, each checked (references, cycles) with its variants applied. */
export function resolveVariants(flow: Flow, selection: VariantSelection): VariantRun[] {
  return labelsFor(flow, selection).map((label) => ({ label, flow: applyVariants(flow, label) }));
}
