/**
 * Loaded by mocha before any test (package.json "mocha.require"). Tests must never leave 127.0.0.1, but a
 * DefaultAzureCredential built by mistake would probe the instance metadata service (169.254.169.254) for a
 * managed identity. Pointing the managed-identity endpoints at a closed loopback port makes such a credential fail
 * at once, locally, in this process and in every CLI process the tests spawn (they inherit the environment).
 * Tests that exercise managed identity set their own IDENTITY_ENDPOINT to a fake server, which wins.
 */
const closedLoopbackPort = "http://127.0.0.1:9";

const loopbackIdentity: Record<string, string> = {
  IDENTITY_ENDPOINT: `${closedLoopbackPort}/msi/token`,
  IDENTITY_HEADER: "test-suite",
  AZURE_POD_IDENTITY_AUTHORITY_HOST: closedLoopbackPort,
};

for (const [name, value] of Object.entries(loopbackIdentity)) {
  process.env[name] ??= value;
}
// Credentials from the developer's shell must not reach the tests either.
for (const name of ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "ARM_CLIENT_SECRET", "ARM_USE_OIDC"]) {
  delete process.env[name];
}
