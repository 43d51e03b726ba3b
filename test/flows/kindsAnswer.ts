import type { FakeRequest } from "../support/fakeOpenAiServer";

/**
 * The fake OpenAI server's rule for the sample flows in test/flows/kinds: JSON-mode calls classify the ticket
 * (with a key the prompty does not declare, which its outputs must drop); other calls say what they answered and
 * how many messages they got, so tests can see the chat history arrive.
 */
export function kindsAnswer(request: FakeRequest): string {
  const messages = (request.body.messages ?? []) as { role: string; content: string }[];
  const last = messages[messages.length - 1]?.content ?? "";
  if (request.body.response_format) return JSON.stringify({ category: last.includes("invoice") ? "billing" : "technical", confidence: 0.9, extra: 1 });
  return `answer to ${last} after ${messages.length} messages`;
}
