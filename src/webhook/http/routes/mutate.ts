// POST /mutate: the mutating admission webhook for ServiceToken CREATE (record 64). It adds the
// controller's finalizer and the owner reference to the cached ServiceUser, so the controller
// makes no metadata write per token. Only an optimisation: registered with failurePolicy Ignore,
// and the controller still patches whatever is missing. Never refuses anything.
import type { Request, Response } from "express";
import { errorMessage } from "../../../k8s/errors.ts";
import { parseAdmissionReview } from "../../admission/review.ts";
import { tokenCreateDefaults, type JsonPatchAdd } from "../../admission/token-create-defaults.ts";
import type { WebhookDeps } from "../deps.ts";
import { sendStatus } from "../http-errors.ts";

export function mutateHandler(deps: WebhookDeps): (req: Request, res: Response) => void {
  return (req, res) => {
    const parsed = parseAdmissionReview(req.body);
    if (!parsed.ok) {
      deps.metrics.rejectedRequests.inc({ route: "mutate", code: 400 });
      sendStatus(res, 400, parsed.reason);
      return;
    }
    const request = parsed.value;
    let patch: JsonPatchAdd[] = [];
    try {
      patch = tokenCreateDefaults(request, (name) => deps.facts.serviceUser(name));
    } catch (error) {
      // Allowed unchanged: the controller adds what is missing.
      deps.log.error({ uid: request.uid, err: errorMessage(error) }, "mutation failed internally");
    }
    res.json({
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: {
        uid: request.uid,
        allowed: true,
        ...(patch.length > 0
          ? {
              patchType: "JSONPatch",
              patch: Buffer.from(JSON.stringify(patch)).toString("base64"),
            }
          : {}),
      },
    });
  };
}
