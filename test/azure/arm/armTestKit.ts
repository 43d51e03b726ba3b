import { ArmClient, ArmClientOptions } from "../../../src/azure/arm/armClient";
import type { Clock } from "../../../src/core/clock";
import type { EndpointKey, FakeArmServer } from "../../support/fakeArmServer";

/** A clock whose sleeps return at once and move time forward, so tests assert waits without waiting. */
export interface FakeClock extends Clock {
  sleeps: number[];
}

export function fakeClock(): FakeClock {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

export const testToken = "test-token-5f1d9c";

export function clientFor(server: FakeArmServer, clock: FakeClock, options: Partial<ArmClientOptions> = {}): ArmClient {
  return new ArmClient({
    baseUrl: server.baseUrl,
    getToken: async () => testToken,
    clock,
    random: () => 0,
    pollIntervalMs: 5_000,
    retry: { baseDelayMs: 1_000 },
    ...options,
  });
}

export const endpointKey: EndpointKey = {
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroupName: "rg-llmops",
  workspaceName: "mlw-llmops",
  endpointName: "support-classifier",
};

export const endpointPath =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-llmops/providers/" +
  "Microsoft.MachineLearningServices/workspaces/mlw-llmops/onlineEndpoints/support-classifier";
