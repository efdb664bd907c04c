// A token's first value, written record → delivery Secret, with no pin in the token's status
// (the final status names it; docs/decisions.md, record 63). The hash record lives in the
// operator namespace, which only the controller writes, so the record is the pin: a delivery
// Secret is ours only if its value hashes to the record. Crash points: record without delivery
// Secret → the value never left the controller and is replaced; record and delivery Secret that
// agree → kept, the status follows; a delivery Secret the record does not vouch for → foreign.
import type { HashRecord } from "../../domain/hash-record.ts";
import { isAlreadyExists } from "../../k8s/errors.ts";
import type { KubeObject } from "../../k8s/object.ts";
import { SECRETS } from "../../k8s/paths.ts";
import { generateToken, hashToken, type TokenHash } from "../../tokens/index.ts";
import type { ControllerContext } from "../context.ts";
import { RequeueNowError } from "../runtime/errors.ts";
import { applySecret, createObject, deleteObject, readObject } from "../writes.ts";
import { deliverySecretState, recordState, type RecordState } from "./desired.ts";
import { planTokenValue } from "./value-plan.ts";
import type { DeliverySecretState } from "./desired.ts";

/** Where the first value goes and what the Secrets look like for a given value. */
export interface FirstValueTarget {
  tokenUid: string;
  /** The token's namespace and its delivery Secret's name (client-generated tokens keep). */
  namespace: string;
  secretName: string;
  recordName: string;
  record: RecordState;
  delivery: DeliverySecretState;
  desiredRecord: (hash: TokenHash) => KubeObject;
  desiredDelivery: (value: string, hash: TokenHash) => KubeObject;
}

export type FirstValueResult =
  | { kind: "written"; hash: TokenHash }
  | { kind: "conflict"; at: "delivery" | "record" }
  /** A 409 found our record and the delivery Secret holding its value: keep them. */
  | { kind: "keep"; record: HashRecord };

/** Generates a first value and writes its record, then its delivery Secret. */
export async function writeFirstValue(
  ctx: ControllerContext,
  target: FirstValueTarget,
): Promise<FirstValueResult> {
  const value = generateToken();
  const hash = hashToken(value);
  const wantedRecord = target.desiredRecord(hash);
  let record = target.record;
  let written: KubeObject | undefined;
  if (record.kind === "missing") {
    try {
      written = await createObject(ctx, SECRETS, wantedRecord);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      // Our cache lags (or a Secret is planted): decide again on what is really there.
      const found = await readBoth(ctx, target);
      const again = planTokenValue({
        clientHash: undefined,
        delivery: found.delivery,
        record: found.record,
        pinnedTokenId: undefined,
        expired: false,
      });
      if (again.kind === "conflict") return again;
      if (again.kind === "keep" && found.record.record) {
        return { kind: "keep", record: found.record.record };
      }
      if (found.record.kind !== "ours") throw new RequeueNowError("hash record changed hands");
      record = found.record;
    }
  }
  if (record.kind === "foreign") return { kind: "conflict", at: "record" };
  if (record.kind === "ours") {
    // An undelivered value (the delivery name was read free): replaced, never used.
    written = await applySecret(
      ctx,
      withVersion(wantedRecord, record.secret?.metadata?.resourceVersion),
    );
  }
  try {
    await createObject(ctx, SECRETS, target.desiredDelivery(value, hash));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    // Whatever holds the name does not hold the value just made: not ours, never used. The
    // record of a value nobody will ever have goes too (this very one: uid precondition).
    const uid = written?.metadata?.uid;
    await deleteObject(ctx, SECRETS, ctx.operatorNamespace, target.recordName, { uid });
    return { kind: "conflict", at: "delivery" };
  }
  return { kind: "written", hash };
}

async function readBoth(
  ctx: ControllerContext,
  target: FirstValueTarget,
): Promise<{ record: RecordState; delivery: DeliverySecretState }> {
  const [record, delivery] = await Promise.all([
    readObject(ctx, SECRETS, ctx.operatorNamespace, target.recordName),
    readObject(ctx, SECRETS, target.namespace, target.secretName),
  ]);
  return {
    record: recordState(record, target.tokenUid),
    delivery: deliverySecretState(delivery, target.tokenUid),
  };
}

/**
 * Server-side apply honours metadata.resourceVersion as a precondition: never clobber a Secret
 * that changed hands since we classified it.
 */
export function withVersion(secret: KubeObject, resourceVersion: string | undefined): KubeObject {
  return {
    ...secret,
    metadata: { ...secret.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
  };
}
