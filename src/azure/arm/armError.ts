import { UserError } from "../../core/userError";
import { isRecord } from "../../core/values";

/**
 * ARM refused a request or a long-running operation ended in Failed/Canceled. Carries ARM's own `error.code`
 * and `error.message` so the user sees what Azure said (AuthorizationFailed, BadArgument, ...). It is a
 * UserError: these are fixed by permissions, quotas or config, not by changing this program. The message never
 * contains the bearer token (the client never puts it anywhere but the Authorization header).
 */
export class ArmError extends UserError {
  override readonly name = "ArmError";
  constructor(
    /** e.g. "PUT /subscriptions/.../onlineEndpoints/chat" or "operation .../mfeOperationsStatus/..." */
    readonly operation: string,
    /** HTTP status of the failing response; undefined when an async operation reported Failed/Canceled. */
    readonly status: number | undefined,
    readonly code: string,
    readonly armMessage: string,
  ) {
    super(`ARM ${operation} failed${status === undefined ? "" : ` (HTTP ${status})`}: ${code}: ${armMessage}`);
  }
}

export interface ArmErrorDetail {
  code: string;
  message: string;
}

/** Reads `{error: {code, message}}` (ARM's error contract) out of a parsed body; falls back to the status. */
export function armErrorDetail(body: unknown, fallbackCode: string): ArmErrorDetail {
  if (isRecord(body)) {
    const error = isRecord(body.error) ? body.error : body;
    const code = typeof error.code === "string" && error.code !== "" ? error.code : fallbackCode;
    const message = typeof error.message === "string" && error.message !== "" ? error.message : "no message from ARM";
    return { code, message };
  }
  return { code: fallbackCode, message: typeof body === "string" && body !== "" ? body.slice(0, 500) : "no message from ARM" };
}

/**
 * ARM answers 409 for two different things: a real conflict (e.g. RoleAssignmentExists), which retrying never
 * fixes, and "another operation is in progress on this resource", which clears by itself. Only the second is
 * retried. Resource providers word it differently, hence the code list plus a message check.
 */
export function isOperationInProgressConflict(code: string | undefined, message: string | undefined): boolean {
  const knownCodes = ["AnotherOperationInProgress", "OperationInProgress", "ResourceBusy", "ConflictingOperationInProgress"];
  if (code !== undefined && knownCodes.some((known) => known.toLowerCase() === code.toLowerCase())) return true;
  const text = message ?? "";
  return /operation[^.]*in progress|in progress[^.]*operation|is (currently )?being (updated|created|deleted|provisioned)/i.test(text);
}
