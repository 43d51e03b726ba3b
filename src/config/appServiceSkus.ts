/**
 * Linux App Service plan SKU name → tier, as ARM's SkuDescription wants both. Matching is case-insensitive.
 * Shared (D1) is left out: it exists for Windows plans only, and the flow runs on a Linux (reserved) plan.
 */
const tiers: Record<string, string> = {
  F1: "Free",
  B1: "Basic",
  B2: "Basic",
  B3: "Basic",
  S1: "Standard",
  S2: "Standard",
  S3: "Standard",
  P1V2: "PremiumV2",
  P2V2: "PremiumV2",
  P3V2: "PremiumV2",
  P0V3: "PremiumV3",
  P1V3: "PremiumV3",
  P2V3: "PremiumV3",
  P3V3: "PremiumV3",
  P1MV3: "PremiumMV3",
  P2MV3: "PremiumMV3",
  P3MV3: "PremiumMV3",
  P4MV3: "PremiumMV3",
  P5MV3: "PremiumMV3",
  P0V4: "PremiumV4",
  P1V4: "PremiumV4",
  P2V4: "PremiumV4",
  P3V4: "PremiumV4",
  I1V2: "IsolatedV2",
  I2V2: "IsolatedV2",
  I3V2: "IsolatedV2",
};

export const defaultWebAppSku = "B1";

/** Azure's spelling: "P1v3", not "P1V3". */
function canonicalName(upper: string): string {
  return upper.replace(/MV(\d)$/, "mv$1").replace(/V(\d)$/, "v$1");
}

export function appServiceSku(name: string): { name: string; tier: string } | undefined {
  const upper = name.toUpperCase();
  const tier = tiers[upper];
  return tier === undefined ? undefined : { name: canonicalName(upper), tier };
}

export function knownAppServiceSkus(): string[] {
  return Object.keys(tiers).map(canonicalName);
}
