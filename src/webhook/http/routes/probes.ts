// /healthz (the process serves), /readyz (caches synced, not shutting down), /metrics.
import type { Request, Response } from "express";
import { errorMessage } from "../../../k8s/errors.ts";
import type { WebhookDeps } from "../deps.ts";

export function healthzHandler(): (req: Request, res: Response) => void {
  return (_req, res) => {
    res.type("text/plain").send("ok");
  };
}

export function readyzHandler(deps: WebhookDeps): (req: Request, res: Response) => void {
  return (_req, res) => {
    const ready = deps.isReady();
    res
      .status(ready ? 200 : 503)
      .type("text/plain")
      .send(ready ? "ok" : "caches not synced");
  };
}

export function metricsHandler(deps: WebhookDeps): (req: Request, res: Response) => Promise<void> {
  return async (_req, res) => {
    try {
      const text = await deps.metrics.registry.metrics();
      res.type(deps.metrics.registry.contentType).send(text);
    } catch (error) {
      deps.log.error({ err: errorMessage(error) }, "metrics collection failed");
      res.status(500).type("text/plain").send("metrics unavailable");
    }
  };
}
