// The pin: before a token's value exists anywhere, the controller records which value it will
// be (status.tokenId), when it was made and for which ServiceUser uid, through the status
// subresource that only the controller writes. Secrets are trusted only if they hold it.
import {
  parseServiceToken,
  ReadyReason,
  SERVICE_TOKENS,
  type ServiceToken,
} from "../../api/index.ts";
import { statusConditions, type ReadyVerdict } from "../conditions.ts";
import type { ControllerContext } from "../context.ts";
import { mergePatch } from "../writes.ts";

const GENERATING: ReadyVerdict = {
  ready: false,
  reason: ReadyReason.Generating,
  message: "The token's value is being generated.",
};

/** Writes the pin (and, on a token's first status, Reconciling/Generating) if it changed. */
export async function pinValue(
  ctx: ControllerContext,
  token: ServiceToken,
  pin: { tokenId: string; createdAt: string; serviceUserUid: string | undefined },
): Promise<ServiceToken> {
  const status = token.status ?? {};
  const wanted = Object.fromEntries(Object.entries(pin).filter(([, v]) => v !== undefined));
  const differs = Object.entries(wanted).some(
    ([key, v]) => status[key as keyof typeof status] !== v,
  );
  if (!differs) return token;
  const { namespace, name } = token.metadata;
  // The first status a token gets says it is in progress: kstatus (Flux, kubectl wait) reads a
  // status without conditions as Current, which a half-made token is not.
  const conditions =
    status.conditions === undefined
      ? statusConditions(
          undefined,
          GENERATING,
          token.metadata.generation,
          new Date(ctx.clock.now()),
        )
      : undefined;
  const updated = await mergePatch(
    ctx,
    SERVICE_TOKENS,
    { namespace, name, subresource: "status" },
    { status: { ...wanted, ...(conditions ? { conditions } : {}) } },
  );
  return parseServiceToken(updated);
}
