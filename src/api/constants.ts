// Names that the CRDs, the controller, the webhook and the manifests all agree on. Enum-like
// values are `as const` objects so that zod enums, CRD enums and TypeScript unions share them.

export const API_GROUP = "svctokens.dev";
export const API_VERSION = "v1alpha1";
/** The `apiVersion` field of every svctokens object. */
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;
/** Category shared by both kinds: `kubectl get svctokens` lists them together. */
export const API_CATEGORY = "svctokens";

export const SERVICE_USER_KIND = "ServiceUser";
export const SERVICE_USER_PLURAL = "serviceusers";
export const SERVICE_USER_SINGULAR = "serviceuser";
export const SERVICE_USER_SHORT_NAME = "su";

export const SERVICE_TOKEN_KIND = "ServiceToken";
export const SERVICE_TOKEN_PLURAL = "servicetokens";
export const SERVICE_TOKEN_SINGULAR = "servicetoken";
export const SERVICE_TOKEN_SHORT_NAME = "st";

export const ServiceUserRole = { Admin: "Admin", Manager: "Manager", Member: "Member" } as const;
export type ServiceUserRole = (typeof ServiceUserRole)[keyof typeof ServiceUserRole];

export const ServiceUserPhase = { Active: "Active", Deactivated: "Deactivated" } as const;
export type ServiceUserPhase = (typeof ServiceUserPhase)[keyof typeof ServiceUserPhase];

export const ServiceTokenPhase = {
  Active: "Active",
  Revoked: "Revoked",
  Expired: "Expired",
} as const;
export type ServiceTokenPhase = (typeof ServiceTokenPhase)[keyof typeof ServiceTokenPhase];

export const ConditionStatus = { True: "True", False: "False", Unknown: "Unknown" } as const;
export type ConditionStatus = (typeof ConditionStatus)[keyof typeof ConditionStatus];

/**
 * Condition types both kinds report, as kstatus (Flux, kpt), Argo CD and `kubectl wait` read
 * them: `Ready` always; `Reconciling` only while the controller waits for something that will
 * come by itself; `Stalled` only while a person must act. Absent means False.
 */
export const ConditionType = {
  Ready: "Ready",
  Reconciling: "Reconciling",
  Stalled: "Stalled",
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];
export const CONDITION_READY = ConditionType.Ready;

/**
 * Reasons of the conditions (CamelCase, as the API conventions ask). Ready=True says which
 * settled state the object is in; Ready=False says what it waits for (Reconciling) or what a
 * person must fix (Stalled); `STALLED_REASONS` tells the two apart.
 */
export const ReadyReason = {
  /** Ready=True: an Active token, or an active ServiceUser. */
  Active: "Active",
  /** Ready=True: the token is revoked, as its spec asks. */
  Revoked: "Revoked",
  /** Ready=True: the token is past its expiry; nothing is left to do. */
  Expired: "Expired",
  /** Ready=True: the ServiceUser is deactivated, as its spec asks. */
  Deactivated: "Deactivated",
  /** Stalled: the spec cannot be honoured; terminal until the generation changes. */
  InvalidSpec: "InvalidSpec",
  /** Reconciling: the token's value is being generated (pinned, Secrets not yet written). */
  Generating: "Generating",
  /** Reconciling: the token names a ServiceUser that does not exist yet; nothing generated. */
  ServiceUserNotFound: "ServiceUserNotFound",
  /** Stalled: the token's ServiceUser is deactivated; reactivate it. */
  ServiceUserDeactivated: "ServiceUserDeactivated",
  /**
   * Stalled: the delivery Secret's or the hash record's name is taken by a Secret the
   * controller did not write (foreign: never adopted, never overwritten, its value never used).
   */
  SecretConflict: "SecretConflict",
  /**
   * Stalled: the ServiceUser was deleted and recreated under the same name (another uid) since
   * the token was generated; the token stays with the user it was made for.
   */
  ServiceUserReplaced: "ServiceUserReplaced",
  /** Reserved for transient errors (Reconciling); this version retries with backoff instead. */
  ReconcileError: "ReconcileError",
} as const;
export type ReadyReason = (typeof ReadyReason)[keyof typeof ReadyReason];

/** Ready=False reasons that no waiting will fix: a person must act (Stalled=True). */
export const STALLED_REASONS: ReadonlySet<string> = new Set<ReadyReason>([
  ReadyReason.InvalidSpec,
  ReadyReason.SecretConflict,
  ReadyReason.ServiceUserDeactivated,
  ReadyReason.ServiceUserReplaced,
]);

/** Type of the Secret that delivers a generated token value in the token's namespace. */
export const DELIVERY_SECRET_TYPE = "svctokens.dev/service-token";
/** Type of the Secret in the operator's namespace that holds a token's hash. */
export const HASH_RECORD_SECRET_TYPE = "svctokens.dev/token-hash";

/** Data keys of the delivery Secret (`expiresAt` only when the token expires). */
export const DeliverySecretKey = {
  token: "token",
  username: "username",
  tokenId: "tokenId",
  expiresAt: "expiresAt",
} as const;

// Labels on hash-record Secrets: they live in the operator's namespace, so they point back at
// the ServiceToken they belong to (owner references cannot cross namespaces).
export const LABEL_TOKEN_NAMESPACE = "svctokens.dev/token-namespace";
export const LABEL_TOKEN_NAME = "svctokens.dev/token-name";
export const LABEL_TOKEN_UID = "svctokens.dev/token-uid";
export const LABEL_TOKEN_ID = "svctokens.dev/token-id";
/** metadata.uid of the ServiceUser the token was generated for (pinned at generation). */
export const LABEL_SERVICE_USER_UID = "svctokens.dev/service-user-uid";

/** A ServiceUser `x` authenticates as `x@service`. */
export const SERVICE_USER_USERNAME_SUFFIX = "@service";
/** Group of every Service User. */
export const GROUP_SERVICE_USERS = "svctokens:service-users";
/** Prefix of the role group: `svctokens:role:admin|manager|member`. */
export const GROUP_ROLE_PREFIX = "svctokens:role:";
/** Prefix of the team groups: `svctokens:team:<team>` and `svctokens:team:<team>:<role>`. */
export const GROUP_TEAM_PREFIX = "svctokens:team:";
/**
 * A namespace belongs to team `<team>` when it carries a label with this prefix and the team as
 * its name (`team.svctokens.dev/payments`); the value is not read. Set by whoever may label
 * namespaces (normally the platform team).
 */
export const TEAM_NAMESPACE_LABEL_PREFIX = "team.svctokens.dev/";
/** Shipped ClusterRole bound to a team's Managers and Admins in the team's namespaces. */
export const MANAGER_CLUSTER_ROLE = "svctokens:manager";
/** Built-in ClusterRole bound to a team's Members in the team's namespaces. */
export const MEMBER_CLUSTER_ROLE = "view";
/** Label on the RoleBindings the controller keeps in team namespaces: which team they serve. */
export const LABEL_TEAM = "svctokens.dev/team";
/** The audience that makes a token a SCIM token. */
export const SCIM_AUDIENCE = "scim";

/** Label on every Secret the controller writes; admission selects Secrets by it. */
export const MANAGED_BY_LABEL_KEY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_LABEL_VALUE = "svctokens";

/**
 * An Admin asks for a new token value by setting this annotation (RFC 3339) on a ServiceToken;
 * only an Admin or the controller may set or change it (admission).
 */
export const ROTATE_REQUESTED_AT_ANNOTATION = "svctokens.dev/rotate-requested-at";

/**
 * Field manager of every write the controller makes. With the managed-by label it is how a
 * Secret shows that the controller wrote its data (managedFields); admission refuses labelled
 * operator Secrets from anyone else, so another client cannot borrow the name there.
 */
export const CONTROLLER_FIELD_MANAGER = "svctokens-controller";
