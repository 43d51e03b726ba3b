/**
 * One span and two metrics per scored request, through the OpenTelemetry API. Without an SDK registered (no
 * APPLICATIONINSIGHTS_CONNECTION_STRING) every call is a no-op; with `useAzureMonitor` registered by the command,
 * spans arrive in Application Insights as dependencies of the HTTP request span, and the metrics as custom
 * metrics. Attributes carry names, ids and status only: never inputs, outputs or headers.
 */
import { metrics, SpanStatusCode, trace, type Attributes } from "@opentelemetry/api";
import { isRecord } from "../core/values";

export interface ScoreTelemetry {
  /** Starts the flow's span; the returned function ends it with the response's status. */
  start(attributes: { flow: string; requestId: string }): (result: { statusCode: number; errorType?: string }) => void;
  /** Prompt flow's feedback span: the body as one attribute, or (flatten) each top-level key as its own. */
  feedback(body: string, flatten: boolean): void;
}

/** Attribute values are bounded: feedback is free text from clients. */
const maxAttributeLength = 8192;

function attributeValue(value: unknown): string | number | boolean {
  if (typeof value === "string") return value.slice(0, maxAttributeLength);
  if (typeof value === "number" || typeof value === "boolean") return value;
  return JSON.stringify(value).slice(0, maxAttributeLength);
}

export function openTelemetryScoreTelemetry(): ScoreTelemetry {
  const tracer = trace.getTracer("llmops-serve");
  const meter = metrics.getMeter("llmops-serve");
  const requests = meter.createCounter("llmops.serve.requests", { description: "Scored requests by flow and HTTP status" });
  const duration = meter.createHistogram("llmops.serve.duration", { description: "Time to answer a scored request", unit: "ms" });
  return {
    start({ flow, requestId }) {
      const started = performance.now();
      const span = tracer.startSpan(`flow ${flow}`, { attributes: { "llmops.flow": flow, "llmops.request_id": requestId } });
      return ({ statusCode, errorType }) => {
        const attributes: Attributes = { "llmops.flow": flow, "http.response.status_code": statusCode };
        if (errorType !== undefined) attributes["error.type"] = errorType;
        span.setAttributes(attributes);
        if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(errorType !== undefined ? { message: errorType } : {}) });
        span.end();
        requests.add(1, attributes);
        duration.record(performance.now() - started, attributes);
      };
    },
    feedback(body, flatten) {
      const span = tracer.startSpan("promptflow-feedback");
      let parsed: unknown;
      try {
        parsed = flatten ? JSON.parse(body) : undefined;
      } catch {
        parsed = undefined;
      }
      if (isRecord(parsed)) {
        for (const [key, value] of Object.entries(parsed)) span.setAttribute(key, attributeValue(value));
      } else {
        span.setAttribute("feedback", attributeValue(body));
      }
      span.end();
    },
  };
}
