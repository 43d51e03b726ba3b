import assert from "node:assert/strict";
import { isOperationInProgressConflict } from "../../../src/azure/arm/armError";

describe("ARM 409 conflicts", () => {
  it("tells an in-progress 409 from a real conflict", () => {
    assert.equal(isOperationInProgressConflict("AnotherOperationInProgress", ""), true);
    assert.equal(isOperationInProgressConflict("Conflict", "Another operation is in progress on this endpoint."), true);
    assert.equal(isOperationInProgressConflict("UserError", "Endpoint x is currently being updated"), true);
    assert.equal(isOperationInProgressConflict("RoleAssignmentExists", "The role assignment already exists."), false);
  });
});
