/** Azure built-in roles this tool grants or accepts by name (GUIDs are the same in every tenant). */
export interface BuiltInRole {
  name: string;
  guid: string;
  /** A Key Vault data-plane role: vaults in access-policy mode ignore it, so it becomes an access policy. */
  keyVaultData?: boolean;
}

export const builtInRoles: readonly BuiltInRole[] = [
  { name: "AcrPull", guid: "7f951dda-4ed3-4680-a7ca-43fe172d538d" },
  { name: "AcrPush", guid: "8311e382-0749-4cb8-b61a-304f252e45ec" },
  { name: "AzureML Data Scientist", guid: "f6c7c914-8db3-469d-8ca1-694a8f32e121" },
  { name: "Azure Machine Learning Workspace Connection Secrets Reader", guid: "ea01e6af-a1c1-4350-9563-ad00f8c72ec5" },
  { name: "Key Vault Secrets User", guid: "4633458b-17de-408a-b874-0445c86b69e6", keyVaultData: true },
  { name: "Key Vault Secrets Officer", guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", keyVaultData: true },
  { name: "Key Vault Reader", guid: "21090545-7ca7-4776-b22c-e363652d74d2" },
  { name: "Cognitive Services OpenAI User", guid: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd" },
  { name: "Storage Blob Data Reader", guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" },
  { name: "Storage Blob Data Contributor", guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe" },
  { name: "Reader", guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7" },
];

const guidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A role by name (case-insensitive) or by GUID; an unknown GUID is kept as its own name. */
export function findRole(nameOrGuid: string): BuiltInRole | undefined {
  const wanted = nameOrGuid.trim().toLowerCase();
  const known = builtInRoles.find((r) => r.name.toLowerCase() === wanted || r.guid === wanted);
  if (known) return known;
  return guidPattern.test(nameOrGuid) ? { name: wanted, guid: wanted } : undefined;
}
