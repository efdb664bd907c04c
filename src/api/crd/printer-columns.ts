// What `kubectl get st` and `kubectl get su` print. Priority-1 columns appear only with
// `-o wide`. kubectl prints NAME (and NAMESPACE with -A) before these. A column prints the
// first value its JSONPath finds, and a list as JSON (`["a","b"]`; `[*]` gives only the first
// item): lists are shown through comma-joined status fields the controller writes.

/** An `additionalPrinterColumns` entry. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  /** 1: shown only by `kubectl get -o wide`. */
  priority?: number;
}

const AGE_COLUMN: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
  description: "Time since the object was created.",
};

/**
 * ServiceToken: USER, STATUS, EXPIRES, LAST USED, AGE (the product's token list). `date`
 * columns print the time since a moment, so they suit the past (LAST USED) but print
 * "<invalid>" for the future: EXPIRES is the controller's day-granular `status.expiresIn`
 * (`29d`, `never`, `expired`), the exact moment is EXPIRES AT under `-o wide`. kubectl prints a
 * missing value as an empty cell (not `<none>`), so the descriptions say "empty".
 */
export const SERVICE_TOKEN_COLUMNS: PrinterColumn[] = [
  {
    name: "User",
    type: "string",
    jsonPath: ".spec.serviceUser",
    description: "ServiceUser the token belongs to.",
  },
  { name: "Status", type: "string", jsonPath: ".status.phase", description: "Token phase." },
  {
    name: "Expires",
    type: "string",
    jsonPath: ".status.expiresIn",
    description: "Time left before expiry (29d, <1d, expired, never); empty: not generated yet.",
  },
  {
    name: "Last Used",
    type: "date",
    jsonPath: ".status.lastUsedAt",
    description: "Time since the token last authenticated; empty: never used.",
  },
  AGE_COLUMN,
  {
    name: "Expires At",
    type: "string",
    jsonPath: ".status.expiresAt",
    description: "When the token expires (RFC 3339); empty: never, or not generated yet.",
    priority: 1,
  },
  {
    name: "Token ID",
    type: "string",
    jsonPath: ".status.tokenId",
    description: "Public handle of the token, as it appears in logs.",
    priority: 1,
  },
  {
    name: "Audiences",
    type: "string",
    jsonPath: ".status.audiencesDisplay",
    description: "Audiences the token is restricted to, comma-separated, or any.",
    priority: 1,
  },
  {
    name: "Previous Until",
    type: "string",
    jsonPath: ".status.previousValueExpiresAt",
    description: "Until when the previous value still authenticates after a rotation; empty: none.",
    priority: 1,
  },
];

/** ServiceUser: ROLE, STATUS, ACTIVE TOKENS, LAST USED, AGE. */
export const SERVICE_USER_COLUMNS: PrinterColumn[] = [
  { name: "Role", type: "string", jsonPath: ".spec.role", description: "Role of the user." },
  { name: "Status", type: "string", jsonPath: ".status.phase", description: "User phase." },
  {
    name: "Active Tokens",
    type: "integer",
    jsonPath: ".status.activeTokens",
    description: "Number of Active tokens.",
  },
  {
    name: "Last Used",
    type: "date",
    jsonPath: ".status.lastUsedAt",
    description: "Time since any of its tokens last authenticated; empty: never used.",
  },
  AGE_COLUMN,
  {
    name: "Username",
    type: "string",
    jsonPath: ".status.username",
    description: "Username its tokens authenticate as.",
    priority: 1,
  },
  {
    name: "Teams",
    type: "string",
    jsonPath: ".status.teamsDisplay",
    description: "Teams of the user, comma-separated; empty: none.",
    priority: 1,
  },
];
