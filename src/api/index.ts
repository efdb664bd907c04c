// src/api/: the svctokens API (zod schemas, types, constants); crd/ renders the CRDs from it.
// The svctokens API: constants, zod schemas with their inferred types, and parsers. The CRD
// generator (`src/api/crd/`) is build-time only and deliberately not re-exported here.
export * from "./common.ts";
export * from "./constants.ts";
export * from "./kubernetes-extensions.ts";
export * from "./parse.ts";
export * from "./resources.ts";
export * from "./service-token.ts";
export * from "./service-user.ts";
