/** Tags that describe one build; only the build's own assets (model, data, environment versions) carry them. */
const buildTagKeys = ["flow-content-hash"];

/**
 * Tags for resources that outlive a build (endpoint, deployments, identities, Web App, autoscale). Without the
 * build's tags, a new flow version changes nothing on them, and a frozen prior deployment is never labelled
 * with a build it does not serve.
 */
export function longLivedTags(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([key]) => !buildTagKeys.includes(key)));
}
