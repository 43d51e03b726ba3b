import assert from "node:assert/strict";
import { convertInputs, InputError } from "../../src/flow/convertInputs";
import { coerceLlmParameters } from "../../src/flow/llmParameters";
import { pythonEquals, pythonStr } from "../../src/flow/pythonValues";
import type { FlowInput, FlowInputType } from "../../src/flow/types";

const input = (name: string, type: FlowInputType, def?: unknown): FlowInput => ({ name, type, default: def, isChatInput: false });

describe("flow/llmParameters", () => {
  it("coerces the string forms flows use", () => {
    assert.deepEqual(
      coerceLlmParameters({ max_tokens: "128", temperature: "0.1", top_p: 1, seed: "42", presence_penalty: "0", frequency_penalty: "-0.5" }),
      { max_tokens: 128, temperature: 0.1, top_p: 1, seed: 42, presence_penalty: 0, frequency_penalty: -0.5 },
    );
  });

  it("accepts stop as a string, a list or a JSON list string; empty values are left out", () => {
    assert.deepEqual(coerceLlmParameters({ stop: "###" }), { stop: ["###"] });
    assert.deepEqual(coerceLlmParameters({ stop: ["a", "b"] }), { stop: ["a", "b"] });
    assert.deepEqual(coerceLlmParameters({ stop: '["x"]' }), { stop: ["x"] });
    assert.deepEqual(coerceLlmParameters({ stop: [], max_tokens: "", temperature: null }), {});
  });

  it("accepts response_format as an object, a JSON string or a bare type", () => {
    assert.deepEqual(coerceLlmParameters({ response_format: { type: "json_object" } }), { response_format: { type: "json_object" } });
    assert.deepEqual(coerceLlmParameters({ response_format: '{"type": "json_object"}' }), { response_format: { type: "json_object" } });
    assert.deepEqual(coerceLlmParameters({ response_format: "text" }), { response_format: { type: "text" } });
  });

  it("refuses values that are not numbers, fractional integers and tool calling", () => {
    assert.throws(() => coerceLlmParameters({ temperature: "warm" }), /'temperature' must be a number, found "warm"/);
    assert.throws(() => coerceLlmParameters({ max_tokens: "12.5" }), /'max_tokens' must be an integer/);
    assert.throws(() => coerceLlmParameters({ response_format: "{oops" }), /not valid JSON/);
    assert.throws(() => coerceLlmParameters({ tools: [{ type: "function" }] }), /does not support tool\/function calling/);
  });
});

describe("flow/convertInputs", () => {
  const declared = {
    s: input("s", "string"),
    i: input("i", "int", 7),
    d: input("d", "double", 0.5),
    b: input("b", "bool", false),
    l: input("l", "list", []),
    o: input("o", "object", {}),
  };

  it("converts by declared type like prompt flow (str(), int(), float(), JSON)", () => {
    const out = convertInputs(declared, { s: 4.5, i: "42", d: "3", b: "True", l: "[1, 2]", o: '{"a": 1}', extra: "ignored" });
    assert.deepEqual(out, { s: "4.5", i: 42, d: 3, b: true, l: [1, 2], o: { a: 1 } });
    assert.equal(convertInputs({ s: input("s", "string") }, { s: true }).s, "True");
    assert.equal(convertInputs({ s: input("s", "string") }, { s: { k: [1, null] } }).s, "{'k': [1, None]}");
    assert.equal(convertInputs({ i: input("i", "int") }, { i: 4.9 }).i, 4);
  });

  it("keeps a non-JSON string for object inputs but fails a non-JSON list", () => {
    assert.equal(convertInputs({ o: input("o", "object") }, { o: "not json" }).o, "not json");
    assert.throws(() => convertInputs({ l: input("l", "list") }, { l: "not json" }), InputError);
    assert.throws(() => convertInputs({ l: input("l", "chat_history") }, { l: '{"a":1}' }), /expected a list/);
  });

  it("uses defaults for missing inputs and fails when there is none", () => {
    const out = convertInputs(declared, { s: "x" });
    assert.deepEqual(out, { s: "x", i: 7, d: 0.5, b: false, l: [], o: {} });
    assert.throws(() => convertInputs(declared, {}), (e: unknown) => e instanceof InputError && /input 's' is missing and has no default/.test(e.message));
  });

  it("fails unconvertible values with the input's name", () => {
    assert.throws(() => convertInputs({ i: input("i", "int") }, { i: "4.5" }), /input 'i' of type int/);
    assert.throws(() => convertInputs({ d: input("d", "double") }, { d: "abc" }), /input 'd' of type double/);
    assert.throws(() => convertInputs({ b: input("b", "bool") }, { b: "maybe" }), /input 'b' of type bool/);
    // Prompt flow's bool accepts a bool or "true"/"false" (any case) only.
    assert.equal(convertInputs({ b: input("b", "bool") }, { b: "FALSE" }).b, false);
    for (const b of [1, 0, "1", " true"]) assert.throws(() => convertInputs({ b: input("b", "bool") }, { b }), /input 'b' of type bool/);
  });
});

describe("flow/pythonValues", () => {
  it("compares like Python ==", () => {
    assert.equal(pythonEquals(true, 1), true);
    assert.equal(pythonEquals(1, 1.0), true);
    assert.equal(pythonEquals("1", 1), false);
    assert.equal(pythonEquals("true", true), false);
    assert.equal(pythonEquals(null, null), true);
    assert.equal(pythonEquals([1, { a: "x" }], [true, { a: "x" }]), true);
    assert.equal(pythonEquals({ a: 1 }, { a: 1, b: 2 }), false);
  });

  it("prints like Python str()", () => {
    assert.equal(pythonStr(false), "False");
    assert.equal(pythonStr(null), "None");
    assert.equal(pythonStr(["it's", 2]), `["it's", 2]`);
  });
});
