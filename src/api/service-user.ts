// ServiceUser (cluster-scoped): a non-human account with a role and teams. Descriptions here
// are what `kubectl explain serviceuser` prints.
import { z } from "zod";
import {
  ClusterObjectMetaSchema,
  conditions,
  DNS_LABEL_PATTERN,
  observedGeneration,
  timestamp,
  uniqueList,
} from "./common.ts";
import {
  API_GROUP_VERSION,
  SERVICE_USER_KIND,
  ServiceUserPhase,
  ServiceUserRole,
} from "./constants.ts";

/** Team names become group names (`svctokens:team:<team>`), so they are RFC 1123 labels. */
export const TeamNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS_LABEL_PATTERN)
  .describe(
    "A team name: lowercase letters, digits and '-', starting and ending with a letter or " +
      "digit, at most 63 characters (an RFC 1123 label).",
  );

export const ServiceUserSpecSchema = z
  .object({
    displayName: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .describe("Name shown to people, e.g. 'CI pipeline'. Defaults to metadata.name."),
    description: z
      .string()
      .max(1024)
      .optional()
      .describe("What this Service User is for and who looks after it."),
    role: z
      .enum(ServiceUserRole)
      .describe(
        "Role of the Service User: Admin (manages Service Users and tokens), Manager " +
          "(workloads in its teams' namespaces) or Member (view in its teams' namespaces). A " +
          "change applies to the next request made with any of its tokens.",
      ),
    teams: uniqueList(TeamNameSchema)
      .max(64)
      .optional()
      .describe(
        "Teams the Service User belongs to, each unique. Every team becomes the groups " +
          "`svctokens:team:<team>` and `svctokens:team:<team>:<role>`; the role applies in " +
          "namespaces labelled `team.svctokens.dev/<team>`.",
      ),
    active: z
      .boolean()
      .default(true)
      .describe(
        "Whether the Service User may authenticate. Set to false to deactivate it: refused " +
          "while it has Active tokens. Reactivating does not restore revoked tokens.",
      ),
  })
  .describe("Desired state of the Service User.");
export type ServiceUserSpec = z.infer<typeof ServiceUserSpecSchema>;

export const ServiceUserStatusSchema = z
  .object({
    phase: z
      .enum(ServiceUserPhase)
      .optional()
      .describe("Active, or Deactivated when spec.active is false."),
    username: z
      .string()
      .max(512)
      .optional()
      .describe("The username its tokens authenticate as: `<metadata.name>@service`."),
    groups: z
      .array(z.string().max(512).describe("A group name."))
      .max(128)
      .optional()
      .describe(
        "The groups its tokens authenticate with: `svctokens:service-users`, " +
          "`svctokens:role:<role>` and `svctokens:team:<team>` for each team.",
      ),
    teamsDisplay: z
      .string()
      .max(64 * 64)
      .optional()
      .describe(
        "spec.teams as `kubectl get su -o wide` shows them: comma-separated (`payments,shop`); " +
          "absent: no teams. Printer columns cannot join a list, so the controller writes it.",
      ),
    activeTokens: z
      .int()
      .min(0)
      .optional()
      .describe("Number of its ServiceTokens that are Active."),
    tokens: z
      .int()
      .min(0)
      .optional()
      .describe("Number of its ServiceTokens in any phase (Active, Revoked or Expired)."),
    lastUsedAt: timestamp
      .optional()
      .describe("Latest successful authentication with any of its tokens; absent: never used."),
    conditions,
    observedGeneration,
  })
  .describe("Observed state of the Service User, written by the svctokens controller.");
export type ServiceUserStatus = z.infer<typeof ServiceUserStatusSchema>;

export const ServiceUserSchema = z
  .object({
    apiVersion: z.literal(API_GROUP_VERSION).optional(),
    kind: z.literal(SERVICE_USER_KIND).optional(),
    metadata: ClusterObjectMetaSchema,
    spec: ServiceUserSpecSchema,
    status: ServiceUserStatusSchema.optional(),
  })
  .describe(
    "A ServiceUser is a non-human account (CI, integrations, SCIM) with a role and teams. It " +
      "never logs in: it authenticates only with its ServiceTokens, as `<name>@service`.",
  );
export type ServiceUser = z.infer<typeof ServiceUserSchema>;
