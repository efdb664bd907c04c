// ServiceToken (namespaced): an API token of one ServiceUser. Descriptions here are what
// `kubectl explain servicetoken` prints; CEL rules here are what the API server enforces.
import { z } from "zod";
import { TOKEN_HASH_PATTERN } from "../tokens/index.ts";
import {
  conditions,
  dnsSubdomainName,
  NamespacedObjectMetaSchema,
  observedGeneration,
  timestamp,
  uniqueList,
} from "./common.ts";
import { API_GROUP_VERSION, SERVICE_TOKEN_KIND, ServiceTokenPhase } from "./constants.ts";
import { celRules, fixedPresence, immutableValue } from "./kubernetes-extensions.ts";

/** First 16 hex digits of the token hash: a public handle, safe in logs. */
export const TOKEN_ID_PATTERN = /^[0-9a-f]{16}$/;

// Why each immutable field is fixed, and what to do instead; one text for both rules per field.
const fixedBecause = {
  serviceUser:
    "a token belongs to one ServiceUser for life; create a new ServiceToken for the other user",
  expiresInDays: "a token's lifetime is fixed at generation; create a new ServiceToken instead",
  audiences: "a token's audiences are fixed at generation; create a new ServiceToken instead",
  secretName:
    "a token is delivered to one Secret for life; create a new ServiceToken to deliver elsewhere",
  tokenHash:
    "a client-generated token stays client-generated; create a new ServiceToken for a generated one",
} as const;

export const TOKEN_HASH_WITH_SECRET_NAME_MESSAGE =
  "spec.secretName cannot be set together with spec.tokenHash: a client-generated token is " +
  "never stored in the cluster, so it has no delivery Secret";

export const ROTATION_EVERY_DAYS_WITH_TOKEN_HASH_MESSAGE =
  "spec.rotation.everyDays cannot be set together with spec.tokenHash: the controller cannot " +
  "generate a value the client holds; rotate it by changing spec.tokenHash " +
  "(kubectl svctokens rotate)";

/** spec.rotation: when the controller replaces the value, and how long the old one stays valid. */
export const TokenRotationSchema = z
  .object({
    everyDays: z
      .int()
      .min(1)
      .max(365)
      .optional()
      .describe(
        "Rotate the value every this many days (1-365), counted from when the current value " +
          "was generated (status.currentValueCreatedAt). Absent: only on request.",
      ),
    overlapMinutes: z
      .int()
      .min(0)
      .max(10080)
      .default(60)
      .describe(
        "How long the previous value keeps authenticating after a rotation (0-10080 minutes, " +
          "default 60), so workloads re-read the delivery Secret without a failed request.",
      ),
  })
  .describe(
    "Rotation with overlap: a new value replaces the old one in the same delivery Secret " +
      "(or, for spec.tokenHash, an Admin changes the hash); the token's expiry does not move. " +
      "An Admin requests one with the annotation svctokens.dev/rotate-requested-at.",
  );
export type TokenRotation = z.infer<typeof TokenRotationSchema>;

export const ServiceTokenSpecSchema = z
  .object({
    serviceUser: dnsSubdomainName.meta({
      description: "Name of the ServiceUser this token belongs to and authenticates as. Immutable.",
      ...celRules(immutableValue("serviceUser", fixedBecause.serviceUser)),
    }),
    description: z
      .string()
      .max(1024)
      .optional()
      .describe("What the token is used for, e.g. 'deploys from the prod CI pipeline'."),
    expiresInDays: z
      .int()
      .min(1)
      .max(365)
      .optional()
      .meta({
        description:
          "Lifetime in days (1-365), counted from generation. Absent: the token never expires " +
          "(unless the operator enforces a maximum lifetime). Immutable: no edit, no renewal.",
        ...celRules(immutableValue("expiresInDays", fixedBecause.expiresInDays)),
      }),
    revoked: z
      .boolean()
      .default(false)
      .describe(
        "Set to true to revoke the token (effective at once), back to false to restore it. " +
          "An expired token cannot be restored: create a new one.",
      ),
    audiences: uniqueList(z.string().min(1).max(253).describe("An audience, e.g. 'scim'."))
      .min(1)
      .max(16)
      .optional()
      .meta({
        description:
          "Audiences the token is restricted to, each unique. Absent: any audience. " +
          "[scim] makes it a SCIM token. Immutable.",
        ...celRules(immutableValue("audiences", fixedBecause.audiences)),
      }),
    secretName: dnsSubdomainName.optional().meta({
      description:
        "Secret in this namespace that receives the token value. Absent: " +
        "`<metadata.name>-token` (the controller applies that default and reports the name in " +
        "status.secretName; spec stays unset). Not allowed with tokenHash. Immutable.",
      ...celRules(immutableValue("secretName", fixedBecause.secretName)),
    }),
    tokenHash: z
      .string()
      .max(71)
      .regex(TOKEN_HASH_PATTERN)
      .optional()
      .meta({
        description:
          "For a token generated by the client: `sha256:` and the 64 lowercase hex digits of " +
          "the SHA-256 of the token value. The value itself is never stored in the cluster and " +
          "no delivery Secret is written. An Admin changing it rotates the token: the old " +
          "hash stays valid for spec.rotation.overlapMinutes. Cannot be added or removed.",
      }),
    rotation: TokenRotationSchema.optional(),
  })
  .refine((spec) => spec.tokenHash === undefined || spec.secretName === undefined, {
    message: TOKEN_HASH_WITH_SECRET_NAME_MESSAGE,
    path: ["secretName"],
  })
  .refine((spec) => spec.tokenHash === undefined || spec.rotation?.everyDays === undefined, {
    message: ROTATION_EVERY_DAYS_WITH_TOKEN_HASH_MESSAGE,
    path: ["rotation"],
  })
  .meta({
    description: "Desired state of the Service Token.",
    ...celRules(
      fixedPresence("expiresInDays", fixedBecause.expiresInDays),
      fixedPresence("audiences", fixedBecause.audiences),
      fixedPresence("secretName", fixedBecause.secretName),
      fixedPresence("tokenHash", fixedBecause.tokenHash),
      {
        rule: "!has(self.tokenHash) || !has(self.secretName)",
        message: TOKEN_HASH_WITH_SECRET_NAME_MESSAGE,
        fieldPath: ".secretName",
      },
      {
        rule: "!has(self.tokenHash) || !has(self.rotation) || !has(self.rotation.everyDays)",
        message: ROTATION_EVERY_DAYS_WITH_TOKEN_HASH_MESSAGE,
        fieldPath: ".rotation",
      },
    ),
  });
export type ServiceTokenSpec = z.infer<typeof ServiceTokenSpecSchema>;

export const ServiceTokenStatusSchema = z
  .object({
    phase: z.enum(ServiceTokenPhase).optional().describe("Active, Revoked or Expired."),
    tokenId: z
      .string()
      .max(16)
      .regex(TOKEN_ID_PATTERN)
      .optional()
      .describe(
        "Public handle of the token: the first 16 hex digits of its hash. Not a secret: safe " +
          "in logs and tickets. Written before the value exists anywhere: a hash record whose " +
          "hash does not start with it does not authenticate.",
      ),
    username: z
      .string()
      .max(512)
      .optional()
      .describe("The username the token authenticates as: `<spec.serviceUser>@service`."),
    secretName: dnsSubdomainName
      .optional()
      .describe(
        "Secret in this namespace holding the token value; absent for a client-generated " +
          "token (spec.tokenHash).",
      ),
    createdAt: timestamp
      .optional()
      .describe(
        "When the token value was generated (RFC 3339). Written by the controller before the " +
          "value exists anywhere; expiry is counted from here.",
      ),
    serviceUserUid: z
      .string()
      .max(128)
      .optional()
      .describe(
        "metadata.uid of the ServiceUser the token was generated for. A ServiceUser deleted " +
          "and recreated under the same name has another uid: the token does not authenticate " +
          "as it.",
      ),
    expiresAt: timestamp
      .optional()
      .describe("When the token expires (RFC 3339); absent: it never expires."),
    expiresIn: z
      .string()
      .max(16)
      .optional()
      .describe(
        "Time left before expiry as `kubectl get` shows it: whole days (`29d`), `<1d`, " +
          "`expired` or `never`; absent until the token is generated. A snapshot at day " +
          "granularity: the controller rewrites it when the day count changes.",
      ),
    audiencesDisplay: z
      .string()
      .max(16 * 254)
      .optional()
      .describe(
        "spec.audiences as `kubectl get st -o wide` shows them: comma-separated (`scim`), or " +
          "`any` for a token without audiences. Printer columns cannot join a list, so the " +
          "controller writes it.",
      ),
    lastUsedAt: timestamp
      .optional()
      .describe(
        "Latest successful authentication with the token (RFC 3339, written at most once per " +
          "flush interval); absent: never used.",
      ),
    revokedAt: timestamp
      .optional()
      .describe("When the token was revoked (RFC 3339); absent while it is not revoked."),
    currentValueCreatedAt: timestamp
      .optional()
      .describe(
        "When the current value was generated (RFC 3339): status.createdAt until the first " +
          "rotation. spec.rotation.everyDays counts from here; expiry does not.",
      ),
    previousTokenId: z
      .string()
      .max(16)
      .regex(TOKEN_ID_PATTERN)
      .optional()
      .describe(
        "Token id of the previous value after a rotation; it keeps authenticating until " +
          "previousValueExpiresAt. Absent: only the current value is valid.",
      ),
    previousValueExpiresAt: timestamp
      .optional()
      .describe("When the previous value stops authenticating (RFC 3339)."),
    rotations: z.int().min(0).optional().describe("How many times the value was rotated."),
    lastRotationRequest: z
      .string()
      .max(64)
      .optional()
      .describe(
        "The svctokens.dev/rotate-requested-at annotation the latest rotation acted on: the " +
          "same request never rotates twice.",
      ),
    revokedReason: z
      .enum(["Unused"])
      .optional()
      .describe(
        "Why the controller revoked the token: `Unused` (the operator revokes tokens unused " +
          "for SVCTOKENS_REVOKE_UNUSED_AFTER_DAYS). Absent when a person revoked it, and while " +
          "it is not revoked.",
      ),
    autoRevokedAt: timestamp
      .optional()
      .describe(
        "When the unused-token policy last revoked the token (RFC 3339). Kept after an Admin " +
          "restores it: the policy leaves it alone until it is used again.",
      ),
    expiryNoticeDays: z
      .int()
      .min(1)
      .max(30)
      .optional()
      .describe(
        "The narrowest expiry notice sent (Event ExpiringSoon): 30, 7 or 1 days before expiry. " +
          "Each notice is sent once; absent: none yet.",
      ),
    unusedNoticeAt: timestamp
      .optional()
      .describe(
        "When the Event Unused was sent (RFC 3339): once per stretch without authentication.",
      ),
    conditions,
    observedGeneration,
  })
  .describe("Observed state of the Service Token, written by the svctokens controller.");
export type ServiceTokenStatus = z.infer<typeof ServiceTokenStatusSchema>;

export const ServiceTokenSchema = z
  .object({
    apiVersion: z.literal(API_GROUP_VERSION).optional(),
    kind: z.literal(SERVICE_TOKEN_KIND).optional(),
    metadata: NamespacedObjectMetaSchema,
    spec: ServiceTokenSpecSchema,
    status: ServiceTokenStatusSchema.optional(),
  })
  .describe(
    "A ServiceToken is an API token of one ServiceUser. The controller generates its value " +
      "into a Secret (or takes a client-generated hash) and keeps only a one-way hash for " +
      "verification. Tokens are Active, Revoked or Expired.",
  );
export type ServiceToken = z.infer<typeof ServiceTokenSchema>;
