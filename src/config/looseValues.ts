import type { LooseBoolean, LooseNumber } from "./deploymentConfigTypes";

/** "90" / 90 → 90; "" / undefined → undefined. Values are schema-validated first, so digits only. */
export function looseNumber(value: LooseNumber | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  return typeof value === "number" ? value : Number(value);
}

export function looseBoolean(value: LooseBoolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === "true";
}

/** "" counts as not set: the template writes "" for unused keys. */
export function looseString(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
